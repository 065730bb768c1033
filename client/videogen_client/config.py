"""Where `videogen login` keeps the server URL and the key: one JSON file, mode 0600,
in the user's config directory ($XDG_CONFIG_HOME/videogen, ~/.config/videogen,
%APPDATA%\\videogen on Windows)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Optional


def config_dir() -> Path:
    if sys.platform == "win32" and os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"]) / "videogen"
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "videogen"


def config_path() -> Path:
    return config_dir() / "config.json"


def load() -> dict:
    try:
        data = json.loads(config_path().read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save(*, url: str, api_key: str) -> Path:
    """Write the file readable by its owner only (created 0600, never world-readable in between)."""
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump({"url": url, "api_key": api_key}, handle)
    os.chmod(path, 0o600)
    return path


def resolve(url: Optional[str], api_key: Optional[str]) -> tuple:
    """Flags beat the environment, which beats the saved login."""
    saved = load()
    return (url or os.environ.get("VIDEOGEN_URL") or saved.get("url"),
            api_key or os.environ.get("VIDEOGEN_API_KEY") or saved.get("api_key"))
