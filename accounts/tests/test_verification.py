"""Email verification on sign-up, the operator's rule for unverified accounts, email changes."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from jobs.models import Job
from accounts.tests.mailbox import body_of, deliver_queued_mail, link_in
from conftest import PASSWORD, client_for
from videogen.testing.api import assert_api_error

pytestmark = pytest.mark.django_db

JOB = {"prompt": "a lighthouse at dusk", "resolution": "480p", "quality": "low", "duration": 1}


@pytest.fixture
def mailed(django_capture_on_commit_callbacks, clean_redis, smtp_server):
    """Run a block's on-commit hooks, then the worker's mail jobs; returns the inbox."""

    class Run:
        def __enter__(self):
            self._capture = django_capture_on_commit_callbacks(execute=True)
            self._capture.__enter__()
            return smtp_server

        def __exit__(self, *exc):
            self._capture.__exit__(*exc)
            if exc[0] is None:
                deliver_queued_mail()
            return False

    return Run


def path_of(link: str) -> str:
    return link.split("testserver", 1)[1]


def test_signing_up_mails_a_link_that_verifies_the_address(anon_api, mailed):
    with mailed() as inbox:
        created = anon_api.post("/api/v1/auth/register", {"email": "new@example.com", "password": PASSWORD}, format="json")
    assert created.status_code == 201
    [message] = inbox.wait_for(1)
    assert User.objects.get(email="new@example.com").email_verified_at is None

    response = Client().get(path_of(link_in(body_of(message))))

    assert response.status_code == 302
    assert User.objects.get(email="new@example.com").email_verified_at is not None


def test_the_api_verifies_a_token_and_refuses_a_forged_one(anon_api, mailed):
    with mailed() as inbox:
        anon_api.post("/api/v1/auth/register", {"email": "new@example.com", "password": PASSWORD}, format="json")
    token = path_of(link_in(body_of(inbox.wait_for(1)[0]))).rsplit("/", 1)[1]

    assert_api_error(anon_api.post("/api/v1/auth/verify-email", {"token": token + "x"}, format="json"), 400, field="token")
    assert anon_api.post("/api/v1/auth/verify-email", {"token": token}, format="json").status_code == 204


@pytest.fixture
def unverified(make_user):
    user = make_user("fresh@example.com")
    assert user.email_verified_at is None
    return user


def test_by_default_an_unverified_account_may_create_jobs(unverified, settings):
    assert settings.EMAIL_VERIFICATION == "optional"

    assert client_for(unverified).post("/api/v1/jobs", JOB, format="json").status_code == 201


def test_when_required_an_unverified_account_gets_403_from_the_job_api(unverified, settings):
    settings.EMAIL_VERIFICATION = "required"
    api = client_for(unverified)

    assert api.get("/api/v1/auth/me").status_code == 200  # may sign in
    assert_api_error(api.post("/api/v1/jobs", JOB, format="json"), 403, mentions="verify your email")


def test_when_required_the_pages_say_so_and_offer_a_resend(unverified, settings, mailed):
    settings.EMAIL_VERIFICATION = "required"
    browser = Client()
    browser.force_login(unverified)

    page = browser.post("/create", {**JOB, "model": "videogen-procedural-1", "max_retries": 0})

    assert page.status_code == 400 and not Job.objects.exists()
    assert b"Verify your email address before creating jobs" in page.content
    assert b'data-testid="verify-resend"' in page.content
    with mailed() as inbox:
        resent = browser.post("/verify-email/resend", {"next": "/create"})
    assert resent.status_code == 302 and resent["Location"] == "/create"
    assert inbox.wait_for(1)[0]["To"] == unverified.email


def test_a_verified_account_may_create_jobs_when_required(owner, settings):
    settings.EMAIL_VERIFICATION = "required"
    owner.email_verified_at = owner.created_at
    owner.save(update_fields=["email_verified_at"])

    assert client_for(owner).post("/api/v1/jobs", JOB, format="json").status_code == 201


def test_resending_is_throttled(unverified, settings, mailed):
    settings.MAIL_REQUEST_LIMIT_PER_ACCOUNT = 2
    api = client_for(unverified)
    with mailed():
        statuses = [api.post("/api/v1/auth/verify-email/resend").status_code for _ in range(3)]

    assert statuses == [202, 202, 429]


# --- email change ----------------------------------------------------------------------------


def test_an_email_change_applies_only_from_the_link_at_the_new_address(owner_client, owner, mailed):
    with mailed() as inbox:
        response = owner_client.post("/settings/email", {"email": "moved@example.com", "password": PASSWORD})
    assert response.status_code == 302
    [confirm] = inbox.wait_for(1)
    assert confirm["To"] == "moved@example.com"
    owner.refresh_from_db()
    assert owner.email == "owner@example.com"  # nothing changed yet

    with mailed() as inbox:
        applied = Client().get(path_of(link_in(body_of(confirm))))
    assert applied.status_code == 302
    owner.refresh_from_db()
    assert owner.email == "moved@example.com" and owner.email_verified_at is not None
    notice = inbox.wait_for(2)[1]
    assert notice["To"] == "owner@example.com" and "moved@example.com" in body_of(notice)
    assert Client().get(path_of(link_in(body_of(confirm)))).status_code == 400  # used


def test_an_email_change_needs_the_current_password(owner_client, owner):
    response = owner_client.post("/settings/email", {"email": "moved@example.com", "password": "not my password"})

    assert response.status_code == 400
    assert b"This is not your current password" in response.content


def test_an_email_change_to_a_taken_address_is_refused(owner_client, other_user):
    response = owner_client.post("/settings/email", {"email": other_user.email, "password": PASSWORD})

    assert response.status_code == 400
    assert b"already exists" in response.content


def test_an_operator_made_with_createsuperuser_counts_as_verified(settings):
    from django.core.management import call_command

    call_command("createsuperuser", "--noinput", "--email", "operator@example.com")

    assert User.objects.get(email="operator@example.com").email_verified_at is not None
