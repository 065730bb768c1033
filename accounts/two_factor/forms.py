"""Two-factor forms: they only validate; the views call the services."""

from __future__ import annotations

from django import forms

from videogen.form_errors import ServiceErrorsMixin

CODE_HELP = "The 6-digit code from your authenticator app, or one of your recovery codes."


def _code_field(help_text: str = CODE_HELP) -> forms.CharField:
    return forms.CharField(
        label="Code",
        max_length=64,
        help_text=help_text,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True, "spellcheck": "false"}
        ),
    )


def _password_field() -> forms.CharField:
    return forms.CharField(
        label="Password", max_length=1000, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(ServiceErrorsMixin, forms.Form):
    code = _code_field()


class ConfirmForm(ServiceErrorsMixin, forms.Form):
    code = _code_field("The 6-digit code your authenticator app shows now.")


class DisableForm(ServiceErrorsMixin, forms.Form):
    password = _password_field()
    code = _code_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="disable", **kwargs)
        self.fields["code"].widget.attrs.pop("autofocus")


class RegenerateForm(ServiceErrorsMixin, forms.Form):
    password = _password_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="regenerate", **kwargs)
