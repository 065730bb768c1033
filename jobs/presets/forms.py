from __future__ import annotations

from django import forms

from jobs.presets.models import PRESET_NAME_MAX_LENGTH
from videogen.form_errors import ServiceErrorsMixin


class PresetNameForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(max_length=PRESET_NAME_MAX_LENGTH, label="Preset name",
                           widget=forms.TextInput(attrs={"placeholder": "Night city, slow", "autocomplete": "off"}))
