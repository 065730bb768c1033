"""A live videogen for the client's tests: Django's live server (in this process, on
the test database) and a real worker process, a user with a write key, and a way to
run the `videogen` command as a subprocess against them."""

from __future__ import annotations

import subprocess
import sys

import pytest

from client_live import PASSWORD, LiveApi, cli_env


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
