"""Two-factor through the real web server as `make web` starts it (gunicorn, two processes),
with production defaults: DEBUG off, nothing shortened."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django_otp.oath import TOTP

from jobs.tests.live_workers import wait_until
from videogen.embedded_redis import free_port

ROOT = Path(__file__).resolve().parents[3]
GUNICORN = Path(sys.executable).parent / "gunicorn"
PASSWORD = "a long production password 91"

pytestmark = pytest.mark.slow

ENABLE = """
import json
from accounts.models import User
from accounts.two_factor.tests.conftest import enable_two_factor
user = User.objects.create_user(email="prod@example.com", password=%r)
device, codes = enable_two_factor(user)
print(json.dumps({"key": device.key, "codes": codes}))
""" % PASSWORD


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def call(base: str, method: str, path: str, body: dict | None = None, token: str | None = None):
    """(status, headers, parsed JSON or None) without following redirects."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, headers=headers, method=method)
    opener = urllib.request.build_opener(NoRedirects)
    try:
        with opener.open(request, timeout=15) as response:
            status, head, raw = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, head, raw = error.code, error.headers, error.read()
    is_json = head.get("Content-Type", "").startswith("application/json")
    return status, head, json.loads(raw) if is_json else None


@pytest.fixture(scope="module")
def production_server(tmp_path_factory):
    """gunicorn with the image's config on a fresh database; an account with two-factor on.

    One server for the module (start-up is the slow part); the tests spend different codes.
    """
    tmp_path = tmp_path_factory.mktemp("production")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL", "DEBUG", "VIDEOGEN_"))}
    env.update(
        DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50), JWT_SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1", DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"), STATIC_ROOT=str(tmp_path / "static"), WEB_CONCURRENCY="2",
    )
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    enabled = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", ENABLE], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    account = json.loads(enabled.stdout.strip().splitlines()[-1])
    port = free_port()
    log = open(tmp_path / "web.log", "wb")
    server = subprocess.Popen(
        [str(GUNICORN), "-c", "docker/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"

    def live() -> bool:
        try:
            return call(base, "GET", "/api/v1/health/live")[0] == 200
        except OSError:
            return False

    try:
        wait_until(live, timeout=60, interval=0.2, message=lambda: (tmp_path / "web.log").read_text()[-2000:])
        yield base, account
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def test_the_api_login_needs_a_code_on_the_production_server(production_server):
    base, account = production_server
    app = TOTP(bytes.fromhex(account["key"]))
    app.time = app.time + app.step  # the confirmation spent this step's code

    status, _, first = call(base, "POST", "/api/v1/auth/login", {"email": "prod@example.com", "password": PASSWORD})
    assert status == 200 and first["two_factor_required"] is True and "access_token" not in first
    assert call(base, "GET", "/api/v1/auth/me", token=first["token"])[0] == 401

    status, _, wrong = call(base, "POST", "/api/v1/auth/login/2fa", {"token": first["token"], "code": "12345"})
    assert status == 401 and wrong == {"error": "Invalid two-factor code.", "details": {"code": ["Invalid two-factor code."]}}

    code = f"{app.token():06d}"
    status, _, pair = call(base, "POST", "/api/v1/auth/login/2fa", {"token": first["token"], "code": code})
    assert status == 200 and set(pair) == {"access_token", "refresh_token", "token_type"}
    status, _, me = call(base, "GET", "/api/v1/auth/me", token=pair["access_token"])
    assert status == 200 and me["email"] == "prod@example.com"

    _, _, again = call(base, "POST", "/api/v1/auth/login", {"email": "prod@example.com", "password": PASSWORD})
    status, _, reused = call(base, "POST", "/api/v1/auth/login/2fa", {"token": again["token"], "code": code})
    assert status == 401 and reused["error"] == "Invalid two-factor code."
    status, _, recovered = call(base, "POST", "/api/v1/auth/login/2fa", {"token": again["token"], "code": account["codes"][0]})
    assert status == 200 and "access_token" in recovered


def test_wrong_codes_are_throttled_across_server_processes(production_server):
    base, account = production_server
    _, _, first = call(base, "POST", "/api/v1/auth/login", {"email": "prod@example.com", "password": PASSWORD})
    statuses = [
        call(base, "POST", "/api/v1/auth/login/2fa", {"token": first["token"], "code": "99999999"})[0] for _ in range(5)
    ]

    status, headers, body = call(base, "POST", "/api/v1/auth/login/2fa", {"token": first["token"], "code": account["codes"][1]})

    assert statuses == [401] * 5
    assert status == 429 and int(headers["Retry-After"]) > 0 and body["error"].startswith("Too many")
    assert call(base, "GET", "/admin/login/")[0] == 302  # the admin signs in through the throttled page
