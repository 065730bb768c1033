"""The settings page's form for a new API key; the service validates and creates."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import forms
from django.utils import timezone

from accounts.key_services import NAME_MAX_LENGTH
from accounts.models import ApiKeyScope
from videogen.form_errors import ServiceErrorsMixin

EXPIRY_CHOICES = [("", "Never"), ("30", "In 30 days"), ("90", "In 90 days"), ("365", "In a year")]


class ApiKeyForm(ServiceErrorsMixin, forms.Form):
    service_fields = {"name": "name", "scope": "scope", "expiresAt": "expires_in_days"}

    name = forms.CharField(
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": "laptop, CI pipeline…", "autocomplete": "off"}),
        help_text="What or where the key is used, so you know which one to revoke.",
    )
    scope = forms.ChoiceField(choices=ApiKeyScope.choices, initial=ApiKeyScope.READ)
    expires_in_days = forms.ChoiceField(choices=EXPIRY_CHOICES, required=False, label="Expires")

    def expires_at(self) -> datetime | None:
        days = self.cleaned_data.get("expires_in_days")
        return timezone.now() + timedelta(days=int(days)) if days else None
