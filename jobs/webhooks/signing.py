"""Standard Webhooks signing (standardwebhooks.com): whsec_ secrets and v1 signatures.

The signed content is ``{webhook-id}.{webhook-timestamp}.{body}``; the signature
header lists one ``v1,<base64 HMAC-SHA256>`` per secret in force, space-separated,
so that during a rotation's overlap a receiver holding either secret verifies it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.utils import timezone

PREFIX = "whsec_"
ROTATION_OVERLAP = timedelta(hours=24)


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(PREFIX))


def signature(secret: str, *, msg_id: str, timestamp: int, body: str) -> str:
    digest = hmac.new(_key(secret), f"{msg_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def secrets_in_force(owner, *, now: datetime | None = None) -> list[str]:
    """The current secret and, until its overlap ends, the one a rotation replaced.

    ``owner`` is anything with secret / previous_secret / previous_expires_at."""
    now = now or timezone.now()
    found = [owner.secret]
    if owner.previous_secret and owner.previous_expires_at and owner.previous_expires_at > now:
        found.append(owner.previous_secret)
    return found


def headers(*, secrets_: list[str], msg_id: str, body: str, now: datetime | None = None) -> dict[str, str]:
    timestamp = int((now or timezone.now()).timestamp())
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(s, msg_id=msg_id, timestamp=timestamp, body=body) for s in secrets_),
        "content-type": "application/json",
        "user-agent": "videogen-webhooks/1",
    }
