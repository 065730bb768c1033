import pytest

from videogen.testing.api import assert_api_error


def url(project_id: str) -> str:
    return f"/api/v1/projects/{project_id}"


def test_it_shows_the_owner_their_project(project, owner, owner_api, make_job):
    make_job(owner, project)
    make_job(owner, project)

    response = owner_api.get(url(project.id))

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == project.id
    assert body["userId"] == owner.id
    assert body["name"] == "Launch film"
    assert body["description"] == "Teasers for the launch"
    assert body["jobCount"] == 2
    assert set(body) == {"id", "userId", "name", "description", "jobCount", "createdAt", "updatedAt"}


@pytest.mark.parametrize("client", ["other_api", "staff_api"])
def test_it_forbids_anyone_but_the_owner(project, request, client):
    response = request.getfixturevalue(client).get(url(project.id))

    assert_api_error(response, 403, message="You do not have access to this project.")


def test_it_answers_404_for_a_missing_project(owner_api):
    response = owner_api.get(url("doesnotexist0000000000000"))

    assert_api_error(response, 404, message="Project not found.")


def test_it_answers_404_for_an_id_with_a_null_character(owner_api):
    response = owner_api.get(url("abc%00def"))

    # The request guard (videogen/request_guard.py) answers any path with a control
    # character with the generic 404 before a view is reached.
    assert_api_error(response, 404, message="There is nothing here. It may have been deleted.")


def test_it_requires_authentication(project, anon_api):
    response = anon_api.get(url(project.id))

    assert_api_error(response, 401, message="Authentication credentials were not provided.")


def test_a_bad_token_is_refused(project, anon_api):
    anon_api.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")

    response = anon_api.get(url(project.id))

    assert response.status_code == 401
