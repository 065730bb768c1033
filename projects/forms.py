"""The project form used by the create and edit pages; the service validates."""

from __future__ import annotations

from django import forms

from projects.models import DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH
from videogen.form_errors import ServiceErrorsMixin


class ProjectForm(ServiceErrorsMixin, forms.Form):
    service_fields = {"name": "name", "description": "description"}

    name = forms.CharField(
        max_length=NAME_MAX_LENGTH, strip=False,
        widget=forms.TextInput(attrs={"placeholder": "Spring campaign", "autocomplete": "off"}),
    )
    description = forms.CharField(
        required=False, max_length=DESCRIPTION_MAX_LENGTH, strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "What these videos are for (optional)"}),
    )
