"""Benchmark: the web tier while slow clients hang on (issue: slow bodies starving gunicorn).

The web tier as `make web` and compose run it (nginx from docker/nginx/default.conf.template
in front of gunicorn with docker/gunicorn.conf.py, DEBUG off). 100 connections send their
headers with ``Content-Length: 1000`` and then one byte now and then; meanwhile
``GET /api/v1/health/live`` and an authenticated ``GET /api/v1/auth/me`` are timed,
sequentially on fresh connections. Prints p50 / p95 / max in ms, and the same figures
with no slow client for comparison. Target: every request under 1 s.

    .venv/bin/python -m benchmarks.slow_clients
"""

from __future__ import annotations

import json
import socket
import time

from benchmarks.harness import PASSWORD, Client, Stack, emit, expect, percentile

SLOW_CLIENTS = 100
SAMPLES = 40


def timed(port: int, path: str, token: str | None) -> float:
    client = Client(port, token=token, timeout=30)
    started = time.perf_counter()
    status, body = client.request("GET", path)
    elapsed = (time.perf_counter() - started) * 1000
    client.close()
    expect(status, body, 200, path)
    return elapsed


def measure(port: int, token: str, prefix: str, trickle=lambda: None) -> dict[str, float]:
    figures = {}
    for name, path, auth in (("health", "/api/v1/health/live", None), ("me", "/api/v1/auth/me", token)):
        samples = []
        for _ in range(SAMPLES):
            trickle()
            samples.append(timed(port, path, auth))
        figures.update({f"{prefix}_{name}_p50_ms": percentile(samples, 50),
                        f"{prefix}_{name}_p95_ms": percentile(samples, 95),
                        f"{prefix}_{name}_max_ms": max(samples)})
    return figures


def run() -> None:
    with Stack("slow_clients") as stack:
        stack.start()
        port = stack.start_web(tier=True)
        client = Client(port)
        credentials = {"email": "slow@example.com", "password": PASSWORD}
        expect(*client.request("POST", "/api/v1/auth/register", credentials), 201, "register")
        status, body = client.request("POST", "/api/v1/auth/login", credentials)
        expect(status, body, 200, "login")
        client.close()
        token = body["access_token"]
        figures = measure(port, token, "idle")
        slow = []
        for _ in range(SLOW_CLIENTS):
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            sock.sendall(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
            slow.append(sock)

        def trickle():
            for sock in slow:
                sock.sendall(b" ")

        figures.update(measure(port, token, "slow100", trickle))
        for sock in slow:
            sock.close()
        emit(figures)
        print(json.dumps({"slow_clients": SLOW_CLIENTS, "samples": SAMPLES}))


if __name__ == "__main__":
    run()
