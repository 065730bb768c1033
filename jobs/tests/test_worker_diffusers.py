"""The diffusers path through the real worker: API job -> RQ -> in-process worker
-> tiny random Wan pipeline -> encoder -> storage, with the pipeline loaded once."""

from __future__ import annotations

import av
import pytest
from django.core.files.storage import default_storage

from conftest import client_for
from jobs import queueing
from jobs.generation import registry
from jobs.models import Job, JobStatus
from jobs.worker import InProcessWorker


pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tiny_model(settings, tiny_wan, tmp_path, monkeypatch):
    from jobs.generation.diffusers import engine as diffusers_engine
    from jobs.tests.diffusion_fixtures import TINY_MAX_SEQUENCE_LENGTH

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.VIDEOGEN_MODELS = {
        **settings.VIDEOGEN_MODELS,
        "tiny-wan": {
            "engine": "diffusers", "queue": "gpu", "resolutions": ["480p"], "max_duration": 2, "fps": 16,
            "options": {"source": tiny_wan, "pipeline": "wan", "steps": 2, "guidance_scale": 1.0,
                        "native_width": 32, "native_height": 32, "max_sequence_length": TINY_MAX_SEQUENCE_LENGTH},
        },
    }
    registry.reset()
    diffusers_engine.forget_pipelines()
    yield "tiny-wan"
    registry.reset()
    diffusers_engine.forget_pipelines()


def test_a_gpu_worker_renders_two_diffusers_jobs_loading_the_pipeline_once(owner, tiny_model, clean_redis):
    from jobs.generation.diffusers import engine as diffusers_engine

    api = client_for(owner)
    ids = []
    for prompt in ("a red fox in the snow", "a lighthouse at dusk"):
        response = api.post("/api/v1/jobs", {"prompt": prompt, "model": tiny_model, "resolution": "480p",
                                             "quality": "low", "duration": 1}, format="json")
        assert response.status_code == 201, response.content
        ids.append(response.json()["id"])
    # Both wait in the database for the GPU queue (dispatch hands them to idle workers).
    assert Job.objects.filter(pk__in=ids, status=JobStatus.QUEUED, queue="gpu", dispatched_at__isnull=True).count() == 2

    worker = InProcessWorker([queueing.get_queue("gpu", redis=queueing.worker_connection())],
                             connection=queueing.worker_connection())
    worker.work(burst=True)

    assert diffusers_engine.load_count() == 1
    for job in Job.objects.filter(pk__in=ids):
        assert job.status == JobStatus.COMPLETED, job.error_message
        assert job.used_provider == "diffusers" and job.used_model == tiny_model
        with default_storage.open(job.video_path, "rb") as handle, av.open(handle) as container:
            stream = container.streams.video[0]
            frames = sum(1 for _ in container.decode(stream))
            assert (stream.codec_context.width, stream.codec_context.height) == (854, 480)
            assert stream.codec_context.name == "h264"
            assert frames == 16
