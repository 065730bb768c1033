"""The endpoint form of the settings pages; the service validates the URL."""

from __future__ import annotations

from django import forms

from jobs import events
from videogen.outbound import MAX_URL_LENGTH
from videogen.form_errors import ServiceErrorsMixin


class EndpointForm(ServiceErrorsMixin, forms.Form):
    service_fields = {"url": "url", "description": "description", "events": "events"}

    url = forms.CharField(
        label="URL", max_length=MAX_URL_LENGTH, strip=True,
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/hooks/videogen", "autocomplete": "off"}),
    )
    description = forms.CharField(required=False, max_length=500,
                                  widget=forms.TextInput(attrs={"placeholder": "What receives it (optional)"}))
    events = forms.MultipleChoiceField(
        choices=[(name, name) for name in events.TYPES], widget=forms.CheckboxSelectMultiple,
        initial=[events.STARTED, events.COMPLETED, events.FAILED, events.CANCELLED],
        help_text="job.progress comes at most once every 2 seconds per job.",
    )
    enabled = forms.BooleanField(required=False, initial=True)


class RedeliverForm(forms.Form):
    event_id = forms.CharField(max_length=64)
