"""``Client``: the videogen API for Python scripts.

    client = Client("http://127.0.0.1:8000", api_key="vg_...")
    job, path = client.run("a red fox in snow", resolution="480p", out="fox.mp4")
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Union
from urllib.parse import urlsplit

import httpx

from videogen_client.errors import JobCancelled, JobFailed, VideogenError
from videogen_client.transport import Transport

Job = dict  # the API's job JSON
JobRef = Union[str, dict]
TERMINAL = {"completed", "failed", "cancelled"}
ENV_URL = "VIDEOGEN_URL"
ENV_API_KEY = "VIDEOGEN_API_KEY"
DEFAULT_URL = "http://127.0.0.1:8000"


def job_id(job: JobRef) -> str:
    return job if isinstance(job, str) else job["id"]


class Projects:
    """``client.projects``: list (paging handled), create, get."""

    def __init__(self, transport: Transport):
        self._t = transport

    def list(self, *, page_size: int = 100) -> Iterator[dict]:
        skip = 0
        while True:
            page = self._t.json("GET", "/api/v1/projects", params={"skip": skip, "take": page_size})
            yield from page["projects"]
            skip += len(page["projects"])
            if not page["projects"] or skip >= page["total"]:
                return

    def __iter__(self) -> Iterator[dict]:
        return self.list()

    def create(self, name: str, description: str = "") -> dict:
        return self._t.json("POST", "/api/v1/projects", json={"name": name, "description": description})

    def get(self, project_id: str) -> dict:
        return self._t.json("GET", f"/api/v1/projects/{project_id}")


class Client:
    def __init__(self, url: Optional[str] = None, api_key: Optional[str] = None, *, timeout: float = 30.0,
                 retries: int = 5, backoff: float = 0.5, sleep: Callable[[float], None] = time.sleep):
        url = url or os.environ.get(ENV_URL) or DEFAULT_URL
        api_key = api_key if api_key is not None else os.environ.get(ENV_API_KEY)
        self.url = url.rstrip("/")
        self._t = Transport(self.url, api_key, timeout=timeout, retries=retries, backoff=backoff, sleep=sleep)
        self.projects = Projects(self._t)
        self.sleep = sleep

    def close(self) -> None:
        self._t.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- account and catalog -----------------------------------------------------------------
    def me(self) -> dict:
        return self._t.json("GET", "/api/v1/auth/me")

    def models(self) -> list:
        return self._t.json("GET", "/api/v1/models")["models"]

    # --- jobs ------------------------------------------------------------------------------------
    def create_job(self, prompt: str, *, model: Optional[str] = None, resolution: Optional[str] = None,
                   quality: Optional[str] = None, duration: Optional[int] = None, project: Optional[str] = None,
                   seed: Optional[int] = None, metadata: Optional[dict] = None, max_retries: Optional[int] = None,
                   idempotency_key: Optional[str] = None) -> Job:
        """Submit a job. One Idempotency-Key per call, sent again on every retry, so a
        create repeated after a lost answer never makes a second job."""
        body: dict[str, Any] = {"prompt": prompt}
        for name, value in (("model", model), ("resolution", resolution), ("quality", quality),
                            ("duration", duration), ("projectId", project), ("seed", seed),
                            ("metadata", metadata), ("maxRetries", max_retries)):
            if value is not None:
                body[name] = value
        headers = {"Idempotency-Key": idempotency_key or f"videogen-client-{uuid.uuid4()}"}
        return self._t.json("POST", "/api/v1/jobs", json=body, headers=headers)

    def job(self, job: JobRef) -> Job:
        return self._t.json("GET", f"/api/v1/jobs/{job_id(job)}")

    def jobs_page(self, *, skip: int = 0, take: int = 50, status: Optional[str] = None,
                  project: Optional[str] = None) -> dict:
        params: dict[str, Any] = {"skip": skip, "take": take}
        if status:
            params["status"] = status
        if project:
            params["projectId"] = project
        return self._t.json("GET", "/api/v1/jobs", params=params)

    def jobs(self, *, status: Optional[str] = None, project: Optional[str] = None, limit: Optional[int] = None,
             page_size: int = 100) -> Iterator[Job]:
        """Every job (newest first), fetched page by page as the iteration goes."""
        skip, seen = 0, 0
        while True:
            page = self.jobs_page(skip=skip, take=page_size, status=status, project=project)
            for job in page["jobs"]:
                if limit is not None and seen >= limit:
                    return
                seen += 1
                yield job
            skip += len(page["jobs"])
            if not page["jobs"] or skip >= page["total"]:
                return

    def cancel(self, job: JobRef) -> Job:
        return self._t.json("POST", f"/api/v1/jobs/{job_id(job)}/cancel")

    def retry(self, job: JobRef) -> Job:
        return self._t.json("POST", f"/api/v1/jobs/{job_id(job)}/retry")

    def delete(self, job: JobRef) -> None:
        self._t.json("DELETE", f"/api/v1/jobs/{job_id(job)}")

    def wait(self, job: JobRef, *, on_progress: Optional[Callable[[Job], None]] = None,
             poll_interval: float = 1.0, timeout: Optional[float] = None) -> Job:
        """Poll until the job is completed, failed or cancelled; returns its last JSON.

        ``on_progress(job)`` is called after every poll (status, progress,
        queuePosition)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        current = self.job(job) if isinstance(job, str) else job
        interval = min(0.25, poll_interval)
        while True:
            if on_progress is not None:
                on_progress(current)
            if current["status"] in TERMINAL:
                return current
            if deadline is not None and time.monotonic() > deadline:
                raise VideogenError(f"job {current['id']} still {current['status']} after {timeout}s")
            self.sleep(interval)
            interval = min(poll_interval, interval * 2)
            current = self.job(current["id"])

    def download(self, job: JobRef, path: Union[str, os.PathLike], *,
                 on_progress: Optional[Callable[[int, Optional[int]], None]] = None) -> Path:
        """Save a completed job's MP4 to ``path`` (written beside it, then renamed)."""
        current = self.job(job)
        result = current.get("result") or {}
        url = result.get("downloadUrl") or result.get("videoUrl")
        if current["status"] != "completed" or not url:
            raise VideogenError(f"job {current['id']} has no video (status {current['status']})")
        target = Path(path)
        partial = target.with_name(target.name + ".part")
        same_server = urlsplit(url).netloc in ("", urlsplit(self.url).netloc)
        outside = None
        if same_server:
            response = self._t.send("GET", url, stream=True)
        else:  # object storage's presigned URL: our key must not travel there
            outside = httpx.Client(timeout=60.0, follow_redirects=True)
            response = outside.send(outside.build_request("GET", url), stream=True)
            if response.status_code >= 400:
                response.close()
                outside.close()
                raise VideogenError(f"downloading job {current['id']}'s video failed: HTTP {response.status_code}")
        try:
            total = int(response.headers["Content-Length"]) if "Content-Length" in response.headers else None
            done = 0
            with open(partial, "wb") as handle:
                for chunk in response.iter_bytes(64 * 1024):
                    handle.write(chunk)
                    done += len(chunk)
                    if on_progress is not None:
                        on_progress(done, total)
        finally:
            response.close()
            if outside is not None:
                outside.close()
        os.replace(partial, target)
        return target

    def run(self, prompt: str, *, out: Union[str, os.PathLike, None] = None,
            on_progress: Optional[Callable[[Job], None]] = None, poll_interval: float = 1.0,
            **params: Any) -> tuple:
        """Create, wait, download: returns (job, path). Raises JobFailed / JobCancelled."""
        job = self.wait(self.create_job(prompt, **params), on_progress=on_progress, poll_interval=poll_interval)
        if job["status"] == "cancelled":
            raise JobCancelled(job)
        if job["status"] == "failed":
            raise JobFailed(job)
        path = self.download(job, out or f"{job['id']}.mp4")
        return job, path

    # --- keys (need a password sign-in: keys cannot manage keys) ---------------------------------
    @staticmethod
    def create_key_with_password(url: str, email: str, password: str, *, name: str, scope: str = "write",
                                 two_factor_code: Callable[[], str] | None = None) -> dict:
        """Sign in with a password and create an API key; returns the create answer (``key`` in it).

        For an account with two-factor on, ``two_factor_code()`` is asked for the code (or a
        recovery code), sent with the login's second-step token.
        """
        plain = Transport(url, None, retries=2)
        try:
            tokens = plain.json("POST", "/api/v1/auth/login", json={"email": email, "password": password})
            if tokens.get("two_factor_required"):
                if two_factor_code is None:
                    raise VideogenError("this account has two-factor authentication on: a code is needed")
                tokens = plain.json("POST", "/api/v1/auth/login/2fa",
                                    json={"token": tokens["token"], "code": two_factor_code()})
            signed_in = Transport(url, tokens["access_token"], retries=2)
            try:
                return signed_in.json("POST", "/api/v1/keys", json={"name": name, "scope": scope})
            finally:
                signed_in.close()
        finally:
            plain.close()
