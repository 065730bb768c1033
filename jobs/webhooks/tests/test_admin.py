"""Webhooks in the admin: staff see endpoints, events, deliveries and attempts, and can
disable, enable and test endpoints through the services; no one else gets in."""

import pytest

from jobs.webhooks.models import WebhookDelivery, WebhookEndpoint
from jobs.webhooks.tests.helpers import attempt_now, endpoint_for
from jobs.webhooks import services

pytestmark = pytest.mark.django_db

PAGES = ["webhookendpoint", "webhookmessage", "webhookdelivery", "deliveryattempt"]


def test_staff_see_every_webhook_list_and_change_page(client, staff, owner, receiver, allow_private):
    endpoint = endpoint_for(owner, receiver.url)
    delivery = services.endpoint_send_test(endpoint=endpoint)
    attempt_now(delivery)
    client.force_login(staff)
    for page in PAGES:
        assert client.get(f"/admin/webhooks/{page}/").status_code == 200, page
    assert client.get(f"/admin/webhooks/webhookendpoint/{endpoint.pk}/change/").status_code == 200
    assert client.get(f"/admin/webhooks/webhookdelivery/{delivery.pk}/change/").status_code == 200


def test_disable_enable_and_test_actions_go_through_the_services(client, staff, owner, allow_private):
    endpoint = endpoint_for(owner, "http://127.0.0.1:9/hook")
    client.force_login(staff)
    url = "/admin/webhooks/webhookendpoint/"
    client.post(url, {"action": "disable_endpoints", "_selected_action": [endpoint.pk]})
    endpoint.refresh_from_db()
    assert not endpoint.enabled and "staff@example.com" in endpoint.disabled_reason
    client.post(url, {"action": "enable_endpoints", "_selected_action": [endpoint.pk]})
    endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.disabled_reason == ""
    client.post(url, {"action": "send_test_events", "_selected_action": [endpoint.pk]})
    assert WebhookDelivery.objects.filter(endpoint=endpoint, message__type="webhook.test").count() == 1


def test_no_webhook_admin_for_non_staff(owner_client):
    for page in PAGES:
        assert owner_client.get(f"/admin/webhooks/{page}/").status_code == 302
    assert WebhookEndpoint.objects.count() == 0
