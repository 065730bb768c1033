"""Two-factor forms: they only validate; the views call the services."""

from __future__ import annotations

from django import forms

from videogen.errors import ApplicationError

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


class _ServiceErrorForm(forms.Form):
    def apply(self, error: ApplicationError) -> None:
        """Show a service error on the fields it names, or on the form."""
        placed = False
        for field, messages in error.details.items():
            if field in self.fields:
                for message in messages:
                    self.add_error(field, message)
                placed = True
        if not placed:
            self.add_error(None, error.message)


class CodeForm(_ServiceErrorForm):
    code = _code_field()


class ConfirmForm(_ServiceErrorForm):
    code = _code_field("The 6-digit code your authenticator app shows now.")


class DisableForm(_ServiceErrorForm):
    password = _password_field()
    code = _code_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="disable", **kwargs)
        self.fields["code"].widget.attrs.pop("autofocus")


class RegenerateForm(_ServiceErrorForm):
    password = _password_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="regenerate", **kwargs)
