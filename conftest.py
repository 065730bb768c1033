"""Standing personas and clients shared by every app's tests."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tokens import token_pair_issue
from jobs.models import Job, JobStatus
from projects.models import Project

pytest_plugins = ["jobs.tests.live_workers", "videogen.tests.browser"]

PASSWORD = "correct horse battery staple 42"


@pytest.fixture
def make_user(db, django_user_model):
    def make(email: str, *, is_staff: bool = False, password: str = PASSWORD):
        return django_user_model.objects.create_user(email=email, password=password, is_staff=is_staff)

    return make


@pytest.fixture
def owner(make_user):
    return make_user("owner@example.com")


@pytest.fixture
def other_user(make_user):
    return make_user("other@example.com")


@pytest.fixture
def staff(make_user):
    return make_user("staff@example.com", is_staff=True)


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_pair_issue(user=user).access_token}")
    return client


@pytest.fixture
def owner_client(owner) -> Client:
    """A browser-like client signed in as the owner (session cookie)."""
    client = Client()
    client.force_login(owner)
    return client


@pytest.fixture
def other_client(other_user) -> Client:
    client = Client()
    client.force_login(other_user)
    return client


@pytest.fixture
def anon_api() -> APIClient:
    return APIClient()


@pytest.fixture
def owner_api(owner) -> APIClient:
    return client_for(owner)


@pytest.fixture
def other_api(other_user) -> APIClient:
    return client_for(other_user)


@pytest.fixture
def staff_api(staff) -> APIClient:
    return client_for(staff)


# --- rows ------------------------------------------------------------------------------


@pytest.fixture
def make_project(db):
    """A project row for ``user``."""

    def make(user, name: str = "Launch film", description: str = "") -> Project:
        return Project.objects.create(user=user, name=name, description=description)

    return make


@pytest.fixture
def make_job(db):
    """A job row in any state, written directly (the services are tested elsewhere)."""

    def make(user, project: Project | None = None, *, status: str = JobStatus.QUEUED, **fields) -> Job:
        now = timezone.now()
        values = {
            "prompt": "a red fox running through snow", "model": "videogen-procedural-1", "resolution": "480p",
            "quality": "low", "duration": 2, "queue": "cpu", "queued_at": now,
        }
        if status == JobStatus.PROCESSING:
            values.update(started_at=now, heartbeat_at=now, progress=40)
        if status in (JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED):
            values.update(started_at=now, completed_at=now)
        if status == JobStatus.COMPLETED:
            values.update(progress=100, generation_time_ms=1200)
        if status == JobStatus.FAILED:
            values.update(error_message="The engine crashed.")
        values.update(fields)
        return Job.objects.create(user=user, project=project, status=status, **values)

    return make


# --- the admin and the outside world ------------------------------------------------------


@pytest.fixture
def staff_client(client, staff):
    """The staff persona signed in to the admin (no per-model permission: apps that need
    one grant it in their own conftest)."""
    client.force_login(staff)
    return client


UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down(monkeypatch):
    """REDIS_URL pointing at a port nothing listens on, with no cached client for it."""
    from jobs import queueing

    monkeypatch.setattr(queueing, "_clients", {})
    with override_settings(REDIS_URL=UNREACHABLE_REDIS):
        yield
