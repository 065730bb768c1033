"""The one credential-check limiter: per (account, address), per address, atomic."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import override_settings

from accounts import throttle
from accounts.models import ThrottleBucket
from conftest import PASSWORD
from videogen.errors import NotAuthenticated, TooManyRequests
from videogen.testing.api import assert_api_error

pytestmark = pytest.mark.django_db


def _post_json(url: str, body: dict) -> int:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_guesses_never_check_more_passwords_than_the_limit(live_server, owner):
    url = f"{live_server.url}/api/v1/auth/login"
    # Ten at once: twice the limit, and no more than the live server's listen backlog
    # (Django's test server queues 10 connections; past that, a loaded box resets some).
    start = threading.Barrier(10)

    def guess(n: int) -> int:
        start.wait()
        return _post_json(url, {"email": "owner@example.com", "password": f"wrong guess {n}"})

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(guess, range(10)))

    assert sorted(set(statuses)) <= [401, 429], statuses
    assert statuses.count(401) <= 5, statuses  # 401 = a password was checked
    assert statuses.count(429) >= 5, statuses


@pytest.mark.django_db(transaction=True)
def test_parallel_reservations_in_threads_take_exactly_the_limit():
    start = threading.Barrier(16)
    outcomes = []

    def reserve() -> None:
        from django.db import connection

        start.wait()
        try:
            throttle.hit("register", ip="192.0.2.50")
            outcomes.append("taken")
        except TooManyRequests:
            outcomes.append("refused")
        finally:
            connection.close()

    with override_settings(REGISTER_LIMIT_PER_IP=4):
        threads = [threading.Thread(target=reserve) for _ in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert outcomes.count("taken") == 4, outcomes
    assert ThrottleBucket.objects.get(kind="register").count == 4


def test_an_address_is_refused_after_the_per_address_limit_across_accounts(settings):
    settings.LOGIN_FAILURE_LIMIT_PER_IP = 7
    for n in range(7):
        with pytest.raises(NotAuthenticated), throttle.attempt("login", account=f"a{n}@example.com", ip="192.0.2.1"):
            raise NotAuthenticated("wrong")

    with pytest.raises(TooManyRequests) as refused:
        throttle.attempt("login", account="fresh@example.com", ip="192.0.2.1").reserve()
    throttle.attempt("login", account="fresh@example.com", ip="192.0.2.2").reserve()
    assert 1 <= refused.value.retry_after <= settings.LOGIN_FAILURE_WINDOW_SECONDS


def test_a_success_forgets_that_addresss_failures_and_gives_the_slot_back():
    for _ in range(4):
        with pytest.raises(NotAuthenticated), throttle.attempt("login", account="a@example.com", ip="192.0.2.3"):
            raise NotAuthenticated("wrong")
    with throttle.attempt("login", account="a@example.com", ip="192.0.2.3") as guess:
        guess.succeeded()

    assert not ThrottleBucket.objects.filter(scope="account_ip").exists()
    assert ThrottleBucket.objects.get(scope="ip").count == 4


def test_an_unexpected_error_during_the_check_is_not_counted_as_a_failure():
    with pytest.raises(RuntimeError), throttle.attempt("login", account="a@example.com", ip="192.0.2.4"):
        raise RuntimeError("database went away")

    assert set(ThrottleBucket.objects.values_list("count", flat=True)) == {0}


def test_an_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown throttle kind"):
        throttle.hit("nonsense", ip="192.0.2.7")


# --- the admin login ------------------------------------------------------------------------
# /admin/login/ sends everyone to the site's login (accounts/two_factor/views.py::admin_login),
# so the admin's way in is the page login: the same limiter, then the two-factor step.


def _admin_way_in(client) -> str:
    """Where the admin sends an anonymous visitor to sign in (following every redirect)."""
    chain = client.get("/admin/", follow=True).redirect_chain
    return chain[-1][0]


def test_the_admin_login_is_throttled_like_the_api(client, staff):
    login_url = _admin_way_in(client)
    assert login_url == "/login?next=%2Fadmin%2F"
    for _ in range(12):
        client.post(login_url, {"email": staff.email, "password": "wrong guess"})

    response = client.post(login_url, {"email": staff.email, "password": PASSWORD, "next": "/admin/"})

    assert response.status_code == 400  # the form again, not a redirect into the admin
    assert b"Too many failed login attempts" in response.content
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_posting_a_password_to_the_admin_login_url_checks_nothing(client, staff):
    for _ in range(12):
        response = client.post("/admin/login/", {"username": staff.email, "password": "wrong guess"})
        assert response.status_code == 302 and response.url.startswith("/login?")

    assert not ThrottleBucket.objects.exists()  # no password was checked, so none was counted


def test_the_admin_login_still_lets_staff_in(client, staff):
    response = client.post(_admin_way_in(client), {"email": staff.email, "password": PASSWORD, "next": "/admin/"})

    assert response.status_code == 302 and response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_authenticate_anywhere_goes_through_the_limiter(rf, owner):
    from django.contrib.auth import authenticate

    request = rf.post("/", REMOTE_ADDR="192.0.2.8")
    for _ in range(5):
        assert authenticate(request, username=owner.email, password="wrong guess") is None

    assert authenticate(request, username=owner.email, password=PASSWORD) is None
    assert authenticate(rf.post("/", REMOTE_ADDR="192.0.2.9"), username=owner.email, password=PASSWORD) == owner


# --- registration ------------------------------------------------------------------------------


def test_registration_through_the_api_is_throttled_per_address(anon_api, settings):
    settings.REGISTER_LIMIT_PER_IP = 3
    for n in range(3):
        created = anon_api.post("/api/v1/auth/register", {"email": f"new{n}@example.com", "password": PASSWORD},
                                format="json", REMOTE_ADDR="192.0.2.10")
        assert created.status_code == 201

    refused = anon_api.post("/api/v1/auth/register", {"email": "new9@example.com", "password": PASSWORD},
                            format="json", REMOTE_ADDR="192.0.2.10")
    elsewhere = anon_api.post("/api/v1/auth/register", {"email": "new9@example.com", "password": PASSWORD},
                              format="json", REMOTE_ADDR="192.0.2.11")

    assert_api_error(refused, 429, mentions="too many sign-ups")
    assert int(refused["Retry-After"]) >= 1
    assert elsewhere.status_code == 201


def test_taken_emails_count_too_so_registration_cannot_enumerate_accounts(anon_api, owner, settings):
    settings.REGISTER_LIMIT_PER_IP = 2
    for _ in range(2):
        taken = anon_api.post("/api/v1/auth/register", {"email": owner.email, "password": PASSWORD}, format="json")
        assert taken.status_code == 409

    assert_api_error(
        anon_api.post("/api/v1/auth/register", {"email": owner.email, "password": PASSWORD}, format="json"), 429
    )


def test_the_register_page_is_throttled_per_address(client, settings):
    settings.REGISTER_LIMIT_PER_IP = 1
    assert client.post("/register", {"email": "page1@example.com", "password": PASSWORD}).status_code == 302
    client.post("/logout")

    refused = client.post("/register", {"email": "page2@example.com", "password": PASSWORD})

    assert refused.status_code == 400
    assert b"Too many sign-ups" in refused.content
