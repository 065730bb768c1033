"""Account writes: registration, logins, password checks and changes."""

from __future__ import annotations

import logging

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from accounts import throttle
from accounts.mail import mail_queue, site_url
from accounts.models import User, normalize_email
from accounts.sessions import user_sign_out_everywhere
from videogen.errors import Conflict, InvalidInput, NotAuthenticated, TooManyRequests

logger = logging.getLogger("videogen.auth")

INVALID_CREDENTIALS = "Invalid email or password."
EMAIL_TAKEN = "An account with this email already exists."


def user_register(*, email: str, password: str, ip_address: str | None = None, base_url: str | None = None) -> User:
    """Create an account and mail it a verification link; raises InvalidInput (per field) or Conflict."""
    from accounts.verification import verification_mail_queue  # it builds on this module's password check

    email = normalize_email(email)
    try:
        _validate_new_account(email=email, password=password)
    except InvalidInput as exc:
        logger.info(
            "register refused: invalid input", extra={"email": email, "ip": ip_address, "fields": sorted(exc.details)}
        )
        raise
    try:
        throttle.hit("register", ip=ip_address)
    except TooManyRequests:
        logger.warning("register throttled", extra={"email": email, "ip": ip_address})
        raise
    try:
        user_email_check(email=email)
    except Conflict:
        logger.info("register refused: email taken", extra={"email": email, "ip": ip_address})
        raise
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, password=password)
            verification_mail_queue(user=user, base_url=base_url or site_url())
    except IntegrityError:
        raise Conflict(EMAIL_TAKEN, details={"email": [EMAIL_TAKEN]}) from None
    logger.info("register ok", extra={"user_id": user.pk, "email": email, "ip": ip_address})
    return user


def user_email_check(*, email: str, user: User | None = None) -> str:
    """The email as stored (normalised); Conflict when another account has it in any case.
    ``user``: the account being changed, which may keep its own email."""
    email = normalize_email(email)
    others = User.objects.filter(email__iexact=email)
    if user is not None and user.pk is not None:
        others = others.exclude(pk=user.pk)
    if others.exists():
        raise Conflict(EMAIL_TAKEN, details={"email": [EMAIL_TAKEN]})
    return email


def _validate_new_account(*, email: str, password: str) -> None:
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput.for_field("email", "Enter a valid email address.") from None
    validate_new_password(password=password, user=User(email=email))


def validate_new_password(*, password: str, user: User, field: str = "password") -> None:
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        raise InvalidInput(f"{field}: {' '.join(exc.messages)}", details={field: exc.messages}) from None


def user_check_password(*, user: User, password: str, ip_address: str | None, field: str = "currentPassword") -> None:
    """Confirm a signed-in user's password (before a sensitive change), under the limiter."""
    with throttle.attempt("password_check", account=user.pk, ip=ip_address) as guess:
        if not user.check_password(password):
            logger.info("password confirmation failed", extra={"user_id": user.pk, "ip": ip_address})
            raise InvalidInput.for_field(field, "This is not your current password.")
        guess.succeeded()


def user_set_password(*, user: User, password: str, keep_request=None, reason: str) -> None:
    """Set a new password and end every session and token issued before (but `keep_request`'s)."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password", "updated_at"])
        user_sign_out_everywhere(user=user, reason=reason, keep_request=keep_request)
        mail_queue(to=user.email, template="password_changed", context={"email": user.email})


def user_change_password(
    *, user: User, current_password: str, new_password: str, ip_address: str | None, keep_request=None
) -> None:
    """Change the password (current one required); every other session and token ends."""
    user_check_password(user=user, password=current_password, ip_address=ip_address)
    validate_new_password(password=new_password, user=user, field="newPassword")
    user_set_password(user=user, password=new_password, keep_request=keep_request, reason="password changed")
    logger.info("password changed", extra={"user_id": user.pk, "ip": ip_address})


def user_authenticate(*, email: str, password: str, ip_address: str | None) -> User:
    """Check credentials under the credential-check limiter (accounts.throttle).

    An unknown email costs the same password hashing as a wrong password, so the
    response time does not tell whether an account exists.
    """
    email = normalize_email(email)
    try:
        guess = throttle.attempt("login", account=email, ip=ip_address).reserve()
    except TooManyRequests:
        logger.warning("login throttled", extra={"email": email, "ip": ip_address})
        raise
    with guess:
        user = User.objects.filter(email=email).first()
        if user is None or not user.is_active:
            make_password(password)  # same cost as a real check
            ok = False
        else:
            ok = user.check_password(password)
        if not ok:
            logger.info("login failed", extra={"email": email, "ip": ip_address})
            raise NotAuthenticated(INVALID_CREDENTIALS)
        guess.succeeded()
    logger.info("login ok", extra={"user_id": user.pk, "ip": ip_address})
    return user
