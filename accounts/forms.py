"""The account pages' forms (sign-in, password reset, settings): they validate what was typed and write nothing.

The views call ``accounts.services`` (which run the login throttle) and show its
errors with ``videogen.form_errors.add_service_error``.
"""

from django import forms


class _CredentialsForm(forms.Form):
    email = forms.EmailField(max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}))
    password = forms.CharField(max_length=100, strip=False, widget=forms.PasswordInput)


class RegisterForm(_CredentialsForm):
    password = forms.CharField(
        max_length=100, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="8 to 100 characters; not a common password.",
    )


class LoginForm(_CredentialsForm):
    password = forms.CharField(
        max_length=1000, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


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
