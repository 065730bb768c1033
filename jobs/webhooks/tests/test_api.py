"""/api/v1/webhooks: create, list, get, update, delete, rotate, deliveries, redeliver, test."""

from __future__ import annotations

import pytest

from jobs.webhooks.models import WebhookDelivery, WebhookEndpoint
from jobs.webhooks.tests.helpers import attempt_now
from jobs.webhooks.tests.receiver import Reply
from videogen.testing.api import assert_api_error

pytestmark = pytest.mark.django_db


def create(api, url: str, **extra) -> dict:
    response = api.post("/api/v1/webhooks", {"url": url, **extra}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_create_answers_the_endpoint_with_its_secret(owner_api, allow_private):
    body = create(owner_api, "http://127.0.0.1:9/hook", description="CI", events=["job.completed", "job.failed"])
    assert body["secret"].startswith("whsec_")
    assert body["events"] == ["job.completed", "job.failed"]
    assert body["enabled"] is True and body["disabledReason"] is None
    assert body["description"] == "CI"


def test_events_default_to_all_of_them(owner_api, allow_private):
    body = create(owner_api, "http://127.0.0.1:9/hook")
    assert set(body["events"]) == {"job.started", "job.progress", "job.completed", "job.failed", "job.cancelled"}


def test_list_pages_and_leaves_secrets_out_detail_has_them(owner_api, other_api, allow_private):
    first = create(owner_api, "http://127.0.0.1:9/a")
    create(owner_api, "http://127.0.0.1:9/b")
    create(other_api, "http://127.0.0.1:9/theirs")
    page = owner_api.get("/api/v1/webhooks?take=1").json()
    assert page["total"] == 2 and page["take"] == 1 and len(page["webhooks"]) == 1
    assert "secret" not in page["webhooks"][0]
    assert owner_api.get(f"/api/v1/webhooks/{first['id']}").json()["secret"] == first["secret"]


def test_another_users_endpoint_is_403_and_a_missing_one_404(owner_api, other_api, allow_private):
    theirs = create(other_api, "http://127.0.0.1:9/theirs")
    for method, suffix in [("get", ""), ("patch", ""), ("delete", ""), ("post", "/rotate"), ("get", "/deliveries"),
                           ("post", "/test")]:
        assert_api_error(getattr(owner_api, method)(f"/api/v1/webhooks/{theirs['id']}{suffix}", {}, format="json"), 403)
    assert_api_error(owner_api.get("/api/v1/webhooks/nope"), 404)
    assert WebhookEndpoint.objects.filter(pk=theirs["id"]).exists()


def test_update_changes_only_what_is_sent_and_reenabling_clears_the_reason(owner_api, allow_private):
    body = create(owner_api, "http://127.0.0.1:9/hook", description="keep")
    WebhookEndpoint.objects.filter(pk=body["id"]).update(enabled=False, disabled_reason="410 Gone")
    assert owner_api.get(f"/api/v1/webhooks/{body['id']}").json()["disabledReason"] == "410 Gone"
    updated = owner_api.patch(f"/api/v1/webhooks/{body['id']}", {"enabled": True, "events": ["job.failed"]},
                              format="json").json()
    assert updated["enabled"] is True and updated["disabledReason"] is None
    assert updated["events"] == ["job.failed"] and updated["description"] == "keep"


def test_delete(owner_api, allow_private):
    body = create(owner_api, "http://127.0.0.1:9/hook")
    assert owner_api.delete(f"/api/v1/webhooks/{body['id']}").status_code == 204
    assert_api_error(owner_api.get(f"/api/v1/webhooks/{body['id']}"), 404)


def test_rotate_answers_the_new_secret_and_the_old_one_with_its_expiry(owner_api, allow_private):
    body = create(owner_api, "http://127.0.0.1:9/hook")
    rotated = owner_api.post(f"/api/v1/webhooks/{body['id']}/rotate").json()
    assert rotated["secret"] != body["secret"] and rotated["previousSecret"] == body["secret"]
    assert rotated["previousSecretExpiresAt"]


def test_test_event_then_deliveries_list_the_attempts_and_redeliver_resends(owner_api, receiver, allow_private):
    receiver.answer(Reply(500, body=b"nope"), Reply(200, body=b"thanks"))
    body = create(owner_api, receiver.url)
    sent = owner_api.post(f"/api/v1/webhooks/{body['id']}/test")
    assert sent.status_code == 202 and sent.json()["state"] == "pending"
    attempt_now(sent.json()["id"])
    attempt_now(sent.json()["id"])
    log = owner_api.get(f"/api/v1/webhooks/{body['id']}/deliveries").json()
    assert log["total"] == 2
    newest, oldest = log["deliveries"]
    assert (oldest["statusCode"], oldest["response"], oldest["succeeded"]) == (500, "nope", False)
    assert (newest["statusCode"], newest["response"], newest["succeeded"]) == (200, "thanks", True)
    assert newest["eventType"] == "webhook.test" and newest["durationMs"] >= 0

    again = owner_api.post(f"/api/v1/webhooks/{body['id']}/redeliver", {"eventId": newest["eventId"]}, format="json")
    assert again.status_code == 202 and again.json()["eventId"] == newest["eventId"]
    attempt_now(again.json()["id"])
    assert len({r.webhook_id for r in receiver.wait_for(3)}) == 1


def test_redeliver_refuses_someone_elses_event(owner_api, other_api, allow_private):
    mine = create(owner_api, "http://127.0.0.1:9/hook")
    theirs = create(other_api, "http://127.0.0.1:9/theirs")
    event_id = other_api.post(f"/api/v1/webhooks/{theirs['id']}/test").json()["eventId"]
    response = owner_api.post(f"/api/v1/webhooks/{mine['id']}/redeliver", {"eventId": event_id}, format="json")
    assert_api_error(response, 404)
    assert WebhookDelivery.objects.count() == 1


def test_the_default_secret_is_shown_and_rotates(owner_api):
    first = owner_api.get("/api/v1/webhooks/default-secret").json()
    assert first["secret"].startswith("whsec_") and first["previousSecret"] is None
    assert owner_api.get("/api/v1/webhooks/default-secret").json()["secret"] == first["secret"]
    rotated = owner_api.post("/api/v1/webhooks/default-secret/rotate").json()
    assert rotated["previousSecret"] == first["secret"] and rotated["secret"] != first["secret"]


@pytest.mark.parametrize("body,field", [
    ({}, "url"),
    ({"url": 12}, "url"),
    ({"url": "http://127.0.0.1:9/", "events": ["job.exploded"]}, "events"),
    ({"url": "http://127.0.0.1:9/", "events": []}, "events"),
    ({"url": "http://127.0.0.1:9/", "events": "job.completed"}, "events"),
    ({"url": "http://127.0.0.1:9/", "enabled": "maybe"}, "enabled"),
    ({"url": "http://127.0.0.1:9/", "description": "x" * 501}, "description"),
    ({"url": "http://127.0.0.1:9/\x00"}, "url"),
    ({"url": "x" * 5000}, "url"),
])
def test_bad_input_is_a_400_naming_the_field(owner_api, allow_private, body, field):
    assert_api_error(owner_api.post("/api/v1/webhooks", body, format="json"), 400, field=field)


def test_anonymous_requests_are_401(anon_api):
    assert_api_error(anon_api.get("/api/v1/webhooks"), 401)
    assert_api_error(anon_api.post("/api/v1/webhooks", {"url": "https://example.com"}, format="json"), 401)


def test_a_jobs_own_webhook_attempts_are_listed_for_its_owner_only(owner_api, other_api, receiver, allow_private):
    receiver.answer(Reply(500), Reply(200))
    created = owner_api.post("/api/v1/jobs", {"prompt": "a fox", "webhookUrl": receiver.url,
                                              "webhookEvents": ["job.cancelled"]}, format="json")
    job_id = created.json()["id"]
    untouched = owner_api.post("/api/v1/jobs", {"prompt": "a hare"}, format="json").json()["id"]
    assert owner_api.post(f"/api/v1/jobs/{job_id}/cancel").status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert attempt_now(delivery) == "retrying" and attempt_now(delivery) == "succeeded"

    listed = owner_api.get(f"/api/v1/jobs/{job_id}/webhook-deliveries")
    assert listed.status_code == 200
    body = listed.json()
    assert body["total"] == 2 and [row["statusCode"] for row in body["deliveries"]] == [200, 500]
    assert {row["jobId"] for row in body["deliveries"]} == {job_id}
    assert {row["eventType"] for row in body["deliveries"]} == {"job.cancelled"}
    assert owner_api.get(f"/api/v1/jobs/{untouched}/webhook-deliveries").json()["total"] == 0
    assert_api_error(other_api.get(f"/api/v1/jobs/{job_id}/webhook-deliveries"), 403)
    assert_api_error(owner_api.get("/api/v1/jobs/nosuchjob0000000000000000/webhook-deliveries"), 404)
