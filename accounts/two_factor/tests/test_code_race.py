"""One code, sent by many clients at once, is accepted exactly once (the device row is locked)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from accounts.two_factor.tests.conftest import enable_two_factor, next_code
from conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

RACERS = 8


def post(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.parametrize("kind", ["totp", "recovery"])
def test_a_code_sent_in_parallel_logs_in_exactly_once(live_server, owner, kind, settings):
    # The one limiter reserves a slot per code check before checking it, so more
    # parallel checks than the limit would answer 429 (accounts/throttle.py, by design);
    # room for every racer here, so this tests only that the code is spent once.
    settings.LOGIN_FAILURE_LIMIT_PER_EMAIL = max(settings.LOGIN_FAILURE_LIMIT_PER_EMAIL, RACERS)
    settings.TWO_FACTOR_FAILURE_LIMIT_PER_ACCOUNT = max(settings.TWO_FACTOR_FAILURE_LIMIT_PER_ACCOUNT, RACERS)
    device, codes = enable_two_factor(owner)
    code = next_code(device) if kind == "totp" else codes[0]
    tokens = [
        post(f"{live_server.url}/api/v1/auth/login", {"email": owner.email, "password": PASSWORD})[1]["token"]
        for _ in range(RACERS)
    ]

    with ThreadPoolExecutor(RACERS) as pool:
        results = list(pool.map(lambda token: post(f"{live_server.url}/api/v1/auth/login/2fa", {"token": token, "code": code}), tokens))

    statuses = sorted(status for status, _ in results)
    assert statuses == [200] + [401] * (RACERS - 1), results
