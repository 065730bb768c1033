from django import forms

from accounts.services import user_authenticate, user_register
from videogen.errors import ApplicationError


class _CredentialsForm(forms.Form):
    email = forms.EmailField(max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}))
    password = forms.CharField(max_length=100, strip=False, widget=forms.PasswordInput)

    def __init__(self, *args, ip_address: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.ip_address = ip_address
        self.user = None

    def _apply(self, error: ApplicationError) -> None:
        """Show a service error on the fields it names, or on the form."""
        placed = False
        for field, messages in error.details.items():
            if field in self.fields:
                for message in messages:
                    self.add_error(field, message)
                placed = True
        if not placed:
            self.add_error(None, error.message)


class RegisterForm(_CredentialsForm):
    password = forms.CharField(
        max_length=100, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="8 to 100 characters; not a common password.",
    )

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.user = user_register(email=cleaned["email"], password=cleaned["password"], ip_address=self.ip_address)
        except ApplicationError as error:
            self._apply(error)
        return cleaned


class LoginForm(_CredentialsForm):
    password = forms.CharField(
        max_length=1000, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.user = user_authenticate(email=cleaned["email"], password=cleaned["password"], ip_address=self.ip_address)
        except ApplicationError as error:
            self.add_error(None, error.message)
        return cleaned
