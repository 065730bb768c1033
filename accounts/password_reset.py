"""Password reset by email, on Django's own token generator.

The link carries the user's id (base64) and a token from
`default_token_generator`: it expires after PASSWORD_RESET_TIMEOUT (1 hour) and is
single-use, because the token hashes the password, which the reset changes. Setting
the new password ends every session and token issued before (accounts.sessions).
"""

from __future__ import annotations

import logging

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from accounts import throttle
from accounts.mail import mail_queue, render_mail
from accounts.models import User, normalize_email
from accounts.services import user_set_password, validate_new_password
from accounts.sessions import is_plain_id
from videogen.errors import InvalidInput

logger = logging.getLogger("videogen.auth")

INVALID_LINK = "This password reset link is invalid, expired or already used. Ask for a new one."


def reset_link(*, user: User, base_url: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return base_url + reverse("password-reset-confirm", kwargs={"uidb64": uid, "token": token})


def password_reset_request(*, email: str, ip_address: str | None, base_url: str) -> None:
    """Mail a reset link if an active account has this email. Same outcome either way.

    Throttled per email and per client address (raises TooManyRequests for known and
    unknown emails alike); the work done for an unknown email is the same rendering
    and the same write, so the answer and its timing say nothing about the account.
    """
    email = normalize_email(email)
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput.for_field("email", "Enter a valid email address.") from None
    throttle.hit("password_reset", account=email, ip=ip_address)
    user = User.objects.filter(email=email, is_active=True).first()
    if user is not None:
        mail_queue(to=user.email, template="password_reset",
                   context={"link": reset_link(user=user, base_url=base_url), "email": user.email})
    else:
        # The same token work and template rendering as for a real account (no row, no mail).
        render_mail(template="password_reset", context={"link": reset_link(user=User(email=email), base_url=base_url),
                                                        "email": email})
    logger.info("password reset requested", extra={"known": user is not None, "ip": ip_address})


def user_for_reset(*, uidb64: str, token: str) -> User | None:
    """The user a reset link is for, or None when the link is invalid, expired or used."""
    try:
        user_id = force_str(urlsafe_base64_decode(uidb64))
    except (ValueError, TypeError, UnicodeDecodeError):
        return None
    if not is_plain_id(user_id):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not isinstance(token, str) or not default_token_generator.check_token(user, token):
        return None
    return user


def password_reset_confirm(
    *, uidb64: str, token: str, password: str, ip_address: str | None, keep_request=None
) -> User:
    """Set a new password from a reset link; every earlier session and token ends."""
    with throttle.attempt("reset_link", account=str(uidb64)[:64], ip=ip_address) as guess:
        user = user_for_reset(uidb64=uidb64, token=token)
        if user is None:
            raise InvalidInput.for_field("token", INVALID_LINK)
        guess.succeeded()
    validate_new_password(password=password, user=user)
    with transaction.atomic():
        user_set_password(user=user, password=password, keep_request=keep_request, reason="password reset")
        if user.email_verified_at is None:  # the link reached the mailbox: it is theirs
            user.email_verified_at = timezone.now()
            user.save(update_fields=["email_verified_at"])
    throttle.clear("login", account=user.email)
    logger.info("password reset done", extra={"user_id": user.pk, "ip": ip_address})
    return user
