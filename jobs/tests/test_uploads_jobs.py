"""Uploads as start images: which models take one, a job's imageId checked against the
owner, the image kept while a job uses it, and a real worker animating it into an MP4."""

from __future__ import annotations

import io

import av
import numpy as np
import pytest
from django.core.files.storage import default_storage
from PIL import Image, ImageOps

from jobs.catalog import get_model
from jobs.models import JobStatus
from jobs.tasks import run_job_attempt
from jobs.tests.image_files import gradient_png
from jobs.uploads import jobs as upload_jobs
from jobs.uploads.services import upload_create, upload_delete
from videogen.errors import Conflict, InvalidInput


@pytest.mark.parametrize(
    ("model_id", "support"),
    [("videogen-procedural-1", "optional"), ("wan2.1-t2v-1.3b", "none"), ("wan2.1-i2v-14b-480p", "required"),
     ("ltx-video-i2v", "required"), ("cogvideox-5b-i2v", "required"), ("cogvideox-2b", "none")],
)
def test_each_model_says_whether_it_takes_a_start_image(model_id, support):
    assert get_model(model_id).image_input == support


@pytest.mark.django_db
def test_a_jobs_image_must_be_the_users_own_and_fit_the_model(owner, other_user, media_root):
    mine = upload_create(user=owner, data=gradient_png())
    procedural, text_only, i2v = (get_model(m) for m in ("videogen-procedural-1", "wan2.1-t2v-1.3b", "ltx-video-i2v"))

    assert upload_jobs.upload_for_job(user=owner, model=procedural, image_id=mine.id) == mine
    assert upload_jobs.upload_for_job(user=owner, model=procedural, image_id=None) is None
    for user, model, image_id, message in [
        (other_user, procedural, mine.id, "No such image"),
        (owner, procedural, "nope", "No such image"),
        (owner, procedural, "a\x00b", "No such image"),
        (owner, text_only, mine.id, "text only"),
        (owner, i2v, None, "from an image"),
    ]:
        with pytest.raises(InvalidInput, match=message) as raised:
            upload_jobs.upload_for_job(user=user, model=model, image_id=image_id)
        assert "imageId" in raised.value.details


@pytest.mark.django_db
def test_an_image_a_job_starts_from_cannot_be_deleted_until_the_job_is(owner, make_job, media_root):
    upload = upload_create(user=owner, data=gradient_png())
    job = make_job(owner, status=JobStatus.COMPLETED, image=upload)

    with pytest.raises(Conflict, match="start of 1 job"):
        upload_delete(upload=upload)
    job.delete()
    upload_delete(upload=upload)


@pytest.mark.django_db
def test_deleting_an_account_takes_its_jobs_and_uploads(owner, make_job, media_root):
    make_job(owner, image=upload_create(user=owner, data=gradient_png()))

    owner.delete()


@pytest.mark.django_db(transaction=True)
def test_the_task_animates_the_uploaded_image_into_a_video(owner, make_job, media_root, clean_redis):
    picture = gradient_png((640, 360))
    upload = upload_create(user=owner, data=picture)
    job = make_job(owner, prompt="slow drift over the harbour", resolution="480p", duration=2, image=upload)
    assert run_job_attempt(job.id, job.attempt) == "completed"

    job.refresh_from_db()
    with av.open(default_storage.open(job.video_path)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    assert len(frames) == 48 and frames[0].shape == (480, 854, 3)
    expected = np.asarray(ImageOps.fit(Image.open(io.BytesIO(picture)).convert("RGB"), (854, 480)), np.float64)
    top = slice(0, 300)  # above the caption
    first = frames[0][top].astype(np.float64)
    assert np.corrcoef(first.ravel(), expected[top].ravel())[0, 1] > 0.8
    assert np.abs(frames[0][top].astype(int) - frames[-1][top].astype(int)).mean() > 1.0  # the camera moved
