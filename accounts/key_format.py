"""The shape of a personal API key: ``vg_<id>_<secret><checksum>``.

- ``id``: 8 base62 characters, public (shown in lists), finds the row.
- ``secret``: 32 base62 characters from the OS's CSPRNG (~190 bits).
- ``checksum``: 6 base62 characters of the CRC32 of everything before it, so a secret
  scanner, and our own authentication, can tell a real key from a typo or a random
  string without a database lookup.

A key is high-entropy, not a password: one SHA-256 of the whole key is enough to store
(no bcrypt per request); guessing one is out of reach however fast the hash.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import zlib
from dataclasses import dataclass

PREFIX = "vg_"
ID_LENGTH = 8
SECRET_LENGTH = 32
CHECKSUM_LENGTH = 6
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
KEY_PATTERN = re.compile(
    rf"^{PREFIX}([0-9A-Za-z]{{{ID_LENGTH}}})_([0-9A-Za-z]{{{SECRET_LENGTH}}})([0-9A-Za-z]{{{CHECKSUM_LENGTH}}})$"
)
KEY_LENGTH = len(PREFIX) + ID_LENGTH + 1 + SECRET_LENGTH + CHECKSUM_LENGTH


@dataclass(frozen=True)
class ParsedKey:
    key_id: str
    full: str

    @property
    def hash(self) -> str:
        return hash_key(self.full)


def _random_base62(length: int) -> str:
    return "".join(secrets.choice(BASE62) for _ in range(length))


def _checksum(body: str) -> str:
    value = zlib.crc32(body.encode("ascii"))
    chars = []
    for _ in range(CHECKSUM_LENGTH):
        value, digit = divmod(value, 62)
        chars.append(BASE62[digit])
    return "".join(reversed(chars))


def new_key_id() -> str:
    return _random_base62(ID_LENGTH)


def new_key(key_id: str) -> str:
    body = f"{PREFIX}{key_id}_{_random_base62(SECRET_LENGTH)}"
    return body + _checksum(body)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("ascii")).hexdigest()


def looks_like_key(token: str) -> bool:
    """Whether a bearer token is meant as one of our keys (it may still be malformed)."""
    return token.startswith(PREFIX)


def parse_key(token: str) -> ParsedKey | None:
    """The key's id when the token is well formed and its checksum holds, else None."""
    if len(token) != KEY_LENGTH:
        return None
    match = KEY_PATTERN.match(token)
    if match is None:
        return None
    key_id, _secret, checksum = match.groups()
    if not hmac.compare_digest(_checksum(token[: -CHECKSUM_LENGTH]), checksum):
        return None
    return ParsedKey(key_id=key_id, full=token)


def hashes_match(stored: str, key: ParsedKey) -> bool:
    return hmac.compare_digest(stored, key.hash)
