"""One structured log line per request, with the request id that X-Request-ID echoes."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

import pytest

from videogen.logging import JsonFormatter
from videogen.request_id import RequestIdFilter
from videogen.tests.envvars import ROOT

LOGGER = "videogen.request"


@pytest.fixture
def request_lines(caplog):
    caplog.set_level(logging.DEBUG, logger=LOGGER)

    def lines() -> list[logging.LogRecord]:
        return [record for record in caplog.records if record.name == LOGGER]

    return lines


def test_a_request_logs_one_line_with_its_facts_and_the_echoed_request_id(owner_api, owner, request_lines):
    response = owner_api.get("/api/v1/models")

    assert response.status_code == 200
    [line] = request_lines()
    assert line.levelno == logging.INFO
    assert line.method == "GET"
    assert line.path == "/api/v1/models"
    assert line.status == 200
    assert isinstance(line.duration_ms, float) and line.duration_ms >= 0
    assert line.user_id == owner.id
    assert line.request_id == response["X-Request-ID"]
    assert len(response["X-Request-ID"]) == 32
    assert line.getMessage().startswith("GET /api/v1/models 200 ")


def test_a_request_id_sent_by_the_client_is_kept_and_echoed(anon_api, request_lines, db):
    response = anon_api.get("/api/v1/auth/me", HTTP_X_REQUEST_ID="edge-proxy.7f3a-01")

    assert response["X-Request-ID"] == "edge-proxy.7f3a-01"
    [line] = request_lines()
    assert line.request_id == "edge-proxy.7f3a-01"
    assert line.status == 401
    assert line.user_id is None


def test_a_request_id_that_is_not_sane_is_replaced(anon_api, request_lines, db):
    response = anon_api.get("/api/v1/models", HTTP_X_REQUEST_ID="bad id\nwith newline")

    assert response["X-Request-ID"] != "bad id\nwith newline"
    assert request_lines()[0].request_id == response["X-Request-ID"]


def test_a_session_user_is_logged_when_the_view_used_it(client, owner, request_lines):
    client.force_login(owner)

    client.get("/api/v1/auth/me")

    assert request_lines()[0].user_id == owner.id


def test_logging_never_costs_a_query_to_find_the_user(client, owner, request_lines, django_assert_num_queries):
    client.force_login(owner)

    # The live probe never looks at the user, so neither does the log line.
    with django_assert_num_queries(0):
        client.get("/api/v1/health/live")

    assert request_lines()[0].user_id is None


def test_probe_requests_log_at_debug_level_only(anon_api, request_lines):
    anon_api.get("/api/v1/health/live")

    assert request_lines()[0].levelno == logging.DEBUG


def test_the_job_created_event_carries_the_request_id_of_its_request(owner_api, caplog, db):
    caplog.set_level(logging.INFO, logger="videogen.jobs")

    response = owner_api.post(
        "/api/v1/jobs", {"prompt": "a lighthouse at dusk", "resolution": "480p", "duration": 1}, format="json"
    )

    assert response.status_code == 201
    [created] = [r for r in caplog.records if r.name == "videogen.jobs" and r.getMessage() == "job created"]
    assert created.request_id == response["X-Request-ID"]
    assert created.job_id == response.json()["id"]


def test_in_json_format_the_line_is_one_object_with_every_field(owner_api, owner, request_lines):
    response = owner_api.get("/api/v1/models")
    [line] = request_lines()

    payload = json.loads(JsonFormatter().format(line))

    assert payload["logger"] == LOGGER
    assert payload["level"] == "info"
    assert payload["method"] == "GET"
    assert payload["path"] == "/api/v1/models"
    assert payload["status"] == 200
    assert payload["user_id"] == owner.id
    assert payload["request_id"] == response["X-Request-ID"]
    assert "duration_ms" in payload


def test_with_log_format_json_the_process_writes_json_lines(tmp_path):
    # Through the real LOGGING config (handler, filter, formatter), in a fresh process.
    script = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client().get('/api/v1/auth/me', HTTP_X_REQUEST_ID='json-check-1'); print(r.status_code)"
    )
    # STATIC_ROOT exists (as after collectstatic): whitenoise warns on stderr otherwise.
    env = {**os.environ, "LOG_FORMAT": "json", "LOG_LEVEL": "info", "ALLOWED_HOSTS": "testserver",
           "STATIC_ROOT": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "401"
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.strip()]
    [request_line] = [line for line in lines if line["logger"] == LOGGER]
    assert request_line["request_id"] == "json-check-1"
    assert request_line["status"] == 401
    assert request_line["path"] == "/api/v1/auth/me"
    # Django's own warning for the 401 carries the same id.
    assert {line["request_id"] for line in lines if line["logger"] == "django.request"} == {"json-check-1"}


def test_django_error_lines_logged_after_the_response_keep_the_request_id(client, caplog, db):
    caplog.set_level(logging.WARNING, logger="django.request")

    response = client.get("/api/v1/no-such-endpoint")

    [record] = [r for r in caplog.records if r.name == "django.request"]
    RequestIdFilter().filter(record)
    assert record.request_id == response["X-Request-ID"]
