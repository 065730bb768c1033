"""Job events are logged with the id of the request that queued the job, in the
web process and in the worker alike."""

from __future__ import annotations

import logging

import pytest

from conftest import client_for
from jobs import queueing
from jobs.worker import InProcessWorker

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_workers_job_events_carry_the_request_id_of_the_submit(owner, clean_redis, caplog, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    api = client_for(owner)
    with caplog.at_level(logging.INFO, logger="videogen.jobs"):
        response = api.post(
            "/api/v1/jobs", {"prompt": "a kite over the dunes", "resolution": "480p", "quality": "low", "duration": 1},
            format="json", HTTP_X_REQUEST_ID="submit-req-42",
        )
        assert response.status_code == 201
        assert response["X-Request-ID"] == "submit-req-42"
        InProcessWorker([queueing.get_queue("cpu", redis=queueing.worker_connection())],
                        connection=queueing.worker_connection()).work(burst=True)

    events = {record.getMessage(): record for record in caplog.records if record.name == "videogen.jobs"}
    assert events["job created"].request_id == "submit-req-42"
    assert events["attempt started"].request_id == "submit-req-42"
    assert events["attempt completed"].request_id == "submit-req-42"
    assert events["attempt completed"].job_id == response.json()["id"]
