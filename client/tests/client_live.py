"""A live videogen for the client's tests: Django's live server (in this process, on
the test database) and a real worker process, a user with a write key, and a way to
run the `videogen` command as a subprocess against them.

A plain module, not a conftest: the test modules import these fixtures by name (a
second top-level `conftest` module would shadow the repository's own).
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

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


@pytest.fixture
def live_api(live_server, live_workers, make_user, clean_redis) -> LiveApi:
    from accounts.key_services import api_key_create

    user = make_user("script@example.com", password=PASSWORD)
    key = api_key_create(user=user, name="tests", scope="write").key
    live_workers.start()
    return LiveApi(url=live_server.url, key=key, user=user, workers=live_workers)


@pytest.fixture
def cli(live_api, tmp_path):
    """Run `python -m videogen_client ARGS` (what the console script runs); returns the CompletedProcess."""

    def run(*args: str, timeout: float = 120, input: str | None = None, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "videogen_client", *args], cwd=tmp_path, env=cli_env(live_api, tmp_path, **env),
            capture_output=True, text=True, timeout=timeout, input=input, start_new_session=True,
        )

    return run
