"""The jobs list page (/jobs) and the in-place cancel / retry / delete actions."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jobs.models import Job, JobStatus
from jobs.tests.page_helpers import (
    card_ids,
    csrf_header_token,
    html,
    htmx_headers,
    is_fragment,
    signed_in,
)

pytestmark = pytest.mark.django_db


# --- The list -------------------------------------------------------------------------


def test_it_sends_visitors_to_the_login_page_and_back(client):
    response = client.get("/jobs?status=queued")

    assert response.status_code == 302
    assert response.url == "/login?next=/jobs%3Fstatus%3Dqueued"


def test_an_htmx_poll_without_a_session_redirects_the_whole_page_to_login(client):
    response = client.get("/jobs", **htmx_headers(current_url="/jobs"))

    assert response.status_code == 200
    assert response["HX-Redirect"] == "/login?next=%2Fjobs"


def test_it_shows_only_the_users_jobs_newest_first(owner_client, owner, other_user, make_job):
    older = make_job(owner, prompt="older one")
    newer = make_job(owner, prompt="newer one")
    Job.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(hours=1))
    make_job(other_user, prompt="someone else's")

    response = owner_client.get("/jobs")

    assert response.status_code == 200
    assert card_ids(response) == [newer.id, older.id]
    assert "someone else&#x27;s" not in html(response)


def test_a_card_shows_the_parameters_status_and_project(owner_client, owner, make_job, make_project):
    project = make_project(owner, name="Launch film")
    make_job(owner, status=JobStatus.PROCESSING, project=project, resolution="720p", duration=7, progress=42)

    body = html(owner_client.get("/jobs"))

    assert 'data-status="processing"' in body
    assert "videogen-procedural-1" in body
    assert "720p" in body and "7 s" in body
    assert "Launch film" in body
    assert '<progress value="42" max="100"' in body


def test_a_queued_card_shows_its_position_in_the_queue(owner_client, owner, make_job):
    first = make_job(owner, queued_at=timezone.now() - timedelta(minutes=1))
    make_job(owner)

    body = html(owner_client.get("/jobs"))

    assert "<strong>#1</strong> in line" in body
    assert "<strong>#2</strong> in line" in body
    assert first.id in body


def test_prompts_are_escaped(owner_client, owner, make_job):
    make_job(owner, prompt="<script>alert('x')</script>")

    body = html(owner_client.get("/jobs"))

    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in body


def test_a_completed_card_shows_its_thumbnail_and_a_download_link(owner_client, owner, make_job, store_output):
    job = store_output(make_job(owner, status=JobStatus.COMPLETED))

    body = html(owner_client.get("/jobs"))

    assert f'src="/api/v1/jobs/{job.id}/thumbnail?v=1"' in body
    assert f'href="/api/v1/jobs/{job.id}/video?download=1"' in body


def test_an_unfinished_card_shows_a_placeholder_instead_of_a_thumbnail(owner_client, owner, make_job):
    make_job(owner)

    body = html(owner_client.get("/jobs"))

    assert "thumb-placeholder" in body
    assert "/thumbnail" not in body


def test_the_actions_match_the_status(owner_client, owner, make_job):
    make_job(owner, status=JobStatus.QUEUED)
    make_job(owner, status=JobStatus.FAILED)
    make_job(owner, status=JobStatus.COMPLETED)

    body = html(owner_client.get("/jobs"))

    assert body.count('data-testid="cancel-job"') == 1
    assert body.count('data-testid="retry-job"') == 1
    assert body.count('data-testid="delete-job"') == 3
    assert body.count("hx-confirm=") == 3


def test_the_stats_strip_counts_by_status(owner_client, owner, make_job):
    make_job(owner, status=JobStatus.COMPLETED, generation_time_ms=2000)
    make_job(owner, status=JobStatus.COMPLETED, generation_time_ms=4000)
    make_job(owner, status=JobStatus.FAILED)
    make_job(owner, status=JobStatus.QUEUED)

    response = owner_client.get("/jobs")

    assert response.context["stats"]["total"] == 4
    body = html(response)
    assert '<span class="stat-value" data-testid="stat-total">4</span>' in body
    assert '<span class="stat-value" data-testid="stat-success-rate">67%</span>' in body
    assert '<span class="stat-value" data-testid="stat-avg-time">3.0 s</span>' in body


def test_it_filters_by_status(owner_client, owner, make_job):
    failed = make_job(owner, status=JobStatus.FAILED)
    make_job(owner, status=JobStatus.COMPLETED)

    response = owner_client.get("/jobs?status=failed")

    assert card_ids(response) == [failed.id]
    assert '<option value="failed" selected>' in html(response)


def test_it_filters_by_project(owner_client, owner, make_job, make_project):
    project = make_project(owner, name="Ocean moods")
    inside = make_job(owner, project=project)
    make_job(owner)

    response = owner_client.get(f"/jobs?project={project.id}")

    assert card_ids(response) == [inside.id]


def test_a_bad_filter_is_a_400_that_names_the_field(owner_client, owner, make_job):
    make_job(owner)

    response = owner_client.get("/jobs?status=exploded")

    assert response.status_code == 400
    assert "Select a valid choice. exploded is not one of the available choices." in html(response)
    assert len(card_ids(response)) == 1  # the bad filter filters nothing


def test_another_users_project_is_not_a_valid_filter(owner_client, other_user, make_project):
    theirs = make_project(other_user, name="Secret")

    response = owner_client.get(f"/jobs?project={theirs.id}")

    assert response.status_code == 400
    assert "Secret" not in html(response)


def test_it_paginates_twelve_a_page_keeping_the_filters(owner_client, owner, make_job):
    jobs = [make_job(owner, status=JobStatus.COMPLETED) for _ in range(14)]

    first = owner_client.get("/jobs?status=completed")
    second = owner_client.get("/jobs?status=completed&page=2")

    assert len(card_ids(first)) == 12
    assert len(card_ids(second)) == 2
    assert set(card_ids(first)) | set(card_ids(second)) == {job.id for job in jobs}
    assert 'href="?status=completed&amp;page=2"' in html(first)


def test_a_page_past_the_end_shows_the_last_page(owner_client, owner, make_job):
    make_job(owner)

    response = owner_client.get("/jobs?page=9")

    assert response.status_code == 200
    assert len(card_ids(response)) == 1


@pytest.mark.parametrize("page", ["0", "-3", "abc", "99999999999999999999999"])
def test_a_junk_page_number_is_forgiven(owner_client, owner, make_job, page):
    make_job(owner)

    response = owner_client.get(f"/jobs?page={page}")

    assert response.status_code == 200
    assert len(card_ids(response)) == 1


def test_an_empty_list_invites_the_first_job(owner_client):
    body = html(owner_client.get("/jobs"))

    assert 'data-testid="empty-state"' in body
    assert 'href="/create"' in body


# --- Live updates ------------------------------------------------------------------------


def test_the_list_polls_while_a_job_is_active(owner_client, owner, make_job):
    make_job(owner, status=JobStatus.PROCESSING)
    make_job(owner, status=JobStatus.COMPLETED)

    body = html(owner_client.get("/jobs"))

    assert 'hx-trigger="every 2s, jobs-changed from:body"' in body
    assert 'hx-get="/jobs"' in body


def test_the_list_does_not_poll_when_nothing_is_active(owner_client, owner, make_job):
    make_job(owner, status=JobStatus.COMPLETED)
    make_job(owner, status=JobStatus.FAILED)

    body = html(owner_client.get("/jobs"))

    assert "every 2s" not in body
    assert 'hx-trigger="jobs-changed from:body"' in body


def test_an_htmx_request_gets_only_the_list_and_the_stats(owner_client, owner, make_job):
    make_job(owner, status=JobStatus.QUEUED)

    response = owner_client.get("/jobs?status=queued", **htmx_headers())

    assert response.status_code == 200
    assert is_fragment(response)
    body = html(response)
    assert body.lstrip().startswith("<section id=\"job-list\"")
    assert 'hx-get="/jobs?status=queued"' in body  # it keeps polling the same URL
    assert "every 2s" in body
    assert 'id="job-stats" class="stats" aria-label="Job statistics" data-testid="job-stats" hx-swap-oob="true"' in body
    assert 'id="job-filters"' not in body
    assert "HX-Request" in response["Vary"]


def test_the_poll_that_sees_the_last_job_finish_stops_the_polling(owner_client, owner, make_job):
    job = make_job(owner, status=JobStatus.PROCESSING)
    assert "every 2s" in html(owner_client.get("/jobs", **htmx_headers()))

    Job.objects.filter(pk=job.pk).update(status=JobStatus.COMPLETED)
    response = owner_client.get("/jobs", **htmx_headers())

    assert "every 2s" not in html(response)
    assert 'data-status="completed"' in html(response)


def test_a_history_restore_gets_the_whole_page(owner_client):
    response = owner_client.get("/jobs", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")

    assert "<html" in html(response)


def test_every_hx_get_link_has_a_real_href(owner_client, owner, make_job):
    for _ in range(13):
        make_job(owner, status=JobStatus.COMPLETED)

    body = html(owner_client.get("/jobs"))

    for tag in re.findall(r"<a [^>]*hx-get=[^>]*>", body):
        assert 'href="' in tag, tag


@pytest.mark.parametrize("count", [1, 20])
def test_the_list_costs_the_same_queries_for_1_or_20_jobs(owner_client, owner, make_job, make_project, count):
    project = make_project(owner)
    for index in range(count):
        status = [JobStatus.QUEUED, JobStatus.PROCESSING, JobStatus.COMPLETED][index % 3]
        make_job(owner, status=status, project=project)

    with CaptureQueriesContext(connection) as queries:
        response = owner_client.get("/jobs")

    assert response.status_code == 200
    # session, user, projects (count + page), jobs (count + page), stats, and for queue
    # positions the queued jobs of the page's queues and those users' turns
    assert len(queries) == 9, [q["sql"] for q in queries]


# --- Cancel / retry / delete ---------------------------------------------------------------


def test_cancel_in_place_returns_the_updated_card(owner_client, owner, make_job):
    job = make_job(owner, status=JobStatus.PROCESSING)

    response = owner_client.post(f"/jobs/{job.id}/cancel", **htmx_headers(target=f"job-{job.id}", current_url="/jobs"))

    assert response.status_code == 200
    assert is_fragment(response)
    body = html(response)
    assert body.lstrip().startswith(f'<article id="job-{job.id}"')
    assert 'data-status="cancelled"' in body
    assert 'data-testid="retry-job"' in body
    assert 'name="next" value="/jobs"' in body
    assert "Job cancelled." in body and 'hx-swap-oob="true"' in body  # the flash, out of band
    assert response["HX-Trigger"] == "jobs-changed"
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED


def test_cancel_without_javascript_redirects_back(owner_client, owner, make_job):
    job = make_job(owner, status=JobStatus.QUEUED)

    response = owner_client.post(f"/jobs/{job.id}/cancel", {"next": "/jobs?status=queued"})

    assert response.status_code == 302
    assert response.url == "/jobs?status=queued"
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    follow = owner_client.get(response.url)
    assert "Job cancelled." in html(follow)


def test_a_next_url_off_the_site_is_ignored(owner_client, owner, make_job):
    job = make_job(owner, status=JobStatus.QUEUED)

    response = owner_client.post(f"/jobs/{job.id}/cancel", {"next": "https://evil.example/"})

    assert response.url == "/jobs"


def test_cancelling_a_finished_job_explains_why_not(owner_client, owner, make_job):
    job = make_job(owner, status=JobStatus.COMPLETED)

    response = owner_client.post(f"/jobs/{job.id}/cancel", **htmx_headers(target=f"job-{job.id}"))

    assert response.status_code == 200
    assert "only queued or processing jobs can be cancelled" in html(response)
    assert 'data-status="completed"' in html(response)


def test_retry_in_place_queues_the_job_again(owner_client, owner, make_job, clean_redis):
    job = make_job(owner, status=JobStatus.FAILED)

    response = owner_client.post(f"/jobs/{job.id}/retry", **htmx_headers(target=f"job-{job.id}"))

    assert response.status_code == 200
    body = html(response)
    assert 'data-status="queued"' in body
    assert "in line" in body
    assert "Job queued again." in body
    job.refresh_from_db()
    assert (job.status, job.attempt) == (JobStatus.QUEUED, 2)


def test_retry_without_javascript_redirects_back(owner_client, owner, make_job, clean_redis):
    job = make_job(owner, status=JobStatus.CANCELLED)

    response = owner_client.post(f"/jobs/{job.id}/retry", {"next": "/jobs"})

    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED


def test_delete_in_place_removes_the_card_and_flashes(owner_client, owner, make_job):
    job = make_job(owner, status=JobStatus.COMPLETED)

    response = owner_client.post(f"/jobs/{job.id}/delete", **htmx_headers(target=f"job-{job.id}", current_url="/jobs"))

    assert response.status_code == 200
    body = html(response)
    assert "<article" not in body
    assert "Job deleted." in body and 'hx-swap-oob="true"' in body
    assert response["HX-Trigger"] == "jobs-changed"
    assert not Job.objects.filter(pk=job.pk).exists()


def test_delete_without_javascript_asks_first_then_deletes(owner_client, owner, make_job):
    job = make_job(owner, status=JobStatus.COMPLETED)

    confirm = owner_client.get(f"/jobs/{job.id}/delete?next=/jobs%3Fpage%3D1")
    assert confirm.status_code == 200
    assert 'data-testid="confirm-delete"' in html(confirm)
    assert 'name="next" value="/jobs?page=1"' in html(confirm)
    assert Job.objects.filter(pk=job.pk).exists()

    response = owner_client.post(f"/jobs/{job.id}/delete", {"next": "/jobs?page=1"})
    assert response.status_code == 302
    assert response.url == "/jobs?page=1"
    assert not Job.objects.filter(pk=job.pk).exists()


@pytest.mark.parametrize("action", ["cancel", "retry", "delete"])
def test_another_users_job_is_a_403_page(other_client, owner, make_job, action):
    job = make_job(owner, status=JobStatus.FAILED)

    response = other_client.post(f"/jobs/{job.id}/{action}")

    assert response.status_code == 403
    assert 'data-testid="error-page"' in html(response)
    assert Job.objects.get(pk=job.pk).status == JobStatus.FAILED


@pytest.mark.parametrize("action", ["cancel", "retry", "delete"])
def test_a_missing_job_is_a_404_page(owner_client, action):
    response = owner_client.post(f"/jobs/nosuchjob/{action}")

    assert response.status_code == 404
    assert "Not found" in html(response)


def test_an_htmx_action_on_a_vanished_job_reloads_the_page(owner_client):
    response = owner_client.post("/jobs/nosuchjob/cancel", **htmx_headers(target="job-nosuchjob"))

    assert response.status_code == 404
    assert response["HX-Refresh"] == "true"


@pytest.mark.parametrize("action", ["cancel", "retry"])
def test_actions_refuse_get(owner_client, owner, make_job, action):
    job = make_job(owner)

    assert owner_client.get(f"/jobs/{job.id}/{action}").status_code == 405


# --- CSRF --------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["cancel", "retry", "delete"])
def test_actions_are_refused_without_a_csrf_token(owner, make_job, action):
    job = make_job(owner, status=JobStatus.FAILED if action == "retry" else JobStatus.QUEUED)
    browser = signed_in(owner, enforce_csrf=True)

    response = browser.post(f"/jobs/{job.id}/{action}", **htmx_headers(target=f"job-{job.id}"))

    assert response.status_code == 403
    assert Job.objects.filter(pk=job.pk).exists()
    assert Job.objects.get(pk=job.pk).status == job.status


def test_the_token_on_body_hx_headers_is_accepted(owner, make_job):
    job = make_job(owner, status=JobStatus.QUEUED)
    browser = signed_in(owner, enforce_csrf=True)
    token = csrf_header_token(browser.get("/jobs"))

    response = browser.post(
        f"/jobs/{job.id}/cancel", HTTP_X_CSRFTOKEN=token, **htmx_headers(target=f"job-{job.id}")
    )

    assert response.status_code == 200
    assert Job.objects.get(pk=job.pk).status == JobStatus.CANCELLED
