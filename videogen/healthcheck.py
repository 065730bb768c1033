"""Container health probes: ``python -m videogen.healthcheck web|worker``.

Docker runs these inside the container (the Dockerfile's HEALTHCHECK and the compose
healthchecks); exit 0 means healthy, 1 unhealthy, with one line saying why.

- ``web``: GET /api/v1/health/live on this container's gunicorn, with a Host header
  that ALLOWED_HOSTS accepts. Only the web process itself is judged: the platform-wide
  /api/v1/health answers 503 while no worker is up, which must not mark the web
  server unhealthy.
- ``worker``: an RQ worker started on this host (the container's hostname) is
  registered in Redis. RQ lets a worker's key expire when it stops heartbeating, so
  a hung, dead or disconnected worker fails the probe.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import urllib.error
import urllib.request

LIVE_PATH = "/api/v1/health/live"


def probe_host(allowed_hosts: list[str]) -> str:
    """A Host header value that Django's ALLOWED_HOSTS check lets through."""
    for entry in allowed_hosts:
        if entry == "*":
            return "localhost"
        if entry:
            return entry.lstrip(".")
    return "localhost"


def probe_web(*, base_url: str, host: str, timeout: float = 4.0) -> tuple[bool, str]:
    request = urllib.request.Request(f"{base_url.rstrip('/')}{LIVE_PATH}", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status == 200, f"{LIVE_PATH} answered {response.status}"
    except urllib.error.HTTPError as exc:
        return False, f"{LIVE_PATH} answered {exc.code}"
    except OSError as exc:
        return False, f"{LIVE_PATH} unreachable: {exc}"


def probe_worker(*, hostname: str) -> tuple[bool, str]:
    from rq import Worker

    from jobs import queueing

    try:
        workers = Worker.all(connection=queueing.connection())
    except Exception as exc:  # redis errors of any kind: the worker cannot work either
        return False, f"redis unreachable: {type(exc).__name__}: {exc}"
    mine = [worker.name for worker in workers if worker.hostname == hostname]
    if not mine:
        return False, f"no RQ worker registered from host {hostname}"
    return True, f"worker(s) registered: {', '.join(sorted(mine))}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m videogen.healthcheck", description=__doc__.splitlines()[0])
    parser.add_argument("role", choices=("web", "worker"))
    parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="web: where gunicorn listens")
    parser.add_argument("--hostname", default=socket.gethostname(), help="worker: the host its RQ worker runs on")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "videogen.settings")
    from django.conf import settings

    if args.role == "web":
        healthy, reason = probe_web(base_url=args.base_url, host=probe_host(list(settings.ALLOWED_HOSTS)))
    else:
        healthy, reason = probe_worker(hostname=args.hostname)
    print(("healthy: " if healthy else "unhealthy: ") + reason)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
