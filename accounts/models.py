from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from videogen.ids import new_id


def normalize_email(email: str) -> str:
    """Emails are compared and stored lower-cased and trimmed."""
    return email.strip().lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("email_verified_at", timezone.now())  # the operator vouches for their own address
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, email: str) -> "User":
        return self.get(email=normalize_email(email))


class User(AbstractBaseUser, PermissionsMixin):
    id = models.CharField(primary_key=True, max_length=32, default=new_id, editable=False)
    email = models.EmailField(max_length=254, unique=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    # Raised to end every session and token at once ("sign out everywhere");
    # see accounts.sessions.user_auth_stamp.
    auth_epoch = models.PositiveIntegerField(default=0)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique")]

    def __str__(self) -> str:
        return self.email

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    def _get_session_auth_hash(self, secret=None):
        """Django's session check, also ended by raising auth_epoch (sign out everywhere)."""
        from django.utils.crypto import salted_hmac

        value = self.password if not self.auth_epoch else f"{self.password}:{self.auth_epoch}"
        key_salt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()


class TokenFamily(models.Model):
    """Every refresh token rotated from one login, and the access tokens issued with them.

    Tokens carry the family's id: revoking the family (logout, reuse of a rotated
    refresh token, sign out everywhere) ends all of them at once.
    """

    id = models.CharField(primary_key=True, max_length=32, default=new_id, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="token_families")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=32, blank=True)
    # The user's auth stamp when the family began: a password change or "sign out
    # everywhere" changes the stamp, and a family whose stamp is stale is dead.
    stamp = models.CharField(max_length=32)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return f"token family {self.pk} of {self.user_id}"


class BrowserSession(models.Model):
    """A signed-in browser session, so its owner can see it and end it."""

    session_key = models.CharField(max_length=40, primary_key=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="browser_sessions")
    created_at = models.DateTimeField(auto_now_add=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"session of {self.user_id} since {self.created_at:%Y-%m-%d %H:%M}"


class ThrottleBucket(models.Model):
    """One counter of the credential-check limiter (see accounts.throttle).

    A bucket counts attempts under one key (a kind plus an account, an address or
    both, hashed) in a fixed window that starts at its first attempt. The database is
    the truth, so every web process and worker sees the same counts, and a
    conditional UPDATE makes reserving a slot atomic.
    """

    key = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=32)
    scope = models.CharField(max_length=16)
    account_digest = models.CharField(max_length=64, blank=True, db_index=True)
    count = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.kind}/{self.scope}: {self.count}"


class OutgoingMail(models.Model):
    """A mail waiting to be sent, or sent: the outbox (the database is the truth).

    Written in the transaction that causes it; a worker job sends it after commit and,
    when the mail server is down, again later with backoff (accounts.mail). Once sent,
    the body (which may hold a one-time link) is blanked.
    """

    PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
    STATUSES = [(s, s) for s in (PENDING, SENDING, SENT, FAILED)]

    id = models.CharField(primary_key=True, max_length=32, default=new_id, editable=False)
    kind = models.CharField(max_length=40)
    to = models.EmailField(max_length=254)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=STATUSES, default=PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to} ({self.status})"


class ApiKeyScope(models.TextChoices):
    READ = "read", "Read only (GET)"
    WRITE = "write", "Read and write"


class ApiKey(models.Model):
    """A personal API key. Only a SHA-256 of the whole key is kept: the key itself is
    shown once, at creation. ``prefix`` (the key's public id) finds the row."""

    id = models.CharField(primary_key=True, max_length=32, default=new_id, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8, unique=True)
    secret_hash = models.CharField(max_length=64)
    scope = models.CharField(max_length=5, choices=ApiKeyScope.choices, default=ApiKeyScope.READ)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API key"
        indexes = [models.Index(fields=["user", "revoked_at", "-created_at"], name="accounts_apikey_user_live")]

    def __str__(self) -> str:
        return f"{self.name} (vg_{self.prefix}…)"

    @property
    def display_prefix(self) -> str:
        return f"vg_{self.prefix}"

    @property
    def throttle_ident(self) -> str:
        """Each key is rate-limited on its own, as a user is (videogen.api.throttling)."""
        return f"key:{self.pk}"
