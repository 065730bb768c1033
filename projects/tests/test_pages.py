"""The projects pages: list + create, a project's page with its jobs, edit, delete."""

from __future__ import annotations

import pytest

from jobs.models import Job, JobStatus
from jobs.tests.page_helpers import card_ids, form_csrf_token, html, htmx_headers, is_fragment, signed_in
from projects.models import Project

pytestmark = pytest.mark.django_db


# --- List and create ---------------------------------------------------------------------


def test_visitors_are_sent_to_log_in(client):
    response = client.get("/projects")

    assert response.status_code == 302
    assert response.url == "/login?next=/projects"


def test_the_list_shows_the_users_projects_with_job_counts(owner_client, owner, other_user, make_project, make_job):
    launch = make_project(owner, name="Launch film")
    make_project(owner, name="Empty one")
    make_project(other_user, name="Not mine")
    make_job(owner, launch)
    make_job(owner, launch)

    body = html(owner_client.get("/projects"))

    assert "Launch film" in body and "Empty one" in body
    assert "Not mine" not in body
    assert '<span data-testid="project-job-count">2 jobs</span>' in body
    assert '<span data-testid="project-job-count">0 jobs</span>' in body
    assert f'href="/create?project={launch.id}"' in body


def test_names_and_descriptions_are_escaped(owner_client, owner, make_project):
    make_project(owner, name="<script>x()</script>", description="<b>bold</b>")

    body = html(owner_client.get("/projects"))

    assert "<script>x()" not in body and "<b>bold</b>" not in body
    assert "&lt;script&gt;x()&lt;/script&gt;" in body


def test_creating_a_project_goes_to_its_page(owner_client, owner):
    response = owner_client.post("/projects", {"name": "  Ocean moods ", "description": "Waves"})

    project = Project.objects.get(user=owner)
    assert (project.name, project.description) == ("Ocean moods", "Waves")
    assert response.status_code == 302
    assert response.url == f"/projects/{project.id}"
    assert "Project “Ocean moods” created." in html(owner_client.get(response.url))


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"name": "   "}, "name", "This field may not be blank."),
        ({"name": "x" * 201}, "name", "Ensure this value has at most 200 characters (it has 201)."),
        (
            {"name": "ok", "description": "d" * 5001},
            "description",
            "Ensure this value has at most 5000 characters (it has 5001).",
        ),
    ],
)
def test_an_invalid_project_is_a_400_with_the_message_on_its_field(owner_client, owner, data, field, message):
    response = owner_client.post("/projects", data)

    assert response.status_code == 400
    assert " ".join(response.context["form"].errors[field]) == message
    assert f'data-testid="error-{field}"' in html(response)
    assert not Project.objects.filter(user=owner).exists()


# --- A project's page --------------------------------------------------------------------


def test_a_projects_page_shows_its_jobs_as_cards(owner_client, owner, make_project, make_job):
    project = make_project(owner, name="Launch film", description="Teasers\nand loops")
    inside = make_job(owner, project)
    make_job(owner)  # not in the project

    response = owner_client.get(f"/projects/{project.id}")

    assert response.status_code == 200
    assert card_ids(response) == [inside.id]
    body = html(response)
    assert 'data-testid="new-job-in-project"' in body
    assert f'href="/create?project={project.id}"' in body
    assert "Teasers\nand loops" in body


def test_an_empty_project_offers_a_new_job_in_it(owner_client, owner, make_project):
    project = make_project(owner)

    body = html(owner_client.get(f"/projects/{project.id}"))

    assert "No jobs in this project yet" in body


def test_a_projects_page_polls_while_a_job_in_it_is_active(owner_client, owner, make_project, make_job):
    project = make_project(owner)
    job = make_job(owner, project)  # queued
    assert f'hx-get="/projects/{project.id}" hx-trigger="every 2s' in html(owner_client.get(f"/projects/{project.id}"))

    Job.objects.filter(pk=job.pk).update(status=JobStatus.COMPLETED)
    response = owner_client.get(f"/projects/{project.id}", **htmx_headers())

    assert is_fragment(response)
    assert html(response).lstrip().startswith('<section id="job-list"')
    assert "every 2s" not in html(response)


def test_another_users_project_is_a_403_page(other_client, owner, make_project):
    project = make_project(owner, name="Private")

    for url in (f"/projects/{project.id}", f"/projects/{project.id}/edit", f"/projects/{project.id}/delete"):
        response = other_client.get(url)
        assert response.status_code == 403, url
        assert "Private" not in html(response)


def test_a_missing_project_is_a_404_page(owner_client):
    for url in ("/projects/nope", "/projects/nope/edit", "/projects/nope/delete"):
        response = owner_client.get(url)
        assert response.status_code == 404, url
        assert 'data-testid="error-page"' in html(response)


# --- Edit --------------------------------------------------------------------------------


def test_the_edit_form_is_filled_in(owner_client, owner, make_project):
    project = make_project(owner, name="Old name", description="Old text")

    body = html(owner_client.get(f"/projects/{project.id}/edit"))

    assert 'value="Old name"' in body
    assert ">\nOld text</textarea>" in body


def test_editing_renames_and_redescribes(owner_client, owner, make_project):
    project = make_project(owner, name="Old name")

    response = owner_client.post(f"/projects/{project.id}/edit", {"name": "New name", "description": "New text"})

    assert response.status_code == 302
    assert response.url == f"/projects/{project.id}"
    project.refresh_from_db()
    assert (project.name, project.description) == ("New name", "New text")


def test_an_invalid_edit_is_a_400_and_changes_nothing(owner_client, owner, make_project):
    project = make_project(owner, name="Old name")

    response = owner_client.post(f"/projects/{project.id}/edit", {"name": " "})

    assert response.status_code == 400
    assert response.context["form"].errors["name"] == ["This field may not be blank."]
    project.refresh_from_db()
    assert project.name == "Old name"


def test_another_user_cannot_edit(other_client, owner, make_project):
    project = make_project(owner, name="Old name")

    response = other_client.post(f"/projects/{project.id}/edit", {"name": "Hijacked"})

    assert response.status_code == 403
    project.refresh_from_db()
    assert project.name == "Old name"


# --- Delete ------------------------------------------------------------------------------


def test_delete_asks_first_without_javascript(owner_client, owner, make_project, make_job):
    project = make_project(owner, name="Launch film")
    make_job(owner, project)

    response = owner_client.get(f"/projects/{project.id}/delete")

    assert response.status_code == 200
    body = html(response)
    assert 'data-testid="confirm-delete"' in body
    assert "Its 1 job will be kept" in body
    assert Project.objects.filter(pk=project.pk).exists()


def test_deleting_keeps_the_jobs_and_goes_back_to_the_list(owner_client, owner, make_project, make_job):
    project = make_project(owner, name="Launch film")
    job = make_job(owner, project)

    response = owner_client.post(f"/projects/{project.id}/delete", {"next": f"/projects/{project.id}"})

    assert response.status_code == 302
    assert response.url == "/projects"  # never back to the page that is gone
    assert not Project.objects.filter(pk=project.pk).exists()
    job.refresh_from_db()
    assert job.project_id is None
    assert "Project “Launch film” deleted. Its jobs were kept." in html(owner_client.get("/projects"))


def test_an_htmx_delete_redirects_the_whole_page(owner_client, owner, make_project):
    project = make_project(owner)

    headers = htmx_headers(current_url=f"/projects/{project.id}")

    response = owner_client.post(f"/projects/{project.id}/delete", **headers)

    assert response["HX-Redirect"] == "/projects"
    assert not Project.objects.filter(pk=project.pk).exists()


def test_another_user_cannot_delete(other_client, owner, make_project):
    project = make_project(owner)

    assert other_client.post(f"/projects/{project.id}/delete").status_code == 403
    assert Project.objects.filter(pk=project.pk).exists()


# --- CSRF --------------------------------------------------------------------------------


def test_every_project_post_needs_a_csrf_token(owner, make_project):
    project = make_project(owner, name="Keep me")
    browser = signed_in(owner, enforce_csrf=True)

    assert browser.post("/projects", {"name": "New"}).status_code == 403
    assert browser.post(f"/projects/{project.id}/edit", {"name": "Changed"}).status_code == 403
    assert browser.post(f"/projects/{project.id}/delete").status_code == 403
    project.refresh_from_db()
    assert project.name == "Keep me"
    assert Project.objects.filter(user=owner).count() == 1


def test_the_forms_carry_their_csrf_token(owner, make_project):
    browser = signed_in(owner, enforce_csrf=True)
    token = form_csrf_token(browser.get("/projects"))

    response = browser.post("/projects", {"name": "With token", "csrfmiddlewaretoken": token})

    assert response.status_code == 302
