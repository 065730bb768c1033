"""Presets: the API (CRUD, from a job, a job from a preset), the pages, and "make another like this"."""

from __future__ import annotations

import pytest

from jobs.models import Job
from jobs.presets.models import Preset
from videogen.testing.api import assert_api_error

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clean_redis")]

URL = "/api/v1/presets"
PARAMETERS = {"prompt": "a neon city at night", "model": "videogen-procedural-1", "resolution": "720p",
              "quality": "medium", "duration": 4, "metadata": {"seed": 42}, "maxRetries": 1}


def create(api, **body):
    return api.post(URL, body, format="json")


def test_it_saves_lists_reads_renames_and_deletes_a_preset(owner_api):
    response = create(owner_api, name="  Night   city ", parameters=PARAMETERS)

    assert response.status_code == 201, response.content
    preset = response.json()
    assert preset["name"] == "Night city" and preset["parameters"] == PARAMETERS
    assert set(preset) == {"id", "name", "parameters", "createdAt", "updatedAt"}
    listed = owner_api.get(URL).json()
    assert listed["total"] == 1 and listed["presets"][0]["id"] == preset["id"]
    assert owner_api.get(f"{URL}/{preset['id']}").json() == preset

    renamed = owner_api.patch(f"{URL}/{preset['id']}", {"name": "Neon"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["name"] == "Neon"
    assert renamed.json()["parameters"] == PARAMETERS

    assert owner_api.delete(f"{URL}/{preset['id']}").status_code == 204
    assert not Preset.objects.exists()


@pytest.mark.parametrize(
    ("body", "field", "mentions"),
    [
        ({"name": "", "parameters": {}}, "name", "blank"),
        ({"name": "x" * 101, "parameters": {}}, "name", "100 characters"),
        ({"name": "a\x00b", "parameters": {}}, "name", "null"),
        ({"name": "p", "parameters": ["prompt"]}, "parameters", "json object"),
        ({"name": "p", "parameters": {"colour": "red"}}, "parameters", "unknown job parameter 'colour'"),
        ({"name": "p", "parameters": {"duration": "long"}}, "parameters", "duration"),
        ({"name": "p", "parameters": {"resolution": "8k"}}, "parameters", "resolution"),
        ({"name": "p", "jobId": 7}, "jobId", "job id"),
    ],
)
def test_it_refuses_bad_presets_naming_the_field(owner_api, body, field, mentions):
    assert_api_error(create(owner_api, **body), 400, field=field, mentions=mentions)


def test_names_are_unique_per_user(owner_api, other_api):
    create(owner_api, name="Mine", parameters={})

    assert_api_error(create(owner_api, name="Mine", parameters={}), 409, mentions="already have a preset")
    assert create(other_api, name="Mine", parameters={}).status_code == 201


def test_another_users_preset_is_not_found(owner_api, other_api):
    preset_id = create(owner_api, name="Mine", parameters=PARAMETERS).json()["id"]

    assert_api_error(other_api.get(f"{URL}/{preset_id}"), 404)
    assert_api_error(other_api.patch(f"{URL}/{preset_id}", {"name": "x"}, format="json"), 404)
    assert_api_error(other_api.delete(f"{URL}/{preset_id}"), 404)
    assert_api_error(other_api.post(f"{URL}/{preset_id}/jobs", {}, format="json"), 404)
    assert other_api.get(URL).json()["total"] == 0


def test_a_jobs_parameters_become_a_preset(owner, owner_api, make_job, other_api):
    job = make_job(owner, prompt="a red fox in snow", resolution="480p", quality="low", duration=2,
                   metadata={"seed": 9}, max_retries=2)

    preset = create(owner_api, name="Fox", jobId=job.id).json()

    assert preset["parameters"] == {"prompt": "a red fox in snow", "model": "videogen-procedural-1",
                                    "resolution": "480p", "quality": "low", "duration": 2, "maxRetries": 2,
                                    "metadata": {"seed": 9}}
    assert create(other_api, name="Stolen", jobId=job.id).status_code == 403


def test_a_job_is_created_from_a_preset_with_the_bodys_keys_winning(owner, owner_api):
    preset_id = create(owner_api, name="Night", parameters=PARAMETERS).json()["id"]

    response = owner_api.post(f"{URL}/{preset_id}/jobs", {"prompt": "a quiet harbour"}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["prompt"] == "a quiet harbour"
    assert (body["resolution"], body["quality"], body["duration"], body["metadata"], body["maxRetries"]) == (
        "720p", "medium", 4, {"seed": 42}, 1)
    assert Job.objects.get().user == owner


def test_a_preset_without_a_prompt_needs_one_in_the_body(owner_api):
    preset_id = create(owner_api, name="Look", parameters={"resolution": "480p"}).json()["id"]

    assert_api_error(owner_api.post(f"{URL}/{preset_id}/jobs", {}, format="json"), 400, field="prompt")


def test_the_pages_save_list_use_and_delete_presets(owner, owner_client, make_job):
    job = make_job(owner, prompt="a lighthouse at dusk", resolution="720p", duration=3, metadata={"seed": 5})
    detail = owner_client.get(f"/jobs/{job.id}").content.decode()
    assert 'data-testid="preset-form"' in detail and 'data-testid="make-another"' in detail

    response = owner_client.post(f"/jobs/{job.id}/preset", {"name": "Dusk"})
    assert response.status_code == 302 and response["Location"] == "/presets"
    preset = Preset.objects.get(user=owner)
    listing = owner_client.get("/presets").content.decode()
    assert "Dusk" in listing and f"/create?preset={preset.id}" in listing

    create_page = owner_client.get(f"/create?preset={preset.id}").content.decode()
    assert "a lighthouse at dusk</textarea>" in create_page
    assert 'value="5"' in create_page  # the preset's seed
    assert 'preset “Dusk”' in create_page

    again = owner_client.post(f"/jobs/{job.id}/preset", {"name": "Dusk"}, follow=True)
    assert "already have a preset" in again.content.decode()

    assert owner_client.post(f"/presets/{preset.id}/delete").status_code == 302
    assert not Preset.objects.exists()


def test_make_another_like_this_prefills_the_form_with_a_new_seed_unless_kept(owner, owner_client, make_job):
    job = make_job(owner, prompt="a paper boat on a canal", resolution="480p", duration=2, metadata={"seed": 1234})

    fresh = owner_client.get(f"/create?from={job.id}").content.decode()
    kept = owner_client.get(f"/create?from={job.id}&keep_seed=1").content.decode()

    assert "a paper boat on a canal</textarea>" in fresh and "a paper boat on a canal</textarea>" in kept
    assert 'value="1234"' not in fresh and 'data-testid="keep-seed"' in fresh
    assert 'value="1234"' in kept and 'data-testid="new-seed"' in kept


def test_another_users_job_or_preset_prefills_nothing(owner, other_client, make_job):
    job = make_job(owner, prompt="private prompt")

    page = other_client.get(f"/create?from={job.id}").content.decode()

    assert "private prompt" not in page and 'data-testid="prefill-note"' not in page
    assert other_client.post(f"/jobs/{job.id}/preset", {"name": "x"}).status_code == 403


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", URL, ["a", "list"]),
        ("post", URL, {"name": 12, "parameters": {}}),
        ("post", URL, {"name": "x", "parameters": {"prompt": "a\x00b"}}),
        ("post", URL, '{"name": "\\ud800", "parameters": {}}'),
        ("post", URL, '{"name": "x", "parameters": {"metadata": {"k": "\\ud800"}}}'),
        ("get", f"{URL}/a%00b", None),
        ("patch", f"{URL}/{'x' * 5000}", {"name": "y"}),
        ("post", f"{URL}/nope/jobs", ["x"]),
    ],
)
def test_junk_gets_a_4xx_never_a_500(owner_api, method, path, body):
    if isinstance(body, str):  # raw JSON: lone surrogates cannot be encoded by the client
        response = owner_api.generic(method.upper(), path, body, content_type="application/json")
    elif body is None:
        response = owner_api.get(path)
    else:
        response = getattr(owner_api, method)(path, body, format="json")

    assert 400 <= response.status_code < 500, response.content
