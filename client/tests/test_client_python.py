"""The Python client against a live server: run, paging, typed errors, and retries
through a real proxy that answers 503 before letting a create through."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from client_live import cli_env, live_api  # noqa: F401  (live_api: a fixture; puts the client on sys.path)
from jobs.models import Job, JobStatus
from videogen_client import AuthenticationFailed, BadRequest, Client, JobFailed, NotFound, PermissionDenied

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

SMALL = {"resolution": "480p", "quality": "low", "duration": 1}


def test_run_creates_waits_and_downloads_with_progress(live_api, tmp_path):
    seen: list[tuple[str, int]] = []
    with Client(live_api.url, live_api.key) as client:
        job, path = client.run("ocean waves on black rocks", out=tmp_path / "waves.mp4",
                               on_progress=lambda j: seen.append((j["status"], j["progress"])), poll_interval=0.2,
                               **SMALL)

    assert job["status"] == "completed" and path == tmp_path / "waves.mp4"
    assert path.read_bytes()[4:8] == b"ftyp" and path.stat().st_size == job["result"]["sizeBytes"]
    assert seen[-1] == ("completed", 100)
    assert [status for status, _ in seen] == sorted((s for s, _ in seen), key=["queued", "processing", "completed"].index)


def test_jobs_pages_through_everything(live_api, make_job_rows):
    make_job_rows(live_api.user, 7)
    with Client(live_api.url, live_api.key) as client:
        everything = list(client.jobs(page_size=3))
        first_five = list(client.jobs(page_size=2, limit=5))

    assert len(everything) == 7 and len({job["id"] for job in everything}) == 7
    assert [job["id"] for job in first_five] == [job["id"] for job in everything[:5]]


def test_errors_are_typed_and_carry_the_apis_message_and_details(live_api, make_user):
    from accounts.key_services import api_key_create

    with Client(live_api.url, live_api.key) as client:
        with pytest.raises(BadRequest) as bad:
            client.create_job("x", resolution="8k")
        assert "resolution" in bad.value.details and bad.value.status_code == 400
        with pytest.raises(NotFound):
            client.job("nosuchjob")
        theirs = Client(live_api.url, api_key_create(user=make_user("b@example.com"), name="b", scope="write").key)
        other_job = theirs.create_job("not yours", **SMALL)
        with pytest.raises(PermissionDenied):
            client.cancel(other_job)
        theirs.cancel(other_job)
    reader = Client(live_api.url, api_key_create(user=live_api.user, name="ro", scope="read").key)
    with pytest.raises(PermissionDenied, match="read-only"):
        reader.create_job("x")
    with pytest.raises(AuthenticationFailed, match="malformed"):
        Client(live_api.url, "vg_nope").models()


def test_a_failed_job_raises_job_failed_and_retry_queues_it_again(live_api, tmp_path):
    with Client(live_api.url, live_api.key) as client:
        with pytest.raises(JobFailed) as failed:
            client.run("doomed", model="test-failing", duration=1, resolution="480p", max_retries=0,
                       poll_interval=0.2, out=tmp_path / "never.mp4")
        assert failed.value.job["status"] == "failed"
        assert client.retry(failed.value.job)["status"] == "queued"
    assert not (tmp_path / "never.mp4").exists()


class FlakyProxy:
    """A real HTTP proxy in front of the live server. The first ``failures`` job creates
    fail: ``refused`` answers 503 without passing them on; ``answer-lost`` passes them on
    (the job is made) and answers 503; ``reset`` passes them on and drops the connection
    without an answer."""

    def __init__(self, upstream: str, *, failures: int, mode: str):
        self.upstream, self.failures, self.mode = upstream, failures, mode
        self.creates: list[str | None] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _forward(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                is_create = self.command == "POST" and self.path == "/api/v1/jobs"
                failing = False
                if is_create:
                    proxy.creates.append(self.headers.get("Idempotency-Key"))
                    failing = len(proxy.creates) <= proxy.failures
                if failing and proxy.mode == "refused":
                    return self._answer(503, {"Retry-After": "0", "Content-Type": "application/json"},
                                        b'{"error": "Service unavailable.", "details": {}}')
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                upstream = httpx.request(self.command, proxy.upstream + self.path, headers=headers, content=body)
                if failing and proxy.mode == "reset":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return None
                if failing:
                    return self._answer(503, {"Content-Type": "text/html"}, b"<h1>503 Bad Gateway</h1>")
                keep = {k: v for k, v in upstream.headers.items()
                        if k.lower() in ("content-type", "retry-after", "location")}
                self._answer(upstream.status_code, keep, upstream.content)

            def _answer(self, status, headers, content):
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_DELETE = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("mode", ["refused", "answer-lost", "reset"])
def test_503_twice_then_201_creates_exactly_one_job(live_api, mode):
    delays: list[float] = []
    with FlakyProxy(live_api.url, failures=2, mode=mode) as proxy:
        with Client(proxy.url, live_api.key, sleep=delays.append, backoff=0.01) as client:
            job = client.create_job("one job only", **SMALL)

    assert len(proxy.creates) == 3 and len(set(proxy.creates)) == 1 and proxy.creates[0]
    assert len(delays) == 2
    assert Job.objects.filter(user=live_api.user).count() == 1
    assert Job.objects.get(user=live_api.user).pk == job["id"]


def test_the_cli_retries_through_the_same_proxy(live_api, tmp_path):
    import subprocess
    import sys


    with FlakyProxy(live_api.url, failures=2, mode="answer-lost") as proxy:
        done = subprocess.run([sys.executable, "-m", "videogen_client", "run", "via the proxy", "--no-wait",
                               *[f"--{k}={v}" for k, v in SMALL.items()]],
                              env=cli_env(live_api, tmp_path, VIDEOGEN_URL=proxy.url), capture_output=True,
                              text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    assert Job.objects.filter(user=live_api.user).count() == 1
    assert len(proxy.creates) == 3


def test_429_is_retried_after_the_servers_retry_after(live_api, settings):
    from django.core.cache import cache

    settings.API_THROTTLE_RATE = "2/minute"
    cache.clear()
    delays: list[float] = []
    try:
        with Client(live_api.url, live_api.key, sleep=delays.append, retries=2) as client:
            client.me()
            client.me()
            with pytest.raises(Exception) as limited:
                client.me()
    finally:
        cache.clear()
    assert limited.value.status_code == 429
    assert len(delays) == 2 and all(delay >= 1 for delay in delays)


@pytest.fixture
def make_job_rows(db):
    def make(user, count: int) -> None:
        Job.objects.bulk_create([
            Job(user=user, prompt=f"row {n}", model="videogen-procedural-1", resolution="480p", quality="low",
                duration=1, queue="cpu", status=JobStatus.CANCELLED)
            for n in range(count)
        ])

    return make
