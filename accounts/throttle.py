"""The one limiter for every credential check, and for requests that create
accounts or send mail.

Credential checks (passwords, API keys, two-factor codes) go through `attempt`:

    with throttle.attempt("login", account=email, ip=client_ip) as guess:
        if not user.check_password(password):
            raise NotAuthenticated("Invalid email or password.")
        guess.succeeded()

Entering reserves one slot in every bucket of the kind *before* the secret is
checked, and raises TooManyRequests (with the seconds to wait) when any bucket is
full; so however many guesses arrive at once, no more secrets are checked than the
limit allows. Leaving without `succeeded()` keeps the slots: a failure. After
`succeeded()` the (account, address) bucket is emptied and the other slots are given
back. An unexpected exception (not an ApplicationError) gives every slot back: the
check never ran.

Requests that always count (registration, password-reset mails, verification
resends) call `hit(kind, account=..., ip=...)`.

Failures are counted per (account, client address) and, with a much higher limit,
per client address, so a stranger's wrong guesses never lock the owner out: from an
address without failures on the account, the right secret gets in. The buckets are
rows in the database (PostgreSQL in deployments), and reserving is one conditional
UPDATE, so every web process and worker shares exact counts. Call it outside any
transaction the caller may roll back, or failures would be rolled back with it.

Kinds and their limits are in `rules()`; all of them come from settings.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, DateTimeField, F, Q, Value, When
from django.utils import timezone

from accounts.models import ThrottleBucket
from videogen.errors import ApplicationError, TooManyRequests

ACCOUNT_IP = "account_ip"
ACCOUNT = "account"
IP = "ip"


@dataclass(frozen=True)
class Rule:
    """Limits for one kind of request; None means no bucket of that scope."""

    message: str
    window_seconds: int
    per_account_ip: int | None = None
    per_account: int | None = None
    per_ip: int | None = None

    def limits(self) -> dict[str, int]:
        scopes = {ACCOUNT_IP: self.per_account_ip, ACCOUNT: self.per_account, IP: self.per_ip}
        return {scope: limit for scope, limit in scopes.items() if limit is not None}


def rules() -> dict[str, Rule]:
    """Every kind the limiter knows, read from settings at call time."""
    credential = dict(
        window_seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS,
        per_account_ip=settings.LOGIN_FAILURE_LIMIT_PER_EMAIL,
        per_ip=settings.LOGIN_FAILURE_LIMIT_PER_IP,
    )
    mail = dict(
        window_seconds=settings.MAIL_REQUEST_WINDOW_SECONDS,
        per_account=settings.MAIL_REQUEST_LIMIT_PER_ACCOUNT,
        per_ip=settings.MAIL_REQUEST_LIMIT_PER_IP,
    )
    return {
        "login": Rule("Too many failed login attempts. Try again later.", **credential),
        "api_key": Rule("Too many failed API key attempts. Try again later.", **credential),
        # Codes also count per account from every address: whoever has the password
        # (and many addresses) still gets only a few guesses at a 6-digit code.
        "second_factor": Rule(
            "Too many wrong codes. Try again later.", **credential,
            per_account=settings.TWO_FACTOR_FAILURE_LIMIT_PER_ACCOUNT,
        ),
        "password_check": Rule("Too many wrong passwords. Try again later.", **credential),
        "reset_link": Rule("Too many invalid reset links. Try again later.", **credential),
        "register": Rule(
            "Too many sign-ups from your address. Try again later.",
            window_seconds=settings.REGISTER_WINDOW_SECONDS,
            per_ip=settings.REGISTER_LIMIT_PER_IP,
        ),
        "password_reset": Rule("Too many password reset requests. Try again later.", **mail),
        "verification_mail": Rule("Too many verification mails requested. Try again later.", **mail),
    }


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class _Bucket:
    kind: str
    scope: str
    key: str
    account_digest: str
    limit: int
    window: timedelta


def _buckets(kind: str, account: str | None, ip: str | None) -> list[_Bucket]:
    try:
        rule = rules()[kind]
    except KeyError:
        raise ValueError(f"unknown throttle kind {kind!r}") from None
    address = ip or "unknown"
    account_digest = _digest(kind, account) if account is not None else ""
    keys = {ACCOUNT_IP: (account, address), ACCOUNT: (account,), IP: (address,)}
    window = timedelta(seconds=rule.window_seconds)
    buckets = []
    for scope, limit in rule.limits().items():
        parts = keys[scope]
        if None in parts:
            continue  # a kind keyed by account, called without one
        buckets.append(
            _Bucket(kind, scope, _digest(kind, scope, *parts), account_digest if scope != IP else "", limit, window)
        )
    return buckets


def _seconds_left(started_at, window: timedelta) -> int:
    return max(1, math.ceil((started_at + window - timezone.now()).total_seconds()))


def _take(bucket: _Bucket) -> int | None:
    """Take one slot atomically; None when taken, else the seconds until one frees."""
    now = timezone.now()
    expired = Q(window_started_at__lte=now - bucket.window)
    rows = ThrottleBucket.objects.filter(key=bucket.key)

    def increment() -> bool:
        return bool(
            rows.filter(Q(count__lt=bucket.limit) | expired).update(
                count=Case(When(expired, then=Value(1)), default=F("count") + 1),
                window_started_at=Case(
                    When(expired, then=Value(now)), default=F("window_started_at"), output_field=DateTimeField()
                ),
            )
        )

    if increment():
        return None
    try:
        with transaction.atomic():
            ThrottleBucket.objects.create(
                key=bucket.key, kind=bucket.kind, scope=bucket.scope, account_digest=bucket.account_digest,
                count=1, window_started_at=now,
            )
        return None
    except IntegrityError:
        pass  # it exists: full, or created by a racing request a moment ago
    if increment():
        return None
    started_at = rows.values_list("window_started_at", flat=True).first()
    return _seconds_left(started_at, bucket.window) if started_at else 1


def _give_back(bucket: _Bucket) -> None:
    ThrottleBucket.objects.filter(key=bucket.key, count__gt=0).update(count=F("count") - 1)


def _reserve(kind: str, buckets: list[_Bucket]) -> None:
    taken: list[_Bucket] = []
    for bucket in buckets:
        wait = _take(bucket)
        if wait is not None:
            for done in taken:
                _give_back(done)
            raise TooManyRequests(rules()[kind].message, retry_after=wait)
        taken.append(bucket)


class Attempt:
    """One credential check under the limiter; see the module docstring."""

    def __init__(self, kind: str, *, account: str | None, ip: str | None):
        self.kind = kind
        self._buckets = _buckets(kind, account, ip)
        self._succeeded = False
        self._reserved = False

    def reserve(self) -> "Attempt":
        """Take the slots now (raises TooManyRequests); entering the block then takes none."""
        if not self._reserved:
            _reserve(self.kind, self._buckets)
            self._reserved = True
        return self

    def __enter__(self) -> "Attempt":
        return self.reserve()

    def succeeded(self) -> None:
        """The secret was right: forget this address's failures on the account."""
        self._succeeded = True

    def __exit__(self, exc_type, exc, traceback) -> bool:
        if self._succeeded:
            for bucket in self._buckets:
                if bucket.scope == ACCOUNT_IP:
                    ThrottleBucket.objects.filter(key=bucket.key).delete()
                else:
                    _give_back(bucket)
        elif exc_type is not None and not issubclass(exc_type, ApplicationError):
            for bucket in self._buckets:
                _give_back(bucket)
        return False


def attempt(kind: str, *, account: str | None, ip: str | None) -> Attempt:
    """A context manager around one credential check (raises TooManyRequests on entry)."""
    return Attempt(kind, account=account, ip=ip)


def hit(kind: str, *, account: str | None = None, ip: str | None) -> None:
    """Count one request of a kind that always counts; raises TooManyRequests when full."""
    _reserve(kind, _buckets(kind, account, ip))


def clear(kind: str, *, account: str) -> None:
    """Forget an account's counts of a kind from every address (e.g. after a password reset)."""
    ThrottleBucket.objects.filter(account_digest=_digest(kind, account)).delete()


def prune() -> int:
    """Delete buckets whose window has ended (run by the worker's reconciler loop)."""
    longest = max(rule.window_seconds for rule in rules().values())
    cutoff = timezone.now() - timedelta(seconds=longest)
    deleted, _ = ThrottleBucket.objects.filter(window_started_at__lt=cutoff).delete()
    return deleted
