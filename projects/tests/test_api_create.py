import pytest

from projects.models import Project
from videogen.testing.api import assert_api_error, assert_field_error

URL = "/api/v1/projects"


def test_it_creates_a_project_for_the_caller(owner, owner_api):
    response = owner_api.post(URL, {"name": "Launch film", "description": "Teasers"}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "userId", "name", "description", "jobCount", "createdAt", "updatedAt"}
    project = Project.objects.get()
    assert body["id"] == project.id
    assert body["userId"] == owner.id
    assert body["name"] == "Launch film"
    assert body["description"] == "Teasers"
    assert body["jobCount"] == 0
    assert body["createdAt"] and body["updatedAt"]
    assert project.user == owner and project.name == "Launch film"


def test_it_defaults_the_description_to_empty(owner_api):
    response = owner_api.post(URL, {"name": "Launch film"}, format="json")

    assert response.status_code == 201
    assert response.json()["description"] == ""


def test_it_reads_a_null_description_as_empty(owner_api):
    response = owner_api.post(URL, {"name": "Launch film", "description": None}, format="json")

    assert response.status_code == 201
    assert response.json()["description"] == ""


def test_it_trims_the_name(owner_api):
    response = owner_api.post(URL, {"name": "  Launch film \n"}, format="json")

    assert response.status_code == 201
    assert Project.objects.get().name == "Launch film"


def test_it_gives_ids_that_are_opaque_strings(owner_api):
    first = owner_api.post(URL, {"name": "a"}, format="json").json()["id"]
    second = owner_api.post(URL, {"name": "b"}, format="json").json()["id"]

    assert isinstance(first, str) and not first.isdigit()
    assert first != second


def test_it_ignores_an_owner_or_id_in_the_body(owner, other_user, owner_api):
    response = owner_api.post(URL, {"name": "Mine", "userId": other_user.id, "id": "chosen"}, format="json")

    assert response.status_code == 201
    project = Project.objects.get()
    assert project.user == owner
    assert project.id != "chosen"


def test_staff_create_their_own_projects(staff, staff_api):
    response = staff_api.post(URL, {"name": "Ops"}, format="json")

    assert response.status_code == 201
    assert response.json()["userId"] == staff.id


def test_it_accepts_the_longest_name_and_description(owner_api):
    response = owner_api.post(URL, {"name": "n" * 200, "description": "d" * 5000}, format="json")

    assert response.status_code == 201


def test_it_requires_authentication(anon_api, db):
    response = anon_api.post(URL, {"name": "Launch film"}, format="json")

    assert_api_error(response, 401, message="Authentication credentials were not provided.")
    assert not Project.objects.exists()


def test_it_requires_a_name(owner_api):
    response = owner_api.post(URL, {"description": "no name"}, format="json")

    assert_field_error(response, "name", "This field is required.")
    assert not Project.objects.exists()


@pytest.mark.parametrize("name", ["", "   ", "\n\t"])
def test_it_rejects_an_empty_name(owner_api, name):
    response = owner_api.post(URL, {"name": name}, format="json")

    assert_field_error(response, "name", "This field may not be blank.")
    assert not Project.objects.exists()


def test_it_rejects_a_name_over_200_characters(owner_api):
    response = owner_api.post(URL, {"name": "n" * 201}, format="json")

    assert_field_error(response, "name", "Ensure this field has no more than 200 characters.")
    assert not Project.objects.exists()


def test_it_rejects_a_description_over_5000_characters(owner_api):
    response = owner_api.post(URL, {"name": "ok", "description": "d" * 5001}, format="json")

    assert_field_error(response, "description", "Ensure this field has no more than 5000 characters.")
    assert not Project.objects.exists()


@pytest.mark.parametrize("name", [123, 1.5, True, ["a"], {"a": 1}])
def test_it_rejects_a_name_that_is_not_a_string(owner_api, name):
    response = owner_api.post(URL, {"name": name}, format="json")

    assert_field_error(response, "name", "Must be a string.")
    assert not Project.objects.exists()


def test_it_rejects_a_null_name(owner_api):
    response = owner_api.post(URL, {"name": None}, format="json")

    assert_field_error(response, "name", "This field may not be null.")


@pytest.mark.parametrize("description", [5, False, ["a"], {"a": 1}])
def test_it_rejects_a_description_that_is_not_a_string(owner_api, description):
    response = owner_api.post(URL, {"name": "ok", "description": description}, format="json")

    assert_field_error(response, "description", "Must be a string.")
    assert not Project.objects.exists()


@pytest.mark.parametrize("field", ["name", "description"])
def test_it_rejects_null_characters(owner_api, field):
    body = {"name": "ok", field: "bad\x00value"}

    response = owner_api.post(URL, body, format="json")

    assert_field_error(response, field, "Null characters are not allowed.")
    assert not Project.objects.exists()


def test_it_rejects_a_body_that_is_not_an_object(owner_api):
    response = owner_api.post(URL, ["name"], format="json")

    assert_api_error(response, 400, message="Invalid input. Expected a JSON object.")


def test_it_rejects_malformed_json(owner_api):
    response = owner_api.post(URL, '{"name": ', content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"].startswith("Malformed request body")
