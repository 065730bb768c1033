from datetime import timedelta

import pytest
from django.utils import timezone

from projects.models import Project
from videogen.testing.api import assert_api_error, assert_query_error

URL = "/api/v1/projects"


def make_projects(make_project, user, count: int) -> list[Project]:
    """Projects created a minute apart, oldest first, so the order is certain."""
    start = timezone.now() - timedelta(days=1)
    projects = []
    for index in range(count):
        project = make_project(user, name=f"project {index}")
        Project.objects.filter(pk=project.pk).update(created_at=start + timedelta(minutes=index))
        projects.append(project)
    return projects


def ids(response) -> list[str]:
    return [row["id"] for row in response.json()["projects"]]


def test_it_lists_nothing_for_a_new_user(owner_api):
    response = owner_api.get(URL)

    assert response.status_code == 200
    assert response.json() == {"projects": [], "total": 0, "skip": 0, "take": 50}


def test_it_lists_the_callers_projects_newest_first(make_project, owner, owner_api):
    oldest, middle, newest = make_projects(make_project, owner, 3)

    response = owner_api.get(URL)

    assert response.status_code == 200
    assert ids(response) == [newest.id, middle.id, oldest.id]
    assert response.json()["total"] == 3
    row = response.json()["projects"][0]
    assert set(row) == {"id", "userId", "name", "description", "jobCount", "createdAt", "updatedAt"}
    assert row["userId"] == owner.id and row["name"] == "project 2"


def test_it_never_shows_another_users_projects(make_project, owner, other_user, owner_api, other_api):
    mine = make_project(owner, name="mine")
    theirs = make_project(other_user, name="theirs")

    assert ids(owner_api.get(URL)) == [mine.id]
    assert owner_api.get(URL).json()["total"] == 1
    assert ids(other_api.get(URL)) == [theirs.id]


def test_staff_see_only_their_own_projects(make_project, owner, staff, staff_api):
    make_project(owner, name="not staff's")
    own = make_project(staff, name="staff's")

    response = staff_api.get(URL)

    assert ids(response) == [own.id]
    assert response.json()["total"] == 1


def test_it_counts_each_projects_jobs(make_project, make_job, owner, other_user, owner_api):
    busy, idle = make_projects(make_project, owner, 2)
    for _ in range(3):
        make_job(owner, busy)
    make_job(owner)  # no project: counted nowhere

    rows = owner_api.get(URL).json()["projects"]

    assert {row["id"]: row["jobCount"] for row in rows} == {busy.id: 3, idle.id: 0}


def test_it_pages_with_skip_and_take(make_project, owner, owner_api):
    projects = make_projects(make_project, owner, 5)
    newest_first = [project.id for project in reversed(projects)]

    response = owner_api.get(URL, {"skip": 1, "take": 2})

    assert ids(response) == newest_first[1:3]
    body = response.json()
    assert (body["total"], body["skip"], body["take"]) == (5, 1, 2)


def test_a_skip_past_the_end_gives_an_empty_page_with_the_total(make_project, owner, owner_api):
    make_projects(make_project, owner, 2)

    response = owner_api.get(URL, {"skip": 10})

    assert response.status_code == 200
    assert response.json() == {"projects": [], "total": 2, "skip": 10, "take": 50}


def test_it_takes_50_by_default_and_100_at_most(make_project, owner, owner_api):
    make_projects(make_project, owner, 101)

    default = owner_api.get(URL)
    largest = owner_api.get(URL, {"take": 100})

    assert len(default.json()["projects"]) == 50 and default.json()["take"] == 50
    assert len(largest.json()["projects"]) == 100 and largest.json()["total"] == 101


@pytest.mark.parametrize("take", ["0", "-1", "101", "1000"])
def test_it_rejects_a_take_out_of_range(owner_api, take):
    response = owner_api.get(URL, {"take": take})

    assert_query_error(response, "take", "must be between 1 and 100.")


@pytest.mark.parametrize("value", ["abc", "1.5", "1e3", "ten"])
@pytest.mark.parametrize("field", ["skip", "take"])
def test_it_rejects_a_skip_or_take_that_is_not_an_integer(owner_api, field, value):
    response = owner_api.get(URL, {field: value})

    assert_query_error(response, field, "must be an integer.")


def test_it_rejects_a_negative_skip(owner_api):
    response = owner_api.get(URL, {"skip": "-1"})

    assert_query_error(response, "skip", "must be between 0 and 10000000.")


def test_it_requires_authentication(anon_api, make_project, owner):
    make_project(owner)

    response = anon_api.get(URL)

    assert_api_error(response, 401, message="Authentication credentials were not provided.")


@pytest.mark.parametrize("count", [1, 30])
def test_it_runs_the_same_queries_whatever_the_page_size(
    make_project, make_job, owner, owner_api, django_assert_num_queries, count
):
    for project in make_projects(make_project, owner, count):
        make_job(owner, project)
        make_job(owner, project)

    # The caller (token auth), the total, and the page with its job counts.
    with django_assert_num_queries(3):
        response = owner_api.get(URL)

    assert len(response.json()["projects"]) == count
    assert all(row["jobCount"] == 2 for row in response.json()["projects"])
