"""Image-to-video through the real worker: upload -> API job with imageId -> RQ ->
in-process worker -> tiny random Wan I2V pipeline -> MP4 in storage; the job's own
steps and negative prompt reach the pipeline."""

from __future__ import annotations

import av
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import client_for
from jobs import queueing
from jobs.generation import registry
from jobs.models import Job, JobStatus
from jobs.tests.image_files import gradient_png
from jobs.worker import InProcessWorker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tiny_i2v_model(settings, tiny_wan_i2v, tmp_path, monkeypatch):
    from jobs.generation.diffusers import engine as diffusers_engine
    from jobs.tests.diffusion_fixtures import TINY_MAX_SEQUENCE_LENGTH

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.VIDEOGEN_MODELS = {
        **settings.VIDEOGEN_MODELS,
        "tiny-wan-i2v": {
            "engine": "diffusers", "resolutions": ["480p"], "max_duration": 2, "fps": 16,
            "options": {"source": tiny_wan_i2v, "pipeline": "wan-i2v", "steps": 2, "guidance_scale": 5.0,
                        "native_width": 32, "native_height": 32, "max_sequence_length": TINY_MAX_SEQUENCE_LENGTH,
                        "negative_prompt": "blurry", "flow_shift": 3.0},
            "params": {"steps": {"max": 4, "default": 2}},
        },
    }
    registry.reset()
    diffusers_engine.forget_pipelines()
    yield "tiny-wan-i2v"
    registry.reset()
    diffusers_engine.forget_pipelines()


def test_a_gpu_worker_animates_an_uploaded_image(owner, tiny_i2v_model, clean_redis):
    api = client_for(owner)
    upload = api.post("/api/v1/uploads", {"file": SimpleUploadedFile("p.png", gradient_png((96, 64)))},
                      format="multipart").json()
    response = api.post("/api/v1/jobs", {"prompt": "a red fox jumps", "model": tiny_i2v_model, "resolution": "480p",
                                         "quality": "low", "duration": 1, "imageId": upload["id"], "steps": 3,
                                         "seed": 11}, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["steps"], response.json()["negativePrompt"], response.json()["seed"]) == (3, None, 11)

    InProcessWorker([queueing.get_queue("gpu", redis=queueing.worker_connection())],
                    connection=queueing.worker_connection()).work(burst=True)

    job = Job.objects.get(pk=response.json()["id"])
    assert job.status == JobStatus.COMPLETED, job.error_detail or job.error_message
    with default_storage.open(job.video_path, "rb") as handle, av.open(handle) as container:
        assert sum(1 for _ in container.decode(video=0)) == 16
