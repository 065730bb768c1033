"""Email addresses proven by a link: verification after sign-up, and email changes.

Links carry a signed, timestamped payload (Django's signing) naming the user and
the address; they expire after EMAIL_LINK_MAX_AGE. A change of address applies only
when the link sent to the *new* address is opened, and only while the account still
has the address the change started from (so each link works once); the old address
then gets a notice.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts import throttle
from accounts.mail import mail_queue
from accounts.models import User, normalize_email
from accounts.services import EMAIL_TAKEN, user_check_password
from accounts.sessions import is_plain_id
from videogen.errors import Conflict, Forbidden, InvalidInput

logger = logging.getLogger("videogen.auth")

EMAIL_LINK_MAX_AGE = timedelta(days=3)
VERIFY_SALT = "accounts.verification.verify"
CHANGE_SALT = "accounts.verification.change"
INVALID_LINK = "This link is invalid, expired or already used."
UNVERIFIED = "Verify your email address before creating jobs: open the link we mailed you, or ask for a new one."


def ensure_may_create_jobs(user: User) -> None:
    """The one check of the operator's EMAIL_VERIFICATION rule (raises Forbidden)."""
    if settings.EMAIL_VERIFICATION == "required" and user.email_verified_at is None:
        raise Forbidden(UNVERIFIED, details={"email": ["Not verified yet."]})


def verification_required_for(user) -> bool:
    """Whether the pages should ask this user to verify (for the banner and its resend button)."""
    return (
        settings.EMAIL_VERIFICATION == "required" and user.is_authenticated and user.email_verified_at is None
    )


def _load(token: str, salt: str) -> dict:
    try:
        data = signing.loads(token, salt=salt, max_age=EMAIL_LINK_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        raise InvalidInput.for_field("token", INVALID_LINK) from None
    if not isinstance(data, dict) or not is_plain_id(data.get("u")):
        raise InvalidInput.for_field("token", INVALID_LINK)
    return data


def verification_mail_queue(*, user: User, base_url: str) -> None:
    """Mail a verification link to the user's address (no-op once verified)."""
    if user.email_verified_at is not None:
        return
    token = signing.dumps({"u": user.pk, "e": user.email}, salt=VERIFY_SALT)
    link = base_url + reverse("verify-email", kwargs={"token": token})
    mail_queue(to=user.email, template="verify_email", context={"link": link, "email": user.email})


def verification_mail_resend(*, user: User, ip_address: str | None, base_url: str) -> None:
    """A new verification mail on request; throttled per account and per address."""
    throttle.hit("verification_mail", account=user.pk, ip=ip_address)
    verification_mail_queue(user=user, base_url=base_url)


def email_verify(*, token: str) -> User:
    data = _load(token, VERIFY_SALT)
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or user.email != data.get("e"):
        raise InvalidInput.for_field("token", INVALID_LINK)
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at", "updated_at"])
        logger.info("email verified", extra={"user_id": user.pk})
    return user


def email_change_request(*, user: User, new_email: str, password: str, ip_address: str | None, base_url: str) -> None:
    """Mail a confirmation link to the new address; nothing changes until it is opened."""
    user_check_password(user=user, password=password, ip_address=ip_address, field="password")
    new_email = normalize_email(new_email)
    try:
        validate_email(new_email)
    except ValidationError:
        raise InvalidInput.for_field("email", "Enter a valid email address.") from None
    if new_email == user.email:
        raise InvalidInput.for_field("email", "This is already your email address.")
    if User.objects.filter(email__iexact=new_email).exists():
        raise Conflict(EMAIL_TAKEN, details={"email": [EMAIL_TAKEN]})
    throttle.hit("verification_mail", account=user.pk, ip=ip_address)
    token = signing.dumps({"u": user.pk, "old": user.email, "new": new_email}, salt=CHANGE_SALT)
    link = base_url + reverse("email-change-confirm", kwargs={"token": token})
    mail_queue(to=new_email, template="email_change_confirm", context={"link": link, "email": new_email})
    logger.info("email change requested", extra={"user_id": user.pk, "ip": ip_address})


def email_change_confirm(*, token: str) -> User:
    """Apply a change of address from the link mailed to the new address; notify the old one."""
    data = _load(token, CHANGE_SALT)
    new_email = data.get("new")
    try:
        with transaction.atomic():
            user = User.objects.select_for_update().filter(pk=data.get("u"), is_active=True).first()
            if user is None or user.email != data.get("old") or not isinstance(new_email, str):
                raise InvalidInput.for_field("token", INVALID_LINK)
            old_email = user.email
            user.email, user.email_verified_at = new_email, timezone.now()
            user.save(update_fields=["email", "email_verified_at", "updated_at"])
            mail_queue(to=old_email, template="email_changed_notice", context={"new_email": new_email, "email": old_email})
    except IntegrityError:
        raise Conflict(EMAIL_TAKEN, details={"email": [EMAIL_TAKEN]}) from None
    logger.info("email changed", extra={"user_id": user.pk})
    return user
