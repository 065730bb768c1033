from django import forms

from accounts.services import user_authenticate, user_register
from videogen.errors import ApplicationError


class _CredentialsForm(forms.Form):
    email = forms.EmailField(max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}))
    password = forms.CharField(max_length=100, strip=False, widget=forms.PasswordInput)

    def __init__(self, *args, ip_address: str | None = None, base_url: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.ip_address = ip_address
        self.base_url = base_url
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
            self.user = user_register(
                email=cleaned["email"], password=cleaned["password"], ip_address=self.ip_address, base_url=self.base_url
            )
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


def apply_error(form: forms.Form, error: ApplicationError, *, fields: dict[str, str] | None = None) -> None:
    """Show a service's domain error on the fields it names (API names mapped by `fields`), or on the form."""
    fields = fields or {}
    placed = False
    for name, messages in error.details.items():
        name = fields.get(name, name)
        if name in form.fields:
            for message in messages:
                form.add_error(name, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


def _password_field(autocomplete: str, label: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label, max_length=1000, strip=False, help_text=help_text,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}))


class SetPasswordForm(forms.Form):
    password = _password_field("new-password", "New password", "8 to 100 characters; not a common password.")


class PasswordChangeForm(forms.Form):
    current_password = _password_field("current-password", "Current password")
    new_password = _password_field("new-password", "New password", "8 to 100 characters; not a common password.")


class EmailChangeForm(forms.Form):
    email = forms.EmailField(label="New email address", max_length=254)
    password = _password_field("current-password", "Current password")


class DeleteAccountForm(forms.Form):
    password = _password_field("current-password", "Current password")
    confirm = forms.CharField(label='Type "delete my account" to confirm', max_length=100)

    def clean_confirm(self) -> str:
        value = self.cleaned_data["confirm"].strip().lower()
        if value != "delete my account":
            raise forms.ValidationError('Type "delete my account" to confirm.')
        return value
