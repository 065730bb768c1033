"""The sign-in pages' forms: they validate what was typed and write nothing.

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
