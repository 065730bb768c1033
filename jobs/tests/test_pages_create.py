"""The create page (/create): the form, server-side validation per field, the redirect."""

from __future__ import annotations

import pytest

from jobs.models import Job, JobStatus
from jobs.tests.page_helpers import card_ids, form_csrf_token, html, signed_in

pytestmark = pytest.mark.django_db

VALID = {
    "prompt": "A paper boat drifting down a neon-lit canal",
    "project": "",
    "model": "videogen-procedural-1",
    "resolution": "480p",
    "quality": "low",
    "duration": "2",
    "max_retries": "1",
    "seed": "",
}


@pytest.fixture(autouse=True)
def _quiet_redis(clean_redis):
    """Created jobs are enqueued after commit; keep this test's Redis db clean."""


def field_error(response, field: str) -> str:
    """The message shown under one field (the form's own error list)."""
    errors = response.context["form"].errors
    assert field in errors, errors
    return " ".join(errors[field])


def test_it_sends_visitors_to_log_in(client):
    response = client.get("/create")

    assert response.status_code == 302
    assert response.url == "/login?next=/create"


def test_the_form_lists_the_catalog_with_each_models_limits(owner_client):
    body = html(owner_client.get("/create"))

    assert '<label for="id_prompt">Prompt</label>' in body
    assert 'value="videogen-procedural-1" selected' in body
    assert "videogen procedural 1 · 480p–4k · up to 60 s" in body
    assert "Wan 2.1 T2V 1.3B · 480p–720p · up to 5 s" in body
    assert 'data-max-duration="5"' in body
    for field in ("prompt", "project", "model", "resolution", "quality", "duration", "max_retries", "seed"):
        assert f'<label for="id_{field}">' in body, field  # every field is labelled
    assert 'data-counter-for="id_prompt"' in body
    assert "0 / 5000" in body


def test_the_defaults_are_the_apis_defaults(owner_client):
    form = owner_client.get("/create").context["form"]

    assert form["resolution"].value() == "1080p"
    assert form["quality"].value() == "high"
    assert form["duration"].value() == 5
    assert form["max_retries"].value() == 3


def test_the_project_parameter_preselects_the_project(owner_client, owner, make_project):
    project = make_project(owner, name="Launch film")

    body = html(owner_client.get(f"/create?project={project.id}"))

    assert f'<option value="{project.id}" selected>Launch film</option>' in body


def test_another_users_project_is_not_offered_or_preselected(owner_client, other_user, make_project):
    theirs = make_project(other_user, name="Their secret")

    body = html(owner_client.get(f"/create?project={theirs.id}"))

    assert "Their secret" not in body
    assert "selected>Their" not in body


def test_a_valid_job_is_queued_and_shown_on_the_jobs_page(owner_client, owner, make_project):
    project = make_project(owner)

    response = owner_client.post("/create", {**VALID, "project": project.id, "seed": "7"})

    assert response.status_code == 302
    assert response.url == "/jobs"
    job = Job.objects.get(user=owner)
    assert (job.status, job.project_id, job.resolution, job.quality, job.duration, job.max_retries) == (
        JobStatus.QUEUED, project.id, "480p", "low", 2, 1
    )
    assert job.params["seed"] == 7 and job.metadata == {}
    jobs_page = owner_client.get(response.url)
    assert card_ids(jobs_page) == [job.id]
    assert "Job queued" in html(jobs_page)


def test_the_prompt_keeps_its_whitespace(owner_client, owner):
    owner_client.post("/create", {**VALID, "prompt": "  two\nlines  "})

    assert Job.objects.get(user=owner).prompt == "  two\nlines  "


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"prompt": ""}, "prompt", "This field is required."),
        ({"prompt": "   "}, "prompt", "This field may not be blank."),
        ({"prompt": "x" * 5001}, "prompt", "Ensure this field has no more than 5000 characters."),
        ({"duration": "0"}, "duration", "Must be between 1 and 60 seconds."),
        ({"duration": "61"}, "duration", "Must be between 1 and 60 seconds."),
        ({"duration": "two"}, "duration", "Enter a whole number."),
        ({"max_retries": "11"}, "max_retries", "Must be between 0 and 10."),
        ({"resolution": "8k"}, "resolution", "Select a valid choice. 8k is not one of the available choices."),
        ({"model": "nope"}, "model", "Select a valid choice. nope is not one of the available choices."),
        (
            {"model": "wan2.1-t2v-1.3b", "resolution": "1080p"},
            "resolution",
            "Model 'wan2.1-t2v-1.3b' supports 480p, 720p, not 1080p.",
        ),
        (
            {"model": "wan2.1-t2v-1.3b", "duration": "10"},
            "duration",
            "Model 'wan2.1-t2v-1.3b' renders at most 5 seconds; got 10.",
        ),
        ({"seed": "-1"}, "seed", "Must be between 0 and 9223372036854775807."),
    ],
)
def test_invalid_input_is_a_400_with_the_message_on_its_field(owner_client, owner, changes, field, message):
    response = owner_client.post("/create", {**VALID, **changes})

    assert response.status_code == 400
    assert field_error(response, field) == message
    assert f'data-testid="error-{field}"' in html(response)
    assert 'aria-invalid="true"' in html(response)
    assert not Job.objects.filter(user=owner).exists()


def test_an_invalid_form_keeps_what_was_typed(owner_client):
    response = owner_client.post("/create", {**VALID, "prompt": "kept <b>text</b>", "duration": "0"})

    body = html(response)
    assert "kept &lt;b&gt;text&lt;/b&gt;</textarea>" in body
    assert "16 / 5000" in body


def test_another_users_project_is_refused_on_the_project_field(owner_client, owner, other_user, make_project):
    theirs = make_project(other_user)

    response = owner_client.post("/create", {**VALID, "project": theirs.id})

    assert response.status_code == 400
    assert "Select a valid choice" in field_error(response, "project")
    assert not Job.objects.filter(user=owner).exists()


def test_too_many_active_jobs_is_a_429_with_the_reason(owner_client, owner, make_job, settings):
    settings.VIDEOGEN_MAX_ACTIVE_JOBS_PER_USER = 1
    make_job(owner, status=JobStatus.QUEUED)

    response = owner_client.post("/create", VALID)

    assert response.status_code == 429
    assert "You already have 1 active jobs" in " ".join(response.context["form"].non_field_errors())
    assert 'data-testid="form-errors"' in html(response)


def test_create_is_refused_without_a_csrf_token(owner):
    browser = signed_in(owner, enforce_csrf=True)

    response = browser.post("/create", VALID)

    assert response.status_code == 403
    assert not Job.objects.filter(user=owner).exists()


def test_create_with_the_pages_csrf_token_works(owner):
    browser = signed_in(owner, enforce_csrf=True)
    token = form_csrf_token(browser.get("/create"))

    response = browser.post("/create", {**VALID, "csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert Job.objects.filter(user=owner).count() == 1
