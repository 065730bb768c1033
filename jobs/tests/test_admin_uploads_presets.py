"""Uploads and presets in the admin: staff can look; an image a job uses is not deleted."""

from __future__ import annotations

import pytest

from jobs.presets.services import preset_create
from jobs.tests.image_files import gradient_png
from jobs.uploads.models import Upload
from jobs.uploads.services import upload_create

pytestmark = pytest.mark.django_db


def test_staff_see_uploads_and_presets(owner, staff_client, media_root):
    upload = upload_create(user=owner, data=gradient_png())
    preset = preset_create(user=owner, name="Night", parameters={"resolution": "480p"})

    assert staff_client.get("/admin/jobs/upload/").status_code == 200
    assert staff_client.get(f"/admin/jobs/upload/{upload.id}/change/").status_code == 200
    assert staff_client.get("/admin/jobs/preset/").status_code == 200
    assert "Night" in staff_client.get(f"/admin/jobs/preset/{preset.id}/change/").content.decode()


def test_the_admin_does_not_delete_an_image_a_job_starts_from(owner, staff_client, make_job, media_root):
    upload = upload_create(user=owner, data=gradient_png())
    make_job(owner, image=upload)

    response = staff_client.post(f"/admin/jobs/upload/{upload.id}/delete/", {"post": "yes"}, follow=True)

    assert "Cannot delete upload" in response.content.decode()  # the RESTRICT rule, shown by the admin
    assert Upload.objects.filter(pk=upload.id).exists()
