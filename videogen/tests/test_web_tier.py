"""The web tier as `make web` starts it (nginx from docker/nginx/default.conf.template in
front of gunicorn with docker/gunicorn.conf.py, as compose deploys them): slow clients
cannot starve it, and request bodies are read whole or refused, never dropped."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest

from jobs.tests.live_workers import wait_until
from videogen.embedded_redis import free_port, port_is_open
from videogen.tests.served import ROOT, MakeTarget, manage, production_env

pytestmark = pytest.mark.slow

SLOW_CLIENTS = 100
# Wide bound (a loaded test machine) for one request while the slow clients hang on (the target is 1 s;
# benchmarks/slow_clients.py prints the figures). Without a buffering front, these
# requests wait for gunicorn's 60 s timeout.
ANSWER_WITHIN_S = 15
CREDENTIALS = {"email": "tier@example.com", "password": "web tier password 42"}


def chunked(body: bytes) -> bytes:
    return b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)


def raw_request(port: int, request: bytes, timeout: float = 30) -> tuple[int, bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        response = b""
        while chunk := sock.recv(65536):
            response += chunk
    head, _, body = response.partition(b"\r\n\r\n")
    if b"transfer-encoding: chunked" in head.lower():
        body = dechunked(body)
    return int(head.split()[1]), body


def dechunked(data: bytes) -> bytes:
    body = b""
    while True:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            return body
        body, data = body + data[:size], data[size + 2:]


def chunked_register(port: int, email: str) -> tuple[int, bytes]:
    body = json.dumps({"email": email, "password": CREDENTIALS["password"]}).encode()
    return raw_request(port, (
        b"POST /api/v1/auth/register HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunked(body)
    ))


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("web-tier")
    env = production_env(tmp, ALLOWED_HOSTS="127.0.0.1")
    manage(env, "migrate", "--noinput")
    server = MakeTarget("web", env, tmp / "web.log").wait_ready()
    server.env = env
    yield server
    server.stop()


@pytest.fixture(scope="module")
def access_token(web) -> str:
    body = json.dumps(CREDENTIALS).encode()
    headers = {"Content-Type": "application/json"}
    assert web.request("POST", "/api/v1/auth/register", body, headers)[0] == 201
    status, _, answer = web.request("POST", "/api/v1/auth/login", body, headers)
    assert status == 200
    return json.loads(answer)["access_token"]


def open_slow_clients(port: int, count: int) -> list[socket.socket]:
    """Connections that sent their headers, Content-Length: 1000, and a trickle of body."""
    clients = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock.sendall(
            b"POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000\r\n\r\n{\"email\": "
        )
        clients.append(sock)
    return clients


def test_health_and_an_authenticated_get_answer_while_100_slow_clients_trickle_bodies(web, access_token):
    clients = open_slow_clients(web.port, SLOW_CLIENTS)
    try:
        for round_ in range(3):
            for sock in clients:
                sock.sendall(b" ")  # still sending, one byte at a time
            status, _, _ = web.request("GET", "/api/v1/health/live", timeout=ANSWER_WITHIN_S)
            assert status == 200, round_
            status, _, body = web.request(
                "GET", "/api/v1/auth/me", headers={"Authorization": f"Bearer {access_token}"},
                timeout=ANSWER_WITHIN_S,
            )
            assert status == 200, body
            assert json.loads(body)["email"] == CREDENTIALS["email"]
    finally:
        for sock in clients:
            sock.close()


def test_a_chunked_json_body_is_read_whole_through_the_web_tier(web):
    status, body = chunked_register(web.port, "chunked@example.com")

    assert status == 201, body
    assert json.loads(body)["email"] == "chunked@example.com"


def test_gunicorn_alone_answers_a_chunked_body_411_with_the_error_envelope(web, tmp_path):
    port = free_port()
    log = open(tmp_path / "gunicorn.log", "wb")
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "docker/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
         "--workers", "1"],
        cwd=ROOT, env=web.env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        wait_until(lambda: port_is_open(port), timeout=60, message="gunicorn to listen")
        status, body = chunked_register(port, "dropped@example.com")
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=40)
        log.close()

    assert status == 411
    assert json.loads(body) == {
        "error": "Send the request body with a Content-Length header "
                 "(chunked transfer encoding is not accepted here).",
        "details": {},
    }
