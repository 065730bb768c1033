"""GET /api/v1/health (database, Redis, workers, queue depths) and /api/v1/health/live."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from django.db import OperationalError
from rq.utils import utcformat

from jobs import queueing
from jobs.catalog import default_model_id, get_model
from videogen import health_api

URL = "/api/v1/health"
LIVE_URL = "/api/v1/health/live"


@pytest.fixture
def default_queue() -> str:
    return get_model(default_model_id()).queue


class BrokenConnection:
    def cursor(self):
        raise OperationalError("connection to server at 10.0.0.5 failed: Connection refused")


def test_it_is_ok_when_the_database_redis_and_a_worker_for_the_default_model_are_up(
    db, anon_api, register_worker, default_queue
):
    register_worker(default_queue, "default")

    response = anon_api.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert body["database"] == {"ok": True}
    assert body["redis"] == {"ok": True}
    assert body["workers"][default_queue] == 1
    assert body["workers"]["gpu"] == 0


def test_it_needs_no_credentials(db, anon_api, register_worker, default_queue):
    register_worker(default_queue)
    assert anon_api.get(URL, HTTP_AUTHORIZATION="Bearer not-a-token").status_code == 200


def test_it_is_503_naming_workers_when_no_worker_is_registered(db, anon_api, clean_redis, default_queue):
    response = anon_api.get(URL)

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failing"] == ["workers"]
    assert body["workers"] == {"cpu": 0, "gpu": 0, "default": 0, "webhooks": 0}


def test_it_is_503_naming_workers_when_the_only_worker_is_on_another_queue(db, anon_api, register_worker):
    # The default model renders on the cpu queue; a GPU worker alone cannot run it.
    register_worker("gpu")

    response = anon_api.get(URL)

    assert response.status_code == 503
    assert response.json()["failing"] == ["workers"]
    assert response.json()["workers"]["gpu"] == 1


def test_a_worker_unseen_for_over_a_minute_does_not_count(db, anon_api, register_worker, clean_redis, default_queue):
    worker = register_worker(default_queue)
    two_minutes_ago = datetime.now(timezone.utc) - timedelta(minutes=2)
    clean_redis.hset(worker.key, "last_heartbeat", utcformat(two_minutes_ago))

    response = anon_api.get(URL)

    assert response.status_code == 503
    assert response.json()["failing"] == ["workers"]
    assert response.json()["workers"][default_queue] == 0


def test_it_is_503_naming_redis_when_redis_is_unreachable(db, anon_api, redis_down):
    response = anon_api.get(URL)

    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["redis"]  # workers cannot be counted, so they are not blamed
    assert body["redis"]["ok"] is False
    assert "ConnectionError" in body["redis"]["error"]
    assert body["database"] == {"ok": True}


def test_it_is_503_naming_the_database_when_the_database_check_fails(
    db, anon_api, register_worker, default_queue, monkeypatch
):
    register_worker(default_queue)
    monkeypatch.setattr(health_api, "connection", BrokenConnection())

    response = anon_api.get(URL)

    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["database"]
    assert body["database"]["ok"] is False
    assert "OperationalError" in body["database"]["error"]
    assert body["redis"] == {"ok": True}


def test_it_names_every_failing_part_at_once(db, anon_api, redis_down, monkeypatch):
    monkeypatch.setattr(health_api, "connection", BrokenConnection())

    response = anon_api.get(URL)

    assert response.status_code == 503
    assert response.json()["failing"] == ["database", "redis"]


def test_it_reports_the_depth_of_every_queue(db, anon_api, register_worker, default_queue):
    register_worker(default_queue)
    cpu = queueing.get_queue("cpu")
    cpu.enqueue("os.getcwd")
    cpu.enqueue("os.getcwd")
    queueing.get_queue("gpu").enqueue("os.getcwd")

    body = anon_api.get(URL).json()

    assert body["queues"] == {"cpu": 2, "gpu": 1, "default": 0, "webhooks": 0}


# --- liveness -------------------------------------------------------------------------------------


def test_live_is_ok_whatever_the_database_redis_and_workers_say(anon_api, redis_down, monkeypatch):
    monkeypatch.setattr(health_api, "connection", BrokenConnection())

    response = anon_api.get(LIVE_URL)

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_live_touches_no_database(anon_api, django_assert_num_queries, db):
    with django_assert_num_queries(0):
        assert anon_api.get(LIVE_URL).status_code == 200


@pytest.mark.parametrize("url", [URL, LIVE_URL])
def test_probes_over_plain_http_are_not_redirected_to_https(db, anon_api, settings, clean_redis, url):
    settings.SECURE_SSL_REDIRECT = True

    assert anon_api.get(url).status_code in (200, 503)
    assert anon_api.get("/api/v1/models").status_code == 301
