from django.conf import settings
from django.contrib.auth.hashers import BCryptSHA256PasswordHasher


class ConfiguredBCryptSHA256PasswordHasher(BCryptSHA256PasswordHasher):
    """bcrypt over SHA-256 with PASSWORD_HASH_ROUNDS rounds.

    Same algorithm name as Django's hasher, so existing hashes keep verifying and
    are upgraded on login when the configured rounds change.
    """

    @property
    def rounds(self) -> int:  # type: ignore[override]
        return settings.PASSWORD_HASH_ROUNDS
