"""S3-compatible storage, against a local S3 server (moto in server mode) so the
real boto3 / django-storages path runs: workers upload, the API hands out
short-lived presigned URLs that download the video."""

from __future__ import annotations

import html
import io
import re
import urllib.request

import av
import boto3
import pytest

from conftest import client_for
from jobs import queueing
from jobs.models import Job, JobStatus
from jobs.worker import InProcessWorker
from videogen.embedded_redis import free_port

pytestmark = pytest.mark.django_db(transaction=True)

BUCKET = "videogen-test"


@pytest.fixture
def s3_server():
    moto_server = pytest.importorskip("moto.server")
    port = free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    ).create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


@pytest.fixture
def s3_storage(settings, s3_server):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET, "endpoint_url": s3_server, "region_name": "us-east-1",
                "access_key": "test", "secret_key": "test", "querystring_expire": 300,
                "default_acl": None, "file_overwrite": True,
            },
        },
    }
    return s3_server


def bucket_keys(endpoint: str) -> list[str]:
    client = boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    )
    return [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_a_jobs_video_lands_in_the_bucket_and_its_presigned_url_downloads_it(owner, s3_storage, clean_redis):
    api = client_for(owner)
    response = api.post("/api/v1/jobs", {"prompt": "a paper boat on a river", "resolution": "480p",
                                         "quality": "low", "duration": 1}, format="json")
    assert response.status_code == 201
    job_id = response.json()["id"]

    worker = InProcessWorker([queueing.get_queue("cpu", redis=queueing.worker_connection())],
                             connection=queueing.worker_connection())
    worker.work(burst=True)

    job = Job.objects.get(pk=job_id)
    assert job.status == JobStatus.COMPLETED, job.error_message
    keys = bucket_keys(s3_storage)
    assert f"videos/{owner.id}/{job_id}/1/video.mp4" in keys
    assert f"videos/{owner.id}/{job_id}/1/poster.jpg" in keys

    result = api.get(f"/api/v1/jobs/{job_id}").json()["result"]
    assert result["videoUrl"].startswith(s3_storage) and "Signature=" in result["videoUrl"]
    assert "Expires=" in result["videoUrl"] or "X-Amz-Expires=" in result["videoUrl"]
    with urllib.request.urlopen(result["videoUrl"], timeout=10) as download:
        data = download.read()
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.width, stream.codec_context.height) == (854, 480)
        assert sum(1 for _ in container.decode(stream)) == 24

    # The pages use those URLs as they are: the player's source downloads the video.
    from django.test import Client

    browser = Client()
    browser.force_login(owner)
    page = browser.get(f"/jobs/{job_id}").content.decode()
    source = html.unescape(re.search(r'<video[^>]*\ssrc="([^"]+)"', page).group(1))
    assert source.startswith(s3_storage) and "Signature=" in source
    with urllib.request.urlopen(source, timeout=10) as download:
        assert download.read() == data

    # The API's own video endpoint redirects to a presigned URL instead of proxying.
    redirect = api.get(f"/api/v1/jobs/{job_id}/video")
    assert redirect.status_code == 302
    assert redirect["Location"].startswith(s3_storage)


def test_deleting_a_job_removes_its_objects_from_the_bucket(owner, s3_storage, clean_redis):
    api = client_for(owner)
    job_id = api.post("/api/v1/jobs", {"prompt": "a short clip to delete", "resolution": "480p", "quality": "low",
                                       "duration": 1}, format="json").json()["id"]
    InProcessWorker([queueing.get_queue("cpu", redis=queueing.worker_connection())],
                    connection=queueing.worker_connection()).work(burst=True)
    assert any(job_id in key for key in bucket_keys(s3_storage))

    assert api.delete(f"/api/v1/jobs/{job_id}").status_code == 204
    assert not any(job_id in key for key in bucket_keys(s3_storage))
