import re

import pytest
from django.test import Client

from accounts.models import User
from conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "securePassword123"


@pytest.fixture
def browser() -> Client:
    """A client that enforces CSRF the way a real browser session meets it."""
    return Client(enforce_csrf_checks=True)


def csrf_token_in(response) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())
    assert match, "the page has no CSRF token"
    return match.group(1)


def submit(browser: Client, page_url: str, form_url: str, data: dict):
    """GET the page, then POST its form with the CSRF token the page carried."""
    token = csrf_token_in(browser.get(page_url))
    return browser.post(form_url, {**data, "csrfmiddlewaretoken": token})


def test_the_landing_page_offers_sign_up_and_log_in(browser):
    response = browser.get("/")

    assert response.status_code == 200
    assert b'href="/register"' in response.content
    assert b'href="/login"' in response.content


def test_the_landing_page_sends_a_signed_in_user_to_their_jobs(client, owner):
    client.force_login(owner)

    assert client.get("/").url == "/jobs"


def test_register_then_jobs_then_logout_then_login_with_csrf_on(browser):
    registered = submit(browser, "/register", "/register", {"email": "New@Example.com", "password": NEW_PASSWORD})
    assert registered.status_code == 302
    assert registered.url == "/jobs"

    jobs = browser.get("/jobs")
    assert jobs.status_code == 200
    assert b"new@example.com" in jobs.content  # the navbar shows who is signed in
    assert User.objects.filter(email="new@example.com").exists()

    logged_out = browser.post("/logout", {"csrfmiddlewaretoken": csrf_token_in(jobs)})
    assert logged_out.status_code == 302
    assert logged_out.url == "/"
    bounced = browser.get("/jobs")
    assert bounced.status_code == 302
    assert bounced.url == "/login?next=/jobs"

    logged_in = submit(
        browser, bounced.url, "/login", {"email": "new@example.com", "password": NEW_PASSWORD, "next": "/jobs"}
    )
    assert logged_in.status_code == 302
    assert logged_in.url == "/jobs"
    assert browser.get("/jobs").status_code == 200


def test_login_carries_next_through_the_form_and_honours_it(browser, owner):
    page = browser.get("/login?next=/projects")
    assert b'name="next" value="/projects"' in page.content

    data = {"email": "owner@example.com", "password": PASSWORD, "next": "/projects"}

    response = browser.post("/login", {**data, "csrfmiddlewaretoken": csrf_token_in(page)})

    assert response.status_code == 302
    assert response.url == "/projects"


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/steal", "//evil.example/steal", "http://testserver.evil.example/"]
)
def test_login_refuses_an_off_site_next(browser, owner, next_url):
    page = browser.get("/login", {"next": next_url})
    assert b"evil.example" not in page.content

    data = {"email": "owner@example.com", "password": PASSWORD, "next": next_url}

    response = browser.post("/login", {**data, "csrfmiddlewaretoken": csrf_token_in(page)})

    assert response.status_code == 302
    assert response.url == "/jobs"


def test_a_signed_in_user_visiting_login_goes_to_next(client, owner):
    client.force_login(owner)

    assert client.get("/login?next=/projects").url == "/projects"


@pytest.mark.parametrize(
    "url, data",
    [
        ("/register", {"email": "new@example.com", "password": NEW_PASSWORD}),
        ("/login", {"email": "owner@example.com", "password": PASSWORD}),
    ],
)
def test_a_post_without_the_csrf_token_is_refused(browser, owner, url, data):
    browser.get(url)  # the CSRF cookie is set, but the form token is missing

    response = browser.post(url, data)

    assert response.status_code == 403
    assert "_auth_user_id" not in browser.session


def test_logout_without_the_csrf_token_is_refused_and_keeps_the_session(browser, owner):
    browser.force_login(owner)

    assert browser.post("/logout").status_code == 403
    assert browser.get("/jobs").status_code == 200


def test_logout_by_get_is_not_allowed(client, owner):
    client.force_login(owner)

    assert client.get("/logout").status_code == 405
    assert client.get("/jobs").status_code == 200


def test_register_re_renders_an_invalid_email_with_its_message(browser):
    response = submit(browser, "/register", "/register", {"email": "not-an-email", "password": NEW_PASSWORD})

    assert response.status_code == 400
    assert response.context["form"].errors == {"email": ["Enter a valid email address."]}
    assert b"Enter a valid email address." in response.content
    assert b'value="not-an-email"' in response.content


def test_register_re_renders_a_short_password_with_its_message(browser):
    response = submit(browser, "/register", "/register", {"email": "new@example.com", "password": "Xy7#kq2"})

    assert response.status_code == 400
    assert response.context["form"].errors == {"password": ["Password must be at least 8 characters."]}
    assert b"Password must be at least 8 characters." in response.content
    assert not User.objects.exists()


def test_register_re_renders_a_common_password_with_its_message(browser):
    response = submit(browser, "/register", "/register", {"email": "new@example.com", "password": "password123"})

    assert response.status_code == 400
    assert "too common" in response.context["form"].errors["password"][0]


def test_register_re_renders_a_taken_email_in_another_case_with_its_message(browser, owner):
    response = submit(browser, "/register", "/register", {"email": "OWNER@example.com", "password": NEW_PASSWORD})

    assert response.status_code == 400
    assert response.context["form"].errors == {"email": ["An account with this email already exists."]}


def test_register_re_renders_missing_fields_with_their_messages(browser):
    response = submit(browser, "/register", "/register", {})

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"email", "password"}


def test_login_re_renders_bad_credentials_without_saying_which_was_wrong(browser, owner):
    wrong_password = submit(browser, "/login", "/login", {"email": "owner@example.com", "password": "wrong guess"})
    unknown_email = submit(browser, "/login", "/login", {"email": "nobody@example.com", "password": "wrong guess"})

    for response in (wrong_password, unknown_email):
        assert response.status_code == 400
        assert response.context["form"].non_field_errors() == ["Invalid email or password."]
        assert b"Invalid email or password." in response.content
    assert b'value="owner@example.com"' in wrong_password.content


def test_login_page_shows_the_throttle_message_after_repeated_failures(browser, owner):
    for _ in range(5):
        submit(browser, "/login", "/login", {"email": "owner@example.com", "password": "wrong guess"})

    response = submit(browser, "/login", "/login", {"email": "owner@example.com", "password": PASSWORD})

    assert response.status_code == 400
    assert "Too many failed login attempts" in response.context["form"].non_field_errors()[0]
    assert "_auth_user_id" not in browser.session


def test_the_jobs_page_sends_an_anonymous_visitor_to_login(browser):
    response = browser.get("/jobs")

    assert response.status_code == 302
    assert response.url == "/login?next=/jobs"


def test_a_signed_in_user_visiting_register_goes_to_their_jobs(client, owner):
    client.force_login(owner)

    assert client.get("/register").url == "/jobs"
