import pytest

from jobs.models import Job
from projects.models import Project
from videogen.testing.api import assert_api_error, assert_field_error


def url(project_id: str) -> str:
    return f"/api/v1/projects/{project_id}"


def snapshot(project: Project) -> tuple:
    row = Project.objects.get(pk=project.pk)
    return row.user_id, row.name, row.description, row.updated_at


# --- PATCH -------------------------------------------------------------------------


def test_it_renames_a_project(project, owner_api):
    before = project.updated_at

    response = owner_api.patch(url(project.id), {"name": "  Renamed  "}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Renamed"
    assert body["description"] == "Teasers for the launch"
    project.refresh_from_db()
    assert project.name == "Renamed"
    assert project.description == "Teasers for the launch"
    assert project.updated_at > before
    assert body["updatedAt"] != body["createdAt"]


def test_it_changes_only_the_description(project, owner_api):
    response = owner_api.patch(url(project.id), {"description": "New words"}, format="json")

    assert response.status_code == 200
    project.refresh_from_db()
    assert (project.name, project.description) == ("Launch film", "New words")


@pytest.mark.parametrize("description", ["", None])
def test_it_clears_the_description(project, owner_api, description):
    response = owner_api.patch(url(project.id), {"description": description}, format="json")

    assert response.status_code == 200
    assert response.json()["description"] == ""
    project.refresh_from_db()
    assert project.description == ""


def test_an_empty_patch_changes_nothing(project, owner_api):
    before = snapshot(project)

    response = owner_api.patch(url(project.id), {}, format="json")

    assert response.status_code == 200
    assert response.json()["name"] == "Launch film"
    assert snapshot(project) == before


def test_it_keeps_the_job_count_in_the_answer(project, owner, owner_api, make_job):
    make_job(owner, project)

    response = owner_api.patch(url(project.id), {"name": "Renamed"}, format="json")

    assert response.json()["jobCount"] == 1


def test_it_ignores_attempts_to_change_the_owner_or_id(project, owner, other_user, owner_api):
    response = owner_api.patch(url(project.id), {"userId": other_user.id, "id": "new-id", "jobCount": 9}, format="json")

    assert response.status_code == 200
    assert Project.objects.get(pk=project.pk).user == owner
    assert not Project.objects.filter(pk="new-id").exists()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"name": ""}, "name", "This field may not be blank."),
        ({"name": "   "}, "name", "This field may not be blank."),
        ({"name": None}, "name", "This field may not be null."),
        ({"name": "n" * 201}, "name", "Ensure this field has no more than 200 characters."),
        ({"name": 7}, "name", "Must be a string."),
        ({"name": ["a"]}, "name", "Must be a string."),
        ({"name": "a\x00b"}, "name", "Null characters are not allowed."),
        ({"description": "d" * 5001}, "description", "Ensure this field has no more than 5000 characters."),
        ({"description": True}, "description", "Must be a string."),
        ({"description": "a\x00b"}, "description", "Null characters are not allowed."),
    ],
)
def test_it_rejects_bad_values_and_changes_nothing(project, owner_api, body, field, message):
    before = snapshot(project)

    response = owner_api.patch(url(project.id), body, format="json")

    assert_field_error(response, field, message)
    assert snapshot(project) == before


@pytest.mark.parametrize("client", ["other_api", "staff_api"])
def test_it_forbids_changing_another_users_project(project, request, client):
    before = snapshot(project)

    response = request.getfixturevalue(client).patch(url(project.id), {"name": "Hijacked"}, format="json")

    assert_api_error(response, 403, message="You do not have access to this project.")
    assert snapshot(project) == before


def test_it_checks_access_before_validating(project, other_api):
    response = other_api.patch(url(project.id), {"name": ""}, format="json")

    assert response.status_code == 403


def test_it_answers_404_when_patching_a_missing_project(owner_api):
    response = owner_api.patch(url("doesnotexist0000000000000"), {"name": "x"}, format="json")

    assert_api_error(response, 404, message="Project not found.")


def test_patch_requires_authentication(project, anon_api):
    before = snapshot(project)

    response = anon_api.patch(url(project.id), {"name": "x"}, format="json")

    assert response.status_code == 401
    assert snapshot(project) == before


def test_put_is_not_offered(project, owner_api):
    response = owner_api.put(url(project.id), {"name": "x"}, format="json")

    assert response.status_code == 405


# --- DELETE ------------------------------------------------------------------------


def test_it_deletes_a_project(project, owner_api):
    response = owner_api.delete(url(project.id))

    assert response.status_code == 204
    assert response.content == b""
    assert not Project.objects.filter(pk=project.pk).exists()


def test_deleting_a_project_keeps_its_jobs_without_a_project(project, make_project, owner, owner_api, make_job):
    kept = [make_job(owner, project), make_job(owner, project)]
    elsewhere = make_job(owner, make_project(owner, name="other"))

    response = owner_api.delete(url(project.id))

    assert response.status_code == 204
    for job in kept:
        job.refresh_from_db()
        assert job.project_id is None
    elsewhere.refresh_from_db()
    assert elsewhere.project_id is not None
    assert Job.objects.count() == 3


def test_a_deleted_project_is_gone_from_the_api(project, owner_api):
    owner_api.delete(url(project.id))

    assert owner_api.get(url(project.id)).status_code == 404
    assert owner_api.delete(url(project.id)).status_code == 404
    assert owner_api.get("/api/v1/projects").json()["total"] == 0


@pytest.mark.parametrize("client", ["other_api", "staff_api"])
def test_it_forbids_deleting_another_users_project(project, owner, make_job, request, client):
    job = make_job(owner, project)
    before = snapshot(project)

    response = request.getfixturevalue(client).delete(url(project.id))

    assert_api_error(response, 403, message="You do not have access to this project.")
    assert snapshot(project) == before
    job.refresh_from_db()
    assert job.project_id == project.id


def test_it_answers_404_when_deleting_a_missing_project(owner_api):
    response = owner_api.delete(url("doesnotexist0000000000000"))

    assert_api_error(response, 404, message="Project not found.")


def test_delete_requires_authentication(project, anon_api):
    response = anon_api.delete(url(project.id))

    assert response.status_code == 401
    assert Project.objects.filter(pk=project.pk).exists()
