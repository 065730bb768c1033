"""Account writes: registration and logins."""

from __future__ import annotations

import logging

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from accounts.models import User, normalize_email
from accounts.throttle import check_login_allowed, clear_login_failures, record_login_failure
from videogen.errors import Conflict, InvalidInput, NotAuthenticated, TooManyRequests

logger = logging.getLogger("videogen.auth")

INVALID_CREDENTIALS = "Invalid email or password."
EMAIL_TAKEN = "An account with this email already exists."


def user_register(*, email: str, password: str, ip_address: str | None = None) -> User:
    """Create an account; raises InvalidInput (per field) or Conflict."""
    email = normalize_email(email)
    try:
        _validate_new_account(email=email, password=password)
    except InvalidInput as exc:
        logger.info(
            "register refused: invalid input", extra={"email": email, "ip": ip_address, "fields": sorted(exc.details)}
        )
        raise
    try:
        user_email_check(email=email)
    except Conflict:
        logger.info("register refused: email taken", extra={"email": email, "ip": ip_address})
        raise
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, password=password)
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
    try:
        password_validation.validate_password(password, user=User(email=email))
    except ValidationError as exc:
        raise InvalidInput(f"password: {' '.join(exc.messages)}", details={"password": exc.messages}) from None


def user_authenticate(*, email: str, password: str, ip_address: str | None) -> User:
    """Check credentials under the failed-login throttle.

    An unknown email costs the same password hashing as a wrong password, so the
    response time does not tell whether an account exists.
    """
    email = normalize_email(email)
    try:
        check_login_allowed(email=email, ip_address=ip_address)
    except TooManyRequests:
        logger.warning("login throttled", extra={"email": email, "ip": ip_address})
        raise
    user = User.objects.filter(email=email).first()
    if user is None or not user.is_active:
        make_password(password)  # same cost as a real check
        ok = False
    else:
        ok = user.check_password(password)
    if not ok:
        record_login_failure(email=email, ip_address=ip_address)
        logger.info("login failed", extra={"email": email, "ip": ip_address})
        raise NotAuthenticated(INVALID_CREDENTIALS)
    clear_login_failures(email=email)
    logger.info("login ok", extra={"user_id": user.pk, "ip": ip_address})
    return user
