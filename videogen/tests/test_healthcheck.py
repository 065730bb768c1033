"""The container probes behind the Dockerfile and compose healthchecks."""

from __future__ import annotations

import uuid

import pytest

from videogen import healthcheck


@pytest.mark.parametrize(
    ("allowed", "host"),
    [
        (["videogen.example.com", "localhost"], "videogen.example.com"),
        ([".example.com"], "example.com"),
        (["*"], "localhost"),
        ([], "localhost"),
    ],
)
def test_the_web_probe_sends_a_host_that_allowed_hosts_accepts(allowed, host):
    assert healthcheck.probe_host(allowed) == host


def test_the_web_probe_is_healthy_when_the_server_answers_live(live_server, settings):
    host = healthcheck.probe_host(settings.ALLOWED_HOSTS)

    healthy, reason = healthcheck.probe_web(base_url=live_server.url, host=host)

    assert healthy, reason


def test_the_web_probe_is_unhealthy_when_the_host_is_refused(live_server):
    healthy, reason = healthcheck.probe_web(base_url=live_server.url, host="not-allowed.example")
    assert not healthy
    assert "400" in reason


def test_the_web_probe_is_unhealthy_when_nothing_listens():
    healthy, reason = healthcheck.probe_web(base_url="http://127.0.0.1:1", host="localhost", timeout=2)
    assert not healthy
    assert "unreachable" in reason


def test_the_worker_probe_finds_the_worker_registered_from_its_host(register_worker):
    host = f"container-{uuid.uuid4().hex[:8]}"
    worker = register_worker("cpu", "default", hostname=host)

    healthy, reason = healthcheck.probe_worker(hostname=host)

    assert healthy, reason
    assert worker.name in reason


def test_the_worker_probe_fails_once_the_worker_is_gone(register_worker):
    host = f"container-{uuid.uuid4().hex[:8]}"
    register_worker("cpu", hostname=host).register_death()

    healthy, reason = healthcheck.probe_worker(hostname=host)

    assert not healthy
    assert host in reason


def test_the_worker_probe_ignores_workers_on_other_hosts(register_worker):
    register_worker("cpu", hostname="some-other-container")

    healthy, _ = healthcheck.probe_worker(hostname=f"container-{uuid.uuid4().hex[:8]}")

    assert not healthy


def test_the_worker_probe_fails_when_redis_is_unreachable(settings, monkeypatch):
    from jobs import queueing

    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    monkeypatch.setattr(queueing, "_clients", {})

    healthy, reason = healthcheck.probe_worker(hostname="anything")

    assert not healthy
    assert "redis unreachable" in reason


def test_the_command_exits_1_with_a_reason_when_unhealthy(register_worker, capsys):
    assert healthcheck.main(["worker", "--hostname", f"container-{uuid.uuid4().hex[:8]}"]) == 1
    assert capsys.readouterr().out.startswith("unhealthy: no RQ worker registered")


def test_the_command_exits_0_when_healthy(register_worker, capsys):
    host = f"container-{uuid.uuid4().hex[:8]}"
    register_worker("cpu", hostname=host)
    assert healthcheck.main(["worker", "--hostname", host]) == 0
    assert capsys.readouterr().out.startswith("healthy: ")
