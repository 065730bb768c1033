import pytest

from projects.selectors import get_project_for_user, project_list
from videogen.errors import Forbidden, NotFound


def test_the_access_helper_gives_the_owner_their_project_with_its_job_count(project, owner, make_job):
    make_job(owner, project)

    loaded = get_project_for_user(user=owner, project_id=project.id)

    assert loaded == project
    assert loaded.job_count == 1


def test_the_access_helper_refuses_another_user(project, other_user):
    with pytest.raises(Forbidden):
        get_project_for_user(user=other_user, project_id=project.id)


def test_the_access_helper_refuses_staff_too(project, staff):
    with pytest.raises(Forbidden):
        get_project_for_user(user=staff, project_id=project.id)


@pytest.mark.parametrize("project_id", ["missing", "", "a\x00b", "x" * 500])
def test_the_access_helper_answers_not_found_for_unknown_ids(owner, project_id):
    with pytest.raises(NotFound):
        get_project_for_user(user=owner, project_id=project_id)


def test_the_list_is_the_users_own_page_and_total(make_project, owner, other_user):
    mine = [make_project(owner, name=f"p{index}") for index in range(3)]
    make_project(other_user)

    rows, total = project_list(user=owner, skip=0, take=2)

    assert total == 3
    assert len(rows) == 2
    assert {row.user_id for row in rows} == {owner.id}
    assert {row.id for row in rows} < {project.id for project in mine}
