"""GET /api/v1/jobs/{id}/video and /thumbnail: the owner only (staff use the admin), with HTTP Range for seeking."""

import pytest
from django.test import Client
from django.urls import reverse
from django.core.files.storage import default_storage

from jobs.models import JobStatus
from videogen.testing.api import assert_api_error

pytestmark = pytest.mark.django_db

VIDEO = bytes(range(256)) * 4  # 1024 bytes, every offset distinguishable
SIZE = len(VIDEO)


@pytest.fixture
def completed(owner, make_job, store_output):
    return store_output(make_job(owner, status=JobStatus.COMPLETED), video=VIDEO, poster=b"\xff\xd8\xff poster")


def video(api, job, **headers):
    return api.get(f"/api/v1/jobs/{job.id}/video", **headers)


def content(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_full_get_answers_the_whole_file_and_offers_ranges(owner_api, completed):
    response = video(owner_api, completed)

    assert response.status_code == 200
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "video/mp4"
    assert response["Content-Length"] == str(SIZE)
    assert "Content-Range" not in response
    assert content(response) == VIDEO


def test_a_byte_range_answers_206_with_exactly_those_bytes(owner_api, completed):
    response = video(owner_api, completed, HTTP_RANGE="bytes=0-99")

    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 0-99/{SIZE}"
    assert response["Content-Length"] == "100"
    assert content(response) == VIDEO[:100]


def test_a_range_in_the_middle_answers_those_bytes(owner_api, completed):
    response = video(owner_api, completed, HTTP_RANGE="bytes=300-309")

    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 300-309/{SIZE}"
    assert content(response) == VIDEO[300:310]


def test_a_suffix_range_answers_the_last_bytes(owner_api, completed):
    response = video(owner_api, completed, HTTP_RANGE="bytes=-100")

    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {SIZE - 100}-{SIZE - 1}/{SIZE}"
    assert content(response) == VIDEO[-100:]


def test_an_open_ended_range_answers_to_the_end(owner_api, completed):
    response = video(owner_api, completed, HTTP_RANGE="bytes=1000-")

    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 1000-{SIZE - 1}/{SIZE}"
    assert content(response) == VIDEO[1000:]


def test_a_range_past_the_end_is_clipped_to_the_file(owner_api, completed):
    response = video(owner_api, completed, HTTP_RANGE="bytes=1000-5000")

    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 1000-{SIZE - 1}/{SIZE}"
    assert content(response) == VIDEO[1000:]


@pytest.mark.parametrize("header", ["bytes=999999-", "bytes=-0", "bytes=50-10"])
def test_an_unsatisfiable_range_is_416_with_the_size(owner_api, completed, header):
    response = video(owner_api, completed, HTTP_RANGE=header)

    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{SIZE}"


def test_a_malformed_range_is_ignored_and_the_whole_file_served(owner_api, completed):
    response = video(owner_api, completed, HTTP_RANGE="pages=1-2")

    assert response.status_code == 200
    assert content(response) == VIDEO


def test_download_asks_the_browser_to_save_the_file(owner_api, completed):
    response = owner_api.get(f"/api/v1/jobs/{completed.id}/video", {"download": "1"})

    assert response["Content-Disposition"] == f'attachment; filename="videogen-{completed.id}.mp4"'


def test_the_thumbnail_is_served_as_a_jpeg(owner_api, completed):
    response = owner_api.get(f"/api/v1/jobs/{completed.id}/thumbnail")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert content(response) == b"\xff\xd8\xff poster"


@pytest.mark.parametrize("kind", ["video", "thumbnail"])
def test_staff_get_403_on_another_users_files_as_on_its_json(staff_api, completed, kind):
    # One rule for a job's JSON and its files: the owner's through the API, staff's in the admin.
    assert_api_error(staff_api.get(f"/api/v1/jobs/{completed.id}/{kind}"), 403)
    assert_api_error(staff_api.get(f"/api/v1/jobs/{completed.id}"), 403)


@pytest.mark.parametrize("kind", ["video", "thumbnail"])
def test_staff_fetch_another_users_files_in_the_admin_with_range(staff, completed, kind):
    client = Client()
    client.force_login(staff)
    url = reverse(f"admin:jobs_job_{kind}", args=[completed.id])

    response = client.get(url, HTTP_RANGE="bytes=0-3")
    page = client.get(reverse("admin:jobs_job_change", args=[completed.id]))

    assert response.status_code == 206
    assert content(response) == (VIDEO[:4] if kind == "video" else b"\xff\xd8\xff ")
    assert f'href="{url}"'.encode() in page.content


@pytest.mark.parametrize("kind", ["video", "thumbnail"])
def test_the_admins_file_links_are_for_staff_only(owner, completed, kind):
    client = Client()
    client.force_login(owner)

    response = client.get(reverse(f"admin:jobs_job_{kind}", args=[completed.id]))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("kind", ["video", "thumbnail"])
def test_another_user_is_refused(other_api, completed, kind):
    assert_api_error(other_api.get(f"/api/v1/jobs/{completed.id}/{kind}"), 403)


@pytest.mark.parametrize("kind", ["video", "thumbnail"])
def test_visitors_without_a_token_are_refused(anon_api, completed, kind):
    assert_api_error(anon_api.get(f"/api/v1/jobs/{completed.id}/{kind}"), 401)


@pytest.mark.parametrize("status", [JobStatus.QUEUED, JobStatus.PROCESSING, JobStatus.FAILED, JobStatus.CANCELLED])
@pytest.mark.parametrize("kind", ["video", "thumbnail"])
def test_a_job_that_is_not_completed_has_no_files(owner, owner_api, make_job, store_output, status, kind):
    job = store_output(make_job(owner, status=status))

    assert_api_error(owner_api.get(f"/api/v1/jobs/{job.id}/{kind}"), 404)


def test_a_completed_job_whose_file_is_gone_is_404(owner_api, completed):
    default_storage.delete(completed.video_path)

    assert_api_error(video(owner_api, completed), 404, mentions="no longer available")


def test_an_absurdly_long_range_number_is_ignored_not_a_500(owner, owner_api, make_job, store_output):
    job = store_output(make_job(owner, status=JobStatus.COMPLETED))
    response = owner_api.get(f"/api/v1/jobs/{job.id}/video", HTTP_RANGE="bytes=" + "9" * 5000 + "-")
    assert response.status_code == 200
