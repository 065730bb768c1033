import pytest

from jobs.models import Job
from projects.models import Project
from projects.services import project_create, project_delete, project_update
from videogen.errors import InvalidInput, NotFound


def test_create_trims_and_saves(owner):
    project = project_create(user=owner, name="  Launch  ", description="  Teasers \n")

    project.refresh_from_db()
    assert (project.user, project.name, project.description) == (owner, "Launch", "Teasers")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": " \t "}, "name"),
        ({"name": "n" * 201}, "name"),
        ({"name": "a\x00b"}, "name"),
        ({"name": 5}, "name"),
        ({"name": "ok", "description": "d" * 5001}, "description"),
        ({"name": "ok", "description": "a\x00b"}, "description"),
        ({"name": "ok", "description": None}, "description"),
    ],
)
def test_create_rejects_bad_input_naming_the_field(owner, kwargs, field):
    with pytest.raises(InvalidInput) as caught:
        project_create(user=owner, **kwargs)

    assert list(caught.value.details) == [field]
    assert caught.value.message.startswith(f"{field}: ")
    assert not Project.objects.exists()


def test_create_counts_length_after_trimming(owner):
    project = project_create(user=owner, name=" " + "n" * 200 + " ")

    assert len(project.name) == 200


def test_update_changes_only_the_given_fields(owner):
    project = project_create(user=owner, name="Old", description="Kept")

    project_update(project=project, name="New")

    project.refresh_from_db()
    assert (project.name, project.description) == ("New", "Kept")


def test_update_returns_the_project_as_saved(owner):
    project = project_create(user=owner, name="Old")

    returned = project_update(project=project, name=" New ", description=" Words ")

    project.refresh_from_db()
    assert (returned.name, returned.description) == ("New", "Words")
    assert returned.updated_at == project.updated_at


def test_update_with_nothing_to_change_writes_nothing(owner, django_assert_num_queries):
    project = project_create(user=owner, name="Same")

    with django_assert_num_queries(0):
        project_update(project=project)


def test_update_validates_before_writing(owner):
    project = project_create(user=owner, name="Same", description="Same")

    with pytest.raises(InvalidInput) as caught:
        project_update(project=project, name="fine", description="d" * 5001)

    assert list(caught.value.details) == ["description"]
    project.refresh_from_db()
    assert (project.name, project.description) == ("Same", "Same")


def test_update_of_a_project_deleted_meanwhile_is_not_found(owner):
    project = project_create(user=owner, name="Gone soon")
    Project.objects.filter(pk=project.pk).delete()

    with pytest.raises(NotFound):
        project_update(project=project, name="Too late")


def test_delete_keeps_the_jobs_with_no_project(owner, make_job):
    project = project_create(user=owner, name="Doomed")
    job = make_job(owner, project)

    project_delete(project=project)

    assert not Project.objects.exists()
    job.refresh_from_db()
    assert job.project_id is None
    assert Job.objects.filter(pk=job.pk).exists()
