"""POST /api/v1/jobs with the richer parameters: seed (picked and stored when absent,
reproducible), negativePrompt / steps / guidanceScale (per model), imageId (the owner's
upload, per model)."""

from __future__ import annotations

import numpy as np
import pytest

from jobs.catalog import get_model
from jobs.generation.procedural.engine import ProceduralEngine
from jobs.generation.base import NullControl
from jobs.models import Job
from jobs.services.running import spec_for
from jobs.tests.image_files import gradient_png
from jobs.tests.test_generation_procedural import RecordingSink
from jobs.uploads.services import upload_create
from videogen.testing.api import assert_api_error

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clean_redis")]

URL = "/api/v1/jobs"
BODY = {"prompt": "a lighthouse at dusk", "resolution": "480p", "quality": "low", "duration": 1}


def post(api, **changes):
    return api.post(URL, {**BODY, **changes}, format="json")


def frames_of(job: Job) -> list:
    sink = RecordingSink()
    ProceduralEngine().render(spec_for(job, model=get_model(job.model)), sink, NullControl())
    return sink.frames


def test_a_job_without_a_seed_gets_one_stored_and_returned(owner_api):
    first, second = post(owner_api).json(), post(owner_api).json()

    assert isinstance(first["seed"], int) and 0 <= first["seed"] < 2**31
    assert first["seed"] != second["seed"]  # 1 chance in 2**31 of a false failure
    assert Job.objects.get(pk=first["id"]).params["seed"] == first["seed"]
    assert owner_api.get(f"{URL}/{first['id']}").json()["seed"] == first["seed"]


def test_the_same_model_parameters_and_seed_give_the_same_frames(owner_api):
    a = Job.objects.get(pk=post(owner_api, seed=12345).json()["id"])
    b = Job.objects.get(pk=post(owner_api, seed=12345).json()["id"])
    c = Job.objects.get(pk=post(owner_api, seed=12346).json()["id"])

    first, again, other = frames_of(a), frames_of(b), frames_of(c)
    assert all(np.array_equal(x[0], y[0]) and np.array_equal(x[1], y[1]) for x, y in zip(first, again, strict=True))
    assert not all(np.array_equal(x[0], y[0]) for x, y in zip(first, other, strict=True))


def test_metadata_seed_still_sets_the_seed(owner_api):
    assert post(owner_api, metadata={"seed": 99}).json()["seed"] == 99


def test_a_replayed_request_keeps_its_picked_seed(owner_api):
    first = owner_api.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = owner_api.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"] and again.json()["seed"] == first.json()["seed"]


@pytest.mark.parametrize(
    ("changes", "field", "mentions"),
    [
        ({"seed": -1}, "seed", "Must be between 0 and"),  # the contract's bounds message (struct)
        ({"seed": "7"}, "seed", "integer"),
        ({"seed": 2**63}, "seed", f"between 0 and {2**63 - 1}"),
        ({"steps": 20}, "steps", "does not accept steps"),
        ({"guidanceScale": 4.5}, "guidanceScale", "does not accept guidanceScale"),
        ({"negativePrompt": "blurry"}, "negativePrompt", "does not accept negativePrompt"),
        ({"model": "wan2.1-t2v-1.3b", "steps": 150}, "steps", "accepts steps between 1 and 100; got 150"),
        ({"model": "wan2.1-t2v-1.3b", "steps": 0}, "steps", "Must be between 1 and"),
        ({"model": "wan2.1-t2v-1.3b", "guidanceScale": 25}, "guidanceScale", "between 0 and 20"),
        ({"model": "wan2.1-t2v-1.3b", "negativePrompt": "x" * 2001}, "negativePrompt", "2000 characters"),
        ({"model": "wan2.1-t2v-1.3b", "imageId": "anything"}, "imageId", "does not accept imageId"),
        ({"model": "ltx-video-i2v"}, "imageId", "from an image"),
        ({"imageId": "no-such-upload"}, "imageId", "No such image"),
    ],
)
def test_it_refuses_parameters_naming_the_field(owner_api, changes, field, mentions):
    assert_api_error(post(owner_api, **changes), 400, field=field, mentions=mentions)
    assert not Job.objects.exists()


def test_a_diffusion_models_parameters_take_its_defaults_or_the_jobs_own(owner_api):
    defaults = post(owner_api, model="wan2.1-t2v-1.3b").json()
    own = post(owner_api, model="wan2.1-t2v-1.3b", steps=12, guidanceScale=3.5, negativePrompt="dark").json()

    assert (defaults["steps"], defaults["guidanceScale"]) == (30, 5.0)
    assert defaults["negativePrompt"].startswith("Bright tones, overexposed")
    assert (own["steps"], own["guidanceScale"], own["negativePrompt"]) == (12, 3.5, "dark")


def test_a_job_starts_from_the_owners_upload_only(owner, other_user, owner_api, media_root):
    mine = upload_create(user=owner, data=gradient_png())
    theirs = upload_create(user=other_user, data=gradient_png())

    created = post(owner_api, imageId=mine.id)
    assert created.status_code == 201, created.content
    assert created.json()["imageId"] == mine.id
    assert Job.objects.get(pk=created.json()["id"]).image == mine
    assert_api_error(post(owner_api, imageId=theirs.id), 400, field="imageId", mentions="No such image")
    assert post(owner_api, model="ltx-video-i2v", imageId=mine.id).status_code == 201


def test_the_models_listing_says_which_take_an_image_and_what_parameters(anon_api):
    models = {m["id"]: m for m in anon_api.get("/api/v1/models").json()["models"]}

    assert models["ltx-video-i2v"]["imageInput"] == "required" and "imageId" in models["ltx-video-i2v"]["parameters"]
    assert models["wan2.1-t2v-1.3b"]["imageInput"] == "none"
    assert "imageId" not in models["wan2.1-t2v-1.3b"]["parameters"]
    assert models["wan2.1-t2v-1.3b"]["parameters"]["steps"] == {"type": "integer", "min": 1, "max": 100, "default": 30}
    assert set(models["videogen-procedural-1"]["parameters"]) == {"resolution", "quality", "duration", "imageId"}
