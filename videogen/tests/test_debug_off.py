"""DEBUG is off unless someone sets it: `make web` and `make run` as people start them
never show Django's debug page, and still serve the pages and their static files."""

from __future__ import annotations

import re

import pytest

from videogen.embedded_redis import free_port
from videogen.tests.served import MakeTarget, manage, production_env

pytestmark = pytest.mark.slow

DEBUG_PAGE_MARKERS = (b"DATABASE_URL", b"REDIS_URL", b"Traceback", b"URLconf", b"DEBUG = True", b"technical")


def assert_no_debug_page(body: bytes) -> None:
    found = [marker for marker in DEBUG_PAGE_MARKERS if marker in body]
    assert not found, f"debug page markers {found} in: {body[:400]!r}"


def assert_pages_and_static_work(server: MakeTarget) -> None:
    status, _, page = server.request("GET", "/login")
    assert status == 200
    stylesheets = re.findall(rb'href="(/static/[^"]+\.css)"', page)
    assert stylesheets, page[:600]
    for url in stylesheets:
        # collectstatic's hashed names, served by whitenoise with a long cache lifetime
        assert re.search(rb"\.[0-9a-f]{12}\.css$", url), url
        status, headers, _ = server.request("GET", url.decode())
        assert status == 200, url
        assert "max-age=315360000" in headers.get("cache-control", ""), headers


def assert_hostile_requests_get_no_debug_page(server: MakeTarget) -> None:
    status, _, body = server.request("GET", "/no-such-page")
    assert status == 404
    assert_no_debug_page(body)

    oversized = b"email=a%40b.c&password=" + b"x" * (300 * 1024)
    status, _, body = server.request(
        "POST", "/login", body=oversized, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert 400 <= status < 500
    assert_no_debug_page(body)


def test_make_web_without_debug_set_serves_no_debug_page(tmp_path):
    env = production_env(tmp_path, ALLOWED_HOSTS="127.0.0.1")
    manage(env, "migrate", "--noinput")
    server = MakeTarget("web", env, tmp_path / "web.log").wait_ready()
    try:
        assert_hostile_requests_get_no_debug_page(server)
        assert_pages_and_static_work(server)
    finally:
        server.stop()


def test_make_run_without_debug_set_serves_no_debug_page_and_works(tmp_path):
    # No secrets, no hosts: `make run` works from a fresh clone all the same.
    env = production_env(tmp_path)
    for name in ("SECRET_KEY", "JWT_SECRET_KEY"):
        env.pop(name)
    env.pop("REDIS_URL", None)
    env["EMBEDDED_REDIS_PORT"] = str(free_port())
    server = MakeTarget("run", env, tmp_path / "run.log", ready_text=b"is running at").wait_ready(timeout=120)
    try:
        assert_hostile_requests_get_no_debug_page(server)
        assert_pages_and_static_work(server)
        status, headers, _ = server.request("GET", "/login")
        assert "Secure" not in headers.get("set-cookie", "")  # plain HTTP: cookies a browser keeps
    finally:
        assert server.stop() in (0, -15, 2)
