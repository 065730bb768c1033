from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from projects.models import Project

CHANGELIST = "/admin/projects/project/"


def test_the_changelist_shows_names_owners_and_job_counts(staff_client, make_project, make_job, owner):
    busy = make_project(owner, name="Busy project")
    make_project(owner, name="Idle project")
    for _ in range(3):
        make_job(owner, busy)

    response = staff_client.get(CHANGELIST)

    assert response.status_code == 200
    rows = {row.pk: row for row in response.context["cl"].result_list}
    assert {row.name: row.job_count for row in rows.values()} == {"Busy project": 3, "Idle project": 0}
    html = response.content.decode()
    assert "Busy project" in html and "owner@example.com" in html
    assert '<td class="field-job_count">3</td>' in html


def test_the_changelist_runs_the_same_queries_for_any_number_of_projects(
    staff_client, make_project, make_job, owner, other_user
):
    def queries_for_changelist() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(CHANGELIST).status_code == 200
        return len(captured)

    make_job(owner, make_project(owner, name="first"))
    one = queries_for_changelist()
    for index in range(10):
        user = owner if index % 2 else other_user
        make_job(user, make_project(user, name=f"more {index}"))
    many = queries_for_changelist()

    assert one == many


@pytest.mark.parametrize("term", ["Launch", "owner@example", "project_id"])
def test_it_searches_by_name_email_and_id(staff_client, make_project, owner, other_user, term):
    wanted = make_project(owner, name="Launch film")
    make_project(other_user, name="Holiday reel")
    if term == "project_id":
        term = wanted.id

    response = staff_client.get(CHANGELIST, {"q": term})

    assert [row.pk for row in response.context["cl"].result_list] == [wanted.pk]


def test_it_filters_by_creation_date(staff_client, make_project, owner):
    recent = make_project(owner, name="Recent")
    old = make_project(owner, name="Old")
    Project.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=60))

    since = (timezone.now() - timedelta(days=7)).date().isoformat()

    response = staff_client.get(CHANGELIST, {"created_at__gte": since})

    assert [row.pk for row in response.context["cl"].result_list] == [recent.pk]


def test_it_sorts_by_job_count(staff_client, make_project, make_job, owner):
    quiet = make_project(owner, name="Quiet")
    busy = make_project(owner, name="Busy")
    make_job(owner, busy)

    response = staff_client.get(CHANGELIST, {"o": "-3"})

    assert [row.pk for row in response.context["cl"].result_list] == [busy.pk, quiet.pk]


def test_the_change_and_add_forms_render(staff_client, project, owner, make_job):
    make_job(owner, project)

    change = staff_client.get(f"{CHANGELIST}{project.pk}/change/")
    add = staff_client.get(f"{CHANGELIST}add/")

    assert change.status_code == 200 and "Launch film" in change.content.decode()
    assert add.status_code == 200


def test_non_staff_cannot_reach_it(client, owner, project):
    client.force_login(owner)

    response = client.get(CHANGELIST)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_anonymous_visitors_are_sent_to_the_login(client, project):
    response = client.get(CHANGELIST)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_staff_without_explicit_permissions_can_manage_projects(client, staff, project):
    assert not staff.user_permissions.exists()
    client.force_login(staff)

    response = client.get(CHANGELIST)

    assert response.status_code == 200


def test_adding_a_project_goes_through_the_service(staff_client, owner, monkeypatch):
    from projects import services

    created = []
    real = services.project_create
    monkeypatch.setattr(services, "project_create", lambda **kw: created.append(kw) or real(**kw))

    response = staff_client.post(f"{CHANGELIST}add/", {"user": owner.pk, "name": "  Trailer  ", "description": ""})

    assert response.status_code == 302, response.content
    assert [call["name"] for call in created] == ["Trailer"]
    assert Project.objects.get().name == "Trailer"


def test_changing_and_deleting_a_project_go_through_the_services(staff_client, project, owner, make_job):
    job = make_job(owner, project)

    response = staff_client.post(f"{CHANGELIST}{project.pk}/change/", {"name": "Renamed", "description": "New"})
    assert response.status_code == 302, response.content
    project.refresh_from_db()
    assert (project.name, project.description, project.user_id) == ("Renamed", "New", owner.pk)

    response = staff_client.post(f"{CHANGELIST}{project.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Project.objects.exists()
    job.refresh_from_db()
    assert job.project_id is None  # the jobs are kept


def test_a_name_the_service_refuses_is_shown_on_the_field(staff_client, owner):
    response = staff_client.post(f"{CHANGELIST}add/", {"user": owner.pk, "name": "x" * 201, "description": ""})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name"]
    assert not Project.objects.exists()
