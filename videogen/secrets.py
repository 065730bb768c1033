"""Development secrets: generated once into an ignored local file.

Only `make run` (LOCAL_SECRETS, on by default with DEBUG) comes here; any other start
with a missing secret refuses to start.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def secret_from_env(name: str, *, generate: bool, local_file: Path) -> str:
    value = os.environ.get(name, "").strip()
    if value:
        return value
    if not generate:
        raise ImproperlyConfigured(
            f"{name} is not set. Set it to a long random value (only `make run`, or "
            f"LOCAL_SECRETS=1, generates a local key)."
        )
    return _local_secret(name, local_file)


def _local_secret(name: str, local_file: Path) -> str:
    stored: dict[str, str] = {}
    if local_file.exists():
        stored = json.loads(local_file.read_text())
    if name not in stored:
        stored[name] = secrets.token_urlsafe(50)
        tmp = local_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(stored, indent=2))
        os.chmod(tmp, 0o600)
        tmp.replace(local_file)
    return stored[name]
