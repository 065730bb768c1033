"""Helpers for the client's tests (a module of its own: test modules import it by
name, which a conftest cannot safely be)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

CLIENT_DIR = Path(__file__).resolve().parents[1]
if str(CLIENT_DIR) not in sys.path:
    sys.path.insert(0, str(CLIENT_DIR))

PASSWORD = "a long script password 7"


@dataclass
class LiveApi:
    url: str
    key: str
    user: object
    workers: object


def cli_env(api: LiveApi | None, home: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("VIDEOGEN_")}
    env.update(PYTHONPATH=str(CLIENT_DIR), HOME=str(home), XDG_CONFIG_HOME=str(home / "config"),
               PYTHONUNBUFFERED="1")
    if api is not None:
        env.update(VIDEOGEN_URL=api.url, VIDEOGEN_API_KEY=api.key)
    env.update(extra)
    return env
