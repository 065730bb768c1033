"""`make run` with its defaults: the sign-up mail lands as a file in the folder it prints."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import urllib.request

import pytest

from jobs.tests.live_workers import ROOT, wait_until
from videogen.embedded_redis import free_port
from videogen.tests.test_runplatform import descendants

pytestmark = pytest.mark.slow


def whole_mail(folder) -> str | None:
    """The text of a mail file once written through: Django's file backend creates the
    file, then writes the message and a closing line of dashes."""
    for path in folder.glob("*.log"):
        text = path.read_text()
        if text.rstrip().endswith("-" * 79):
            return text
    return None


def test_make_run_prints_the_mail_folder_and_the_worker_writes_the_verification_mail_there(tmp_path):
    web_port, redis_port, mail_dir = free_port(), free_port(), tmp_path / "mail"
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL", "EMAIL_HOST")}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'run.sqlite3'}", EMBEDDED_REDIS_PORT=str(redis_port),
        MEDIA_ROOT=str(tmp_path / "media"), EMAIL_FILE_PATH=str(mail_dir), PYTHONUNBUFFERED="1",
    )
    log_path = tmp_path / "run.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runplatform", "--host", "127.0.0.1", "--port", str(web_port)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        wait_until(lambda: b"is running at" in log_path.read_bytes(), timeout=90, message="the platform to start")
        assert f"mail is written as files into {mail_dir}".encode() in log_path.read_bytes()

        body = json.dumps({"email": "run@example.com", "password": "securePassword123"}).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{web_port}/api/v1/auth/register", data=body,
                                         headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 201

        text = wait_until(lambda: whole_mail(mail_dir), timeout=60, message="a whole mail file")
        assert "To: run@example.com" in text
        assert re.search(rf"http://127\.0\.0\.1:{web_port}/verify-email/\S+", text)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                for pid in descendants(process.pid):
                    os.kill(pid, signal.SIGKILL)
                process.kill()
