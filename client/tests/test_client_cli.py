"""The `videogen` command against a live server and a real worker."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import av
import pytest

from client_live import PASSWORD, cli, cli_env, live_api  # noqa: F401  (cli, live_api: fixtures)
from jobs.models import Job, JobStatus
from jobs.tests.live_workers import wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

SMALL = ["--resolution", "480p", "--quality", "low", "--duration", "1"]


def test_run_takes_a_prompt_to_an_mp4_on_disk(cli, tmp_path, live_api):
    done = cli("run", "a paper boat drifting down a stream", *SMALL, "--out", "boat.mp4")

    assert done.returncode == 0, done.stderr
    path = tmp_path / "boat.mp4"
    assert done.stdout.strip() == "boat.mp4"
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.name, stream.width, stream.height) == ("h264", 854, 480)
        assert sum(1 for _ in container.decode(stream)) >= 20
    job = Job.objects.get(user=live_api.user)
    assert job.status == JobStatus.COMPLETED and job.prompt == "a paper boat drifting down a stream"
    # No terminal: status lines, no progress bars.
    assert f"{job.id}: completed" in done.stderr
    assert "\r" not in done.stderr and "%|" not in done.stderr


def test_run_json_and_the_read_commands_print_the_apis_json(cli, live_api):
    project = json.loads(cli("projects", "create", "Trailer", "--json").stdout)
    ran = cli("run", "neon streets in the rain", *SMALL, "--project", project["id"], "--json", "--out", "rain.mp4")
    assert ran.returncode == 0, ran.stderr
    finished = json.loads(ran.stdout)
    assert finished["status"] == "completed" and finished["file"] == "rain.mp4"
    assert finished["projectId"] == project["id"]

    listed = json.loads(cli("jobs", "list", "--json", "--project", project["id"]).stdout)
    assert [job["id"] for job in listed["jobs"]] == [finished["id"]] and listed["total"] == 1
    assert json.loads(cli("jobs", "list", "--json", "--status", "failed").stdout)["jobs"] == []
    shown = json.loads(cli("jobs", "show", finished["id"], "--json").stdout)
    assert shown["result"]["width"] == 854
    models = json.loads(cli("models", "--json").stdout)["models"]
    assert "videogen-procedural-1" in {model["id"] for model in models}
    projects = json.loads(cli("projects", "list", "--json").stdout)["projects"]
    assert [p["name"] for p in projects] == ["Trailer"]

    human = cli("jobs", "list")
    assert human.returncode == 0 and finished["id"] in human.stdout and "completed" in human.stdout
    again = cli("download", finished["id"], "--out", "again.mp4")
    assert again.returncode == 0 and Path(again.stdout.strip()).name == "again.mp4"


def test_no_wait_prints_the_job_id_and_returns(cli, live_api):
    done = cli("run", "a lighthouse beam", *SMALL, "--no-wait")

    assert done.returncode == 0
    assert Job.objects.filter(pk=done.stdout.strip(), user=live_api.user).exists()


def test_a_failed_job_exits_1_with_its_error(cli, live_api):
    done = cli("run", "doomed", "--model", "test-failing", "--duration", "1", "--resolution", "480p")

    assert done.returncode == 1, done.stderr
    assert "failed" in done.stderr.splitlines()[-1]
    assert Job.objects.get(user=live_api.user).status == JobStatus.FAILED


@pytest.mark.parametrize(("args", "env", "says"), [
    (["models"], {"VIDEOGEN_API_KEY": "vg_not_a_key"}, "malformed"),
    (["jobs", "list"], {"VIDEOGEN_API_KEY": ""}, "not logged in"),
    (["run", "x", "--duration", "999"], {}, "duration"),
    (["run"], {}, "prompt"),
    (["jobs", "frobnicate"], {}, "invalid choice"),
    (["jobs", "show", "nosuchjob"], {}, "not found"),
])
def test_usage_and_auth_errors_exit_2_with_a_one_line_message(cli, args, env, says):
    done = cli(*args, **env)

    assert done.returncode == 2, (done.stdout, done.stderr)
    assert says in done.stderr.lower()
    assert "Traceback" not in done.stderr
    if args[0] != "run" or len(args) > 1:
        assert len([line for line in done.stderr.splitlines() if line.startswith("videogen")]) == 1


def test_a_revoked_key_exits_2(cli, live_api):
    from django.utils import timezone

    from accounts.models import ApiKey

    ApiKey.objects.filter(user=live_api.user).update(revoked_at=timezone.now())
    done = cli("jobs", "list")

    assert done.returncode == 2 and "revoked" in done.stderr


def _read_into(stream, chunks: list[str]) -> None:
    while True:
        data = os.read(stream.fileno(), 4096)
        if not data:
            return
        chunks.append(data.decode(errors="replace"))


@pytest.mark.parametrize(("answer", "status", "code"), [("y\n", JobStatus.CANCELLED, 1), ("n\n", None, 130)])
def test_ctrl_c_while_waiting_asks_whether_to_cancel_on_the_server(live_api, tmp_path, answer, status, code):
    process = subprocess.Popen(
        [sys.executable, "-m", "videogen_client", "run", "slow to render", "--model", "test-slow", "--duration", "30",
         "--resolution", "480p"],
        cwd=tmp_path, env=cli_env(live_api, tmp_path), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, start_new_session=True,
    )
    chunks: list[str] = []
    reader = threading.Thread(target=_read_into, args=(process.stderr, chunks), daemon=True)
    reader.start()
    try:
        wait_until(lambda: ": rendering" in "".join(chunks), timeout=60, message=lambda: "".join(chunks))
        process.send_signal(signal.SIGINT)
        wait_until(lambda: "on the server? [y/N]" in "".join(chunks), timeout=30, message=lambda: "".join(chunks))
        process.stdin.write(answer.encode())
        process.stdin.close()
        assert process.wait(timeout=30) == code, "".join(chunks)
    finally:
        if process.poll() is None:
            process.kill()
    job = Job.objects.get(user=live_api.user)
    if status is None:
        assert job.status in (JobStatus.PROCESSING, JobStatus.QUEUED)
        assert f"videogen download {job.id}" in "".join(chunks)
    else:
        assert job.status == status


def test_login_with_a_key_saves_it_for_later_commands_mode_0600(live_api, tmp_path):
    env = cli_env(None, tmp_path)
    login = subprocess.run([sys.executable, "-m", "videogen_client", "login", "--url", live_api.url,
                            "--api-key", live_api.key], env=env, capture_output=True, text=True, timeout=60)
    assert login.returncode == 0, login.stderr

    saved = tmp_path / "config" / "videogen" / "config.json"
    assert saved.stat().st_mode & 0o777 == 0o600
    assert json.loads(saved.read_text()) == {"url": live_api.url, "api_key": live_api.key}
    models = subprocess.run([sys.executable, "-m", "videogen_client", "models"], env=env, capture_output=True,
                            text=True, timeout=60)
    assert models.returncode == 0 and "videogen-procedural-1" in models.stdout


def test_login_with_a_password_creates_a_key_named_after_the_machine(live_api, tmp_path):
    from accounts.models import ApiKey

    env = cli_env(None, tmp_path)
    login = subprocess.run([sys.executable, "-m", "videogen_client", "login"], env=env, capture_output=True, text=True,
                           timeout=60, input=f"{live_api.url}\nscript@example.com\n{PASSWORD}\n",
                           start_new_session=True)  # no terminal: the password is read from stdin

    assert login.returncode == 0, login.stderr
    key = ApiKey.objects.exclude(name="tests").get(user=live_api.user)
    assert key.name.startswith("videogen CLI on ") and key.scope == "write"
    saved = json.loads((tmp_path / "config" / "videogen" / "config.json").read_text())
    assert saved["api_key"].startswith(key.display_prefix + "_")
    assert PASSWORD not in (tmp_path / "config" / "videogen" / "config.json").read_text()


def test_login_with_a_wrong_password_exits_2(live_api, tmp_path):
    login = subprocess.run([sys.executable, "-m", "videogen_client", "login", "--url", live_api.url],
                           env=cli_env(None, tmp_path), capture_output=True, text=True, timeout=60,
                           input="script@example.com\nwrong password\n", start_new_session=True)

    assert login.returncode == 2
    assert "Invalid email or password" in login.stderr
    assert not (tmp_path / "config" / "videogen" / "config.json").exists()


def test_on_a_terminal_run_draws_render_and_download_bars(live_api, tmp_path):
    import fcntl
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a 100-column terminal
    process = subprocess.Popen(
        [sys.executable, "-m", "videogen_client", "run", "bars on a terminal", *SMALL, "--out", "bars.mp4"],
        cwd=tmp_path, env=cli_env(live_api, tmp_path), stdout=subprocess.PIPE, stderr=follower,
        stdin=subprocess.DEVNULL,
    )
    os.close(follower)
    chunks: list[bytes] = []
    reader = threading.Thread(target=_read_pty, args=(leader, chunks), daemon=True)
    reader.start()
    assert process.wait(timeout=120) == 0
    reader.join(timeout=10)
    os.close(leader)
    drawn = b"".join(chunks).decode(errors="replace")

    assert "%|" in drawn and "\r" in drawn  # bars redrawn in place
    assert "rendering" in drawn or "completed" in drawn
    assert "downloading" in drawn
    assert (tmp_path / "bars.mp4").stat().st_size > 1000


def _read_pty(fd: int, chunks: list[bytes]) -> None:
    while True:
        try:
            data = os.read(fd, 4096)
        except OSError:  # the other side closed
            return
        if not data:
            return
        chunks.append(data)


def test_login_with_a_password_asks_for_the_two_factor_code_when_it_is_on(live_api, tmp_path):
    from accounts.models import ApiKey
    from accounts.two_factor.tests.conftest import enable_two_factor, next_code

    device, _ = enable_two_factor(live_api.user)
    env = cli_env(None, tmp_path)
    login = subprocess.run([sys.executable, "-m", "videogen_client", "login", "--url", live_api.url],
                           env=env, capture_output=True, text=True, timeout=60, start_new_session=True,
                           input=f"script@example.com\n{PASSWORD}\n{next_code(device)}\n")

    assert login.returncode == 0, login.stderr
    assert "Two-factor code" in login.stderr
    assert ApiKey.objects.exclude(name="tests").filter(user=live_api.user).count() == 1


def test_login_with_a_wrong_two_factor_code_exits_2_and_saves_nothing(live_api, tmp_path):
    from accounts.two_factor.tests.conftest import enable_two_factor, wrong_code

    device, _ = enable_two_factor(live_api.user)
    login = subprocess.run([sys.executable, "-m", "videogen_client", "login", "--url", live_api.url],
                           env=cli_env(None, tmp_path), capture_output=True, text=True, timeout=60,
                           input=f"script@example.com\n{PASSWORD}\n{wrong_code(device)}\n", start_new_session=True)

    assert login.returncode == 2
    assert "Invalid two-factor code" in login.stderr
    assert not (tmp_path / "config" / "videogen" / "config.json").exists()
