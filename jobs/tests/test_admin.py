"""The jobs admin: list, filters, search, the cancel / retry actions, add and delete through the
services, a read-only change page, and no admin or RQ page for anyone but staff."""

import pytest
from django.contrib.messages import get_messages
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jobs.models import Job, JobStatus
from jobs.tests.helpers import rq_job_ids

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clean_redis")]

CHANGELIST = "/admin/jobs/job/"
ADD = f"{CHANGELIST}add/"


def listed(response) -> list[str]:
    assert response.status_code == 200
    return [job.pk for job in response.context["cl"].result_list]


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def run_action(staff_client, action: str, jobs):
    return staff_client.post(
        CHANGELIST, {"action": action, "_selected_action": [job.pk for job in jobs]}, follow=True
    )


# --- the list -------------------------------------------------------------------------


def test_the_changelist_shows_the_useful_columns(staff_client, owner, make_job, make_project):
    job = make_job(owner, project=make_project(owner, name="Launch film"), status=JobStatus.PROCESSING,
                   resolution="720p", duration=7)

    response = staff_client.get(CHANGELIST)

    assert listed(response) == [job.pk]
    html = response.content.decode()
    for text in ("owner@example.com", "processing", "40%", "videogen-procedural-1", "720p", "Launch film"):
        assert text in html
    assert '<td class="field-duration">7</td>' in html
    assert "field-created_at" in html


@pytest.mark.parametrize(
    ("params", "wanted"),
    [
        ({"status__exact": "failed"}, "failed"),
        ({"model": "wan2.1-t2v-1.3b"}, "wan"),
        ({"resolution": "4k"}, "4k"),
        ({"quality": "medium"}, "medium"),
    ],
)
def test_it_filters_by_status_model_resolution_and_quality(staff_client, owner, make_job, params, wanted):
    jobs = {
        "failed": make_job(owner, status=JobStatus.FAILED),
        "wan": make_job(owner, model="wan2.1-t2v-1.3b", queue="gpu"),
        "4k": make_job(owner, resolution="4k"),
        "medium": make_job(owner, quality="medium"),
    }

    assert listed(staff_client.get(CHANGELIST, params)) == [jobs[wanted].pk]


@pytest.mark.parametrize("term", ["lighthouse", "other@example", "job id"])
def test_it_searches_by_prompt_email_and_id(staff_client, owner, other_user, make_job, term):
    wanted = make_job(other_user, prompt="A lighthouse at dusk")
    make_job(owner, prompt="A fox in the snow")

    response = staff_client.get(CHANGELIST, {"q": wanted.pk if term == "job id" else term})

    assert listed(response) == [wanted.pk]


def test_the_changelist_runs_the_same_queries_for_any_number_of_jobs(
    staff_client, owner, other_user, make_job, make_project
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(CHANGELIST).status_code == 200
        return len(captured)

    make_job(owner, project=make_project(owner))
    one = queries()
    for index in range(10):
        user = owner if index % 2 else other_user
        make_job(user, project=make_project(user, name=f"project {index}"))

    assert queries() == one


# --- actions --------------------------------------------------------------------------


def test_cancel_selected_cancels_active_jobs_through_the_service(
    staff_client, owner, make_job, django_capture_on_commit_callbacks
):
    queued = make_job(owner, status=JobStatus.QUEUED)
    processing = make_job(owner, status=JobStatus.PROCESSING)

    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(staff_client, "cancel_selected", [queued, processing])

    assert response.status_code == 200
    assert set(Job.objects.values_list("status", flat=True)) == {JobStatus.CANCELLED}
    assert "Cancelled 2 jobs." in messages_of(response)


def test_cancel_selected_reports_each_job_it_could_not_cancel(staff_client, owner, make_job):
    queued = make_job(owner, status=JobStatus.QUEUED)
    completed = make_job(owner, status=JobStatus.COMPLETED)

    response = run_action(staff_client, "cancel_selected", [queued, completed])

    assert response.status_code == 200
    completed.refresh_from_db()
    assert completed.status == JobStatus.COMPLETED
    assert messages_of(response) == [
        f"Job {completed.pk}: Job is already completed; only queued or processing jobs can be cancelled.",
        "Cancelled 1 job.",
    ]


def test_retry_selected_queues_a_new_attempt_and_enqueues_it(
    staff_client, owner, make_job, idle_workers, django_capture_on_commit_callbacks
):
    failed = make_job(owner, status=JobStatus.FAILED, retry_count=3)

    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(staff_client, "retry_selected", [failed])

    failed.refresh_from_db()
    assert (failed.status, failed.attempt, failed.retry_count) == (JobStatus.QUEUED, 2, 0)
    assert rq_job_ids("cpu") == [f"videogen-{failed.pk}-2"]
    assert "Queued again 1 job." in messages_of(response)


def test_retry_selected_reports_jobs_that_cannot_be_retried(staff_client, owner, make_job):
    processing = make_job(owner, status=JobStatus.PROCESSING)

    response = run_action(staff_client, "retry_selected", [processing])

    assert response.status_code == 200
    processing.refresh_from_db()
    assert (processing.status, processing.attempt) == (JobStatus.PROCESSING, 1)
    assert messages_of(response) == [
        f"Job {processing.pk}: Job is processing; only failed or cancelled jobs can be retried."
    ]


def test_non_staff_users_cannot_run_the_actions(client, owner, make_job):
    client.force_login(owner)
    queued = make_job(owner)

    response = client.post(CHANGELIST, {"action": "cancel_selected", "_selected_action": [queued.pk]})

    queued.refresh_from_db()
    assert queued.status == JobStatus.QUEUED
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


# --- one job --------------------------------------------------------------------------


def test_the_change_page_is_read_only(staff_client, owner, make_job, store_output):
    job = store_output(make_job(owner, status=JobStatus.COMPLETED))

    response = staff_client.get(f"{CHANGELIST}{job.pk}/change/")

    assert response.status_code == 200
    html = response.content.decode()
    assert job.video_path in html and "h264" in html
    assert 'name="_save"' not in html
    assert 'name="status"' not in html and 'name="prompt"' not in html


def test_a_job_cannot_be_saved_back_from_its_change_page(staff_client, owner, make_job):
    job = make_job(owner, status=JobStatus.QUEUED)

    response = staff_client.post(f"{CHANGELIST}{job.pk}/change/", {"status": "completed", "prompt": "changed"})

    assert response.status_code == 403
    job.refresh_from_db()
    assert (job.status, job.prompt) == (JobStatus.QUEUED, "a red fox running through snow")


def add_form(owner, **overrides) -> dict:
    data = {
        "user": owner.pk, "project": "", "prompt": "A lighthouse at dusk", "model": "videogen-procedural-1",
        "resolution": "720p", "quality": "medium", "duration": "4", "max_retries": "2", "_save": "Save",
    }
    data.update(overrides)
    return data


def test_the_add_form_offers_only_the_request_fields(staff_client):
    response = staff_client.get(ADD)

    assert response.status_code == 200
    assert list(response.context["adminform"].form.fields) == [
        "user", "project", "prompt", "model", "resolution", "quality", "duration", "max_retries",
    ]


def test_adding_a_job_creates_and_enqueues_it_through_the_service(
    staff_client, owner, make_project, idle_workers, django_capture_on_commit_callbacks
):
    project = make_project(owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(ADD, add_form(owner, project=project.pk))

    assert response.status_code == 302, response.context["adminform"].form.errors
    job = Job.objects.get()
    assert (job.user, job.project, job.status, job.attempt) == (owner, project, JobStatus.QUEUED, 1)
    assert (job.resolution, job.quality, job.duration, job.max_retries) == ("720p", "medium", 4, 2)
    assert job.queued_at and job.queue == "cpu"
    assert rq_job_ids("cpu") == [f"videogen-{job.pk}-1"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"model": "wan2.1-t2v-1.3b", "resolution": "1080p"}, "resolution", "supports 480p, 720p, not 1080p"),
        ({"model": "wan2.1-t2v-1.3b", "resolution": "480p", "duration": "6"}, "duration", "at most 5 seconds"),
        # The parameter contract's messages, as on the page's form.
        ({"duration": "61"}, "duration", "Must be between 1 and 60 seconds."),
        ({"prompt": "   "}, "prompt", "This field is required."),
        ({"max_retries": "11"}, "max_retries", "Must be between 0 and 10."),
    ],
)
def test_an_invalid_add_form_is_shown_again_with_the_reason(staff_client, owner, overrides, field, message):
    response = staff_client.post(ADD, add_form(owner, **overrides))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors[field]), errors
    assert not Job.objects.exists()


def test_adding_a_job_in_another_users_project_is_refused(staff_client, owner, other_user, make_project):
    response = staff_client.post(ADD, add_form(other_user, project=make_project(owner).pk))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["project"] == ["Not your project."]
    assert not Job.objects.exists()


def test_adding_a_job_over_the_active_cap_says_so_and_creates_nothing(staff_client, owner, make_job, settings):
    settings.VIDEOGEN_MAX_ACTIVE_JOBS_PER_USER = 1
    make_job(owner, status=JobStatus.QUEUED)

    response = staff_client.post(ADD, add_form(owner), follow=True)

    assert response.redirect_chain[-1][0] == ADD
    assert Job.objects.count() == 1
    assert any("The job was not created: You already have 1 active jobs" in text for text in messages_of(response))


def test_deleting_from_the_admin_removes_the_files_through_the_service(
    staff_client, owner, make_job, store_output, django_capture_on_commit_callbacks
):
    job = store_output(make_job(owner, status=JobStatus.COMPLETED))

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(f"{CHANGELIST}{job.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Job.objects.exists()
    assert not default_storage.exists(job.video_path)


def test_deleting_selected_jobs_removes_each_ones_files(
    staff_client, owner, make_job, store_output, django_capture_on_commit_callbacks
):
    jobs = [store_output(make_job(owner, status=JobStatus.COMPLETED)) for _ in range(2)]

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(CHANGELIST, {
            "action": "delete_selected", "_selected_action": [job.pk for job in jobs], "post": "yes",
        })

    assert not Job.objects.exists()
    assert not any(default_storage.exists(job.video_path) for job in jobs)


# --- who may enter --------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/admin/", CHANGELIST, "/admin/rq/"])
def test_a_signed_in_user_who_is_not_staff_is_sent_to_the_admin_login(client, owner, path):
    client.force_login(owner)

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("path", ["/admin/", CHANGELIST, "/admin/rq/"])
def test_anonymous_visitors_are_sent_to_the_admin_login(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_staff_reach_the_rq_dashboard(staff_client):
    assert staff_client.get("/admin/rq/").status_code == 200
