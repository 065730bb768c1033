from django.core.exceptions import ValidationError

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 100


class PasswordLengthValidator:
    """Passwords are 8 to 100 characters (the original spec's rule)."""

    def validate(self, password: str, user=None) -> None:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise ValidationError(
                f"Password must be at least {MIN_PASSWORD_LENGTH} characters.", code="password_too_short"
            )
        if len(password) > MAX_PASSWORD_LENGTH:
            raise ValidationError(
                f"Password must be at most {MAX_PASSWORD_LENGTH} characters.", code="password_too_long"
            )

    def get_help_text(self) -> str:
        return f"Your password must be {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters."
