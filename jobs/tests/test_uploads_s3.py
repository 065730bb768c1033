"""Uploads go through the same S3-compatible storage as the videos (moto in server mode)."""

from __future__ import annotations

import io
import urllib.request

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from jobs.tests.image_files import gradient_png
from jobs.tests.test_storage_s3 import bucket_keys, s3_server, s3_storage  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def test_an_upload_lands_in_the_bucket_and_only_its_owner_gets_a_link(owner, owner_api, other_api, s3_storage):
    response = owner_api.post(
        "/api/v1/uploads", {"file": SimpleUploadedFile("p.png", gradient_png((100, 60)))}, format="multipart"
    )
    assert response.status_code == 201, response.content
    upload_id = response.json()["id"]
    assert f"uploads/{owner.id}/{upload_id}/image.png" in bucket_keys(s3_storage)

    redirect = owner_api.get(f"/api/v1/uploads/{upload_id}/content")
    assert redirect.status_code == 302 and "Signature=" in redirect["Location"]
    with urllib.request.urlopen(redirect["Location"], timeout=10) as download:
        assert Image.open(io.BytesIO(download.read())).size == (100, 60)
    assert other_api.get(f"/api/v1/uploads/{upload_id}/content").status_code == 404
