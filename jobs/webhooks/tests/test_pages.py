"""The /settings/webhooks pages: list and add, an endpoint's page, its actions."""

from __future__ import annotations

import pytest

from jobs.webhooks.models import WebhookDelivery, WebhookEndpoint
from jobs.webhooks.tests.helpers import attempt_now, endpoint_for
from jobs.webhooks.tests.receiver import Reply

pytestmark = pytest.mark.django_db


def test_the_page_needs_a_login(client):
    response = client.get("/settings/webhooks")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_list_shows_endpoints_their_state_and_the_default_secret(owner, owner_client, allow_private):
    endpoint_for(owner, "http://127.0.0.1:9/on")
    off = endpoint_for(owner, "http://127.0.0.1:9/off")
    WebhookEndpoint.objects.filter(pk=off.pk).update(enabled=False, disabled_reason="The receiver answered 410 Gone.")
    page = owner_client.get("/settings/webhooks").content.decode()
    assert "http://127.0.0.1:9/on" in page and "The receiver answered 410 Gone." in page
    assert 'data-testid="default-secret">whsec_' in page


def test_adding_an_endpoint_goes_to_its_page_with_the_secret(owner, owner_client, allow_private):
    response = owner_client.post("/settings/webhooks", {"url": "http://127.0.0.1:9/new", "events": ["job.completed"],
                                                        "enabled": "on"})
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/settings/webhooks/{endpoint.id}"
    page = owner_client.get(response["Location"]).content.decode()
    assert endpoint.secret in page and endpoint.events == ["job.completed"]


def test_a_forbidden_url_is_shown_on_the_form(owner_client, settings):
    settings.VIDEOGEN_WEBHOOKS_ALLOW_PRIVATE = False
    response = owner_client.post("/settings/webhooks", {"url": "https://169.254.169.254/", "events": ["job.failed"]})
    assert response.status_code == 400
    assert 'data-testid="error-url"' in response.content.decode() and "metadata" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_the_endpoint_page_lists_attempts_and_its_buttons_work(owner, owner_client, receiver, allow_private):
    receiver.answer(Reply(503, body=b"busy"), Reply(200))
    endpoint = endpoint_for(owner, receiver.url)
    assert owner_client.post(f"/settings/webhooks/{endpoint.id}/test").status_code == 302
    delivery = WebhookDelivery.objects.get()
    attempt_now(delivery)
    page = owner_client.get(f"/settings/webhooks/{endpoint.id}").content.decode()
    assert "503" in page and "busy" in page and delivery.message_id in page

    assert owner_client.post(f"/settings/webhooks/{endpoint.id}/redeliver", {"event_id": delivery.message_id}).status_code == 302
    assert WebhookDelivery.objects.count() == 2
    old_secret = endpoint.secret
    owner_client.post(f"/settings/webhooks/{endpoint.id}/rotate")
    endpoint.refresh_from_db()
    assert endpoint.previous_secret == old_secret
    owner_client.post(f"/settings/webhooks/{endpoint.id}/delete")
    assert not WebhookEndpoint.objects.exists()


def test_editing_saves_and_another_users_endpoint_is_forbidden(owner, other_user, owner_client, allow_private):
    mine = endpoint_for(owner, "http://127.0.0.1:9/mine")
    response = owner_client.post(f"/settings/webhooks/{mine.id}", {"url": "http://127.0.0.1:9/moved",
                                                                   "events": ["job.failed"], "description": "x"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.url, mine.events, mine.enabled) == ("http://127.0.0.1:9/moved", ["job.failed"], False)
    theirs = endpoint_for(other_user, "http://127.0.0.1:9/theirs")
    assert owner_client.get(f"/settings/webhooks/{theirs.id}").status_code == 403
    assert owner_client.post(f"/settings/webhooks/{theirs.id}/delete").status_code == 403
    assert owner_client.get("/settings/webhooks/missing%00").status_code == 404


def test_the_list_shows_attempts_to_jobs_own_webhooks(owner, owner_client, other_client, owner_api, receiver,
                                                      allow_private):
    assert owner_client.get("/settings/webhooks").context["job_attempts"] == []
    created = owner_api.post("/api/v1/jobs", {"prompt": "a fox", "webhookUrl": receiver.url,
                                              "webhookEvents": ["job.cancelled"]}, format="json")
    job_id = created.json()["id"]
    owner_api.post(f"/api/v1/jobs/{job_id}/cancel")
    assert attempt_now(WebhookDelivery.objects.get()) == "succeeded"

    page = owner_client.get("/settings/webhooks")
    (attempt,) = page.context["job_attempts"]
    assert attempt.delivery.message.job_id == job_id and attempt.status_code == 200
    html = page.content.decode()
    assert 'data-testid="job-attempt-row"' in html and f"/jobs/{job_id}" in html and "job.cancelled" in html
    assert other_client.get("/settings/webhooks").context["job_attempts"] == []


@pytest.mark.parametrize("attempts", [1, 6])
def test_the_list_costs_the_same_queries_for_1_or_6_job_webhook_attempts(owner, owner_client, owner_api, receiver,
                                                                         allow_private, attempts,
                                                                         django_assert_num_queries):
    endpoint_for(owner, "http://127.0.0.1:9/hook")
    for _ in range(attempts):
        created = owner_api.post("/api/v1/jobs", {"prompt": "a fox", "webhookUrl": receiver.url,
                                                  "webhookEvents": ["job.cancelled"]}, format="json")
        owner_api.post(f"/api/v1/jobs/{created.json()['id']}/cancel")
    for delivery in WebhookDelivery.objects.filter(endpoint=None):
        attempt_now(delivery)
    with django_assert_num_queries(QUERIES_FOR_THE_LIST_PAGE):
        assert owner_client.get("/settings/webhooks").status_code == 200


# The session, its user, the endpoints and their count, the default secret, the job
# webhook attempts (one query with their deliveries and events) and their count.
QUERIES_FOR_THE_LIST_PAGE = 7
