"""Server-side request forgery: refused at registration (400 naming url) and again on
the address actually connected to, on every attempt. The development setting
(VIDEOGEN_WEBHOOKS_ALLOW_PRIVATE) is off here unless a test turns it on."""

from __future__ import annotations

import socket

import pytest

from jobs.webhooks import services
from jobs.webhooks.models import DeliveryAttempt, WebhookEndpoint
from jobs.webhooks.tests.helpers import attempt_now, endpoint_for
from videogen import outbound
from videogen.testing.api import assert_api_error

pytestmark = pytest.mark.django_db

REFUSED = [
    ("https://127.0.0.1/hook", "loopback"),
    ("https://10.0.0.1/hook", "private"),
    ("https://169.254.169.254/latest/meta-data/", "metadata"),
    ("https://localhost/hook", "loopback"),  # a host name resolving to 127.0.0.1
    ("https://[::1]/hook", "loopback"),
    ("https://[::ffff:127.0.0.1]/hook", "loopback"),
    ("https://192.168.1.20/hook", "private"),
    ("https://224.0.0.1/hook", "multicast"),
    ("https://0.0.0.0/hook", "not a destination"),
]


@pytest.fixture(autouse=True)
def development_setting_off(settings):
    settings.VIDEOGEN_WEBHOOKS_ALLOW_PRIVATE = False


@pytest.mark.parametrize("url,why", REFUSED)
def test_registration_refuses_a_forbidden_destination_naming_url(owner_api, url, why):
    body = assert_api_error(owner_api.post("/api/v1/webhooks", {"url": url}, format="json"), 400, field="url")
    assert why in body["error"]
    assert not WebhookEndpoint.objects.exists()


def test_plain_http_is_refused_without_the_development_setting(owner_api):
    body = assert_api_error(owner_api.post("/api/v1/webhooks", {"url": "http://93.184.215.14/hook"}, format="json"),
                            400, field="url")
    assert "https" in body["error"]


def test_a_job_webhook_url_is_checked_the_same_way(owner_api):
    response = owner_api.post("/api/v1/jobs", {"prompt": "a fox", "webhookUrl": "https://localhost/hook"}, format="json")
    assert_api_error(response, 400, field="webhookUrl", mentions="loopback")


def test_an_update_to_a_forbidden_url_is_refused(owner_api, owner, monkeypatch):
    public = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 443))]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: public)
    endpoint = endpoint_for(owner, "https://hooks.example.com/in")
    monkeypatch.undo()
    response = owner_api.patch(f"/api/v1/webhooks/{endpoint.id}", {"url": "https://169.254.169.254/"}, format="json")
    assert_api_error(response, 400, field="url", mentions="metadata")
    endpoint.refresh_from_db()
    assert endpoint.url == "https://hooks.example.com/in"


def test_the_development_setting_allows_http_and_loopback_but_never_metadata():
    assert outbound.check_url("http://127.0.0.1:8080/x", allow_private=True).port == 8080
    assert outbound.check_url("http://localhost/x", allow_private=True).host == "localhost"
    with pytest.raises(outbound.UnsafeDestination, match="metadata"):
        outbound.check_url("http://169.254.169.254/", allow_private=True)


@pytest.mark.parametrize("url", ["ftp://example.com/x", "https://user:pw@example.com/", "https:///nohost", "https://a b/",
                                 "https://example.com/\x00", "x" * 3000])
def test_malformed_urls_are_refused(url):
    with pytest.raises(outbound.UnsafeDestination):
        outbound.parse_url(url, allow_private=False)


def test_each_attempt_checks_the_address_it_connects_to_dns_rebinding(owner, receiver, settings, monkeypatch):
    """Registered while the name pointed at a public address; at delivery it points at
    loopback (where our receiver listens): the attempt is refused, nothing is sent."""
    port = receiver.server.server_address[1]
    answers = {"now": "93.184.215.14"}
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *a, **k: [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers["now"], port))])
    endpoint = endpoint_for(owner, f"https://rebind.example.com:{port}/hook")
    answers["now"] = "127.0.0.1"
    delivery = services.endpoint_send_test(endpoint=endpoint)

    assert attempt_now(delivery) == "retrying"
    attempt = DeliveryAttempt.objects.get(delivery=delivery)
    assert attempt.status_code is None
    assert "127.0.0.1 is a loopback address" in attempt.error
    assert receiver.received == []


def test_an_endpoint_registered_under_the_development_setting_is_refused_once_it_is_off(owner, receiver, settings):
    settings.VIDEOGEN_WEBHOOKS_ALLOW_PRIVATE = True
    endpoint = endpoint_for(owner, receiver.url)
    settings.VIDEOGEN_WEBHOOKS_ALLOW_PRIVATE = False
    delivery = services.endpoint_send_test(endpoint=endpoint)
    assert attempt_now(delivery) == "retrying"
    assert "Refused" in DeliveryAttempt.objects.get(delivery=delivery).error
    assert receiver.received == []
