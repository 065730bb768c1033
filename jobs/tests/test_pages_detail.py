"""The job detail page (/jobs/<id>): player, download, parameters, timeline, actions."""

from __future__ import annotations

import pytest

from jobs.models import Job, JobStatus
from jobs.tests.page_helpers import html, htmx_headers, is_fragment, signed_in

pytestmark = pytest.mark.django_db


def test_it_sends_visitors_to_log_in(client, owner, make_job):
    job = make_job(owner)

    response = client.get(f"/jobs/{job.id}")

    assert response.status_code == 302
    assert response.url == f"/login?next=/jobs/{job.id}"


def test_another_users_job_is_a_friendly_403(owner, other_user, make_job):
    job = make_job(owner, prompt="owner's secret prompt")

    response = signed_in(other_user).get(f"/jobs/{job.id}")

    assert response.status_code == 403
    body = html(response)
    assert 'data-testid="error-page"' in body and "Not allowed" in body
    assert "secret prompt" not in body


def test_a_missing_job_is_a_friendly_404(owner_client):
    response = owner_client.get("/jobs/doesnotexist")

    assert response.status_code == 404
    assert 'data-status="404"' in html(response)


def test_a_completed_job_has_a_seekable_player_and_a_download(owner_client, owner, make_job, store_output):
    job = store_output(make_job(owner, status=JobStatus.COMPLETED, metadata={"seed": 11}))

    response = owner_client.get(f"/jobs/{job.id}")

    assert response.status_code == 200
    body = html(response)
    assert "<video controls preload=\"metadata\"" in body
    assert f'src="/api/v1/jobs/{job.id}/video?v=1"' in body
    assert f'poster="/api/v1/jobs/{job.id}/thumbnail?v=1"' in body
    assert f'href="/api/v1/jobs/{job.id}/video?download=1&amp;v=1"' in body
    assert 'data-testid="job-seed">11<' in body
    assert "854×480" in body
    assert "hx-trigger" not in body.split('id="job-detail"', 1)[1].split(">", 1)[0]


def test_the_player_source_accepts_ranges(owner_client, owner, make_job, store_output):
    job = store_output(make_job(owner, status=JobStatus.COMPLETED), video=bytes(range(256)) * 8)

    response = owner_client.get(f"/api/v1/jobs/{job.id}/video?v=1", HTTP_RANGE="bytes=0-99")

    assert response.status_code == 206
    assert response["Content-Range"] == "bytes 0-99/2048"


def test_it_shows_every_parameter_and_the_timeline(owner_client, owner, make_job, make_project):
    project = make_project(owner, name="Ocean moods")
    job = make_job(
        owner, status=JobStatus.FAILED, project=project, resolution="720p", quality="medium", duration=9,
        max_retries=2, retry_count=2, attempt=3, error_message="Out of memory <at frame 9>",
    )

    body = html(owner_client.get(f"/jobs/{job.id}"))

    for text in ("720p", "Medium", "9 s", "Ocean moods", "videogen-procedural-1", job.id):
        assert text in body, text
    assert 'data-testid="job-attempt">3<' in body
    assert 'data-testid="job-retries">2 of 2<' in body
    assert "Created" in body and "Started" in body and "Failed" in body
    assert "Out of memory &lt;at frame 9&gt;" in body
    assert 'data-testid="retry-job"' in body
    assert 'data-testid="cancel-job"' not in body


def test_the_prompt_is_shown_whole_and_escaped(owner_client, owner, make_job):
    prompt = "<img src=x onerror=alert(1)> " + "long " * 200
    job = make_job(owner, prompt=prompt)

    body = html(owner_client.get(f"/jobs/{job.id}"))

    assert "<img src=x" not in body
    assert "&lt;img src=x onerror=alert(1)&gt; " + "long " * 200 in body


def test_an_active_job_polls_its_own_page(owner_client, owner, make_job):
    job = make_job(owner, status=JobStatus.PROCESSING, progress=55)

    body = html(owner_client.get(f"/jobs/{job.id}"))

    assert f'hx-get="/jobs/{job.id}" hx-trigger="every 2s"' in body
    assert '<progress value="55" max="100"' in body
    assert "<video" not in body


def test_an_htmx_poll_gets_the_panel_and_stops_once_finished(owner_client, owner, make_job):
    job = make_job(owner, status=JobStatus.QUEUED)
    polling = owner_client.get(f"/jobs/{job.id}", **htmx_headers())
    assert is_fragment(polling)
    assert html(polling).lstrip().startswith('<div id="job-detail"')
    assert "every 2s" in html(polling)

    Job.objects.filter(pk=job.pk).update(status=JobStatus.CANCELLED)
    finished = owner_client.get(f"/jobs/{job.id}", **htmx_headers())

    assert "every 2s" not in html(finished)
    assert 'data-status="cancelled"' in html(finished)


def test_an_action_from_the_detail_page_returns_the_panel(owner_client, owner, make_job):
    job = make_job(owner, status=JobStatus.PROCESSING)

    response = owner_client.post(
        f"/jobs/{job.id}/cancel", **htmx_headers(target="job-detail", current_url=f"/jobs/{job.id}")
    )

    assert response.status_code == 200
    body = html(response)
    assert body.lstrip().startswith('<div id="job-detail"')
    assert 'data-status="cancelled"' in body
    assert f'name="next" value="/jobs/{job.id}"' in body


def test_deleting_from_the_detail_page_goes_to_the_jobs_list(owner_client, owner, make_job):
    job = make_job(owner, status=JobStatus.COMPLETED)

    response = owner_client.post(
        f"/jobs/{job.id}/delete", **htmx_headers(target="job-detail", current_url=f"/jobs/{job.id}")
    )

    assert response["HX-Redirect"] == "/jobs"
    assert not Job.objects.filter(pk=job.pk).exists()
    assert "Job deleted." in html(owner_client.get("/jobs"))


def test_deleting_without_javascript_never_returns_to_the_deleted_page(owner_client, owner, make_job):
    job = make_job(owner, status=JobStatus.COMPLETED)

    response = owner_client.post(f"/jobs/{job.id}/delete", {"next": f"/jobs/{job.id}"})

    assert response.url == "/jobs"


def test_a_poll_for_a_deleted_job_reloads_the_page(owner_client):
    response = owner_client.get("/jobs/gone", **htmx_headers())

    assert response.status_code == 404
    assert response["HX-Refresh"] == "true"
