"""GET /api/v1/models: the catalog, as configured."""

import pytest
from django.test import override_settings

from videogen.testing.api import assert_api_error

pytestmark = pytest.mark.django_db

URL = "/api/v1/models"


def test_it_lists_the_catalog_with_the_default_marked(owner_api, settings):
    response = owner_api.get(URL)

    assert response.status_code == 200
    models = {model["id"]: model for model in response.json()["models"]}
    assert set(models) == set(settings.VIDEOGEN_MODELS)
    assert models["videogen-procedural-1"] == {
        "id": "videogen-procedural-1",
        "label": "videogen procedural 1",
        "description": settings.VIDEOGEN_MODELS["videogen-procedural-1"]["description"],
        "engine": "procedural",
        "queue": "cpu",
        "resolutions": ["480p", "720p", "1080p", "4k"],
        "maxDuration": 60,
        "fps": 24,
        "default": True,
        "parameters": {
            "resolution": {"type": "string", "choices": ["480p", "720p", "1080p", "4k"], "default": "1080p"},
            "quality": {"type": "string", "choices": ["low", "medium", "high"], "default": "high"},
            "duration": {"type": "integer", "min": 1, "max": 60, "default": 5},
            "imageId": {"type": "string", "default": None},
        },
        "imageInput": "optional",
    }
    assert [model_id for model_id, model in models.items() if model["default"]] == ["videogen-procedural-1"]


@override_settings(VIDEOGEN_MODELS={
    "tiny-model": {"engine": "procedural", "queue": "cpu", "resolutions": ["480p"], "max_duration": 5, "fps": 12},
})
def test_it_follows_the_configured_catalog(owner_api):
    models = owner_api.get(URL).json()["models"]

    assert [(model["id"], model["resolutions"], model["maxDuration"], model["fps"]) for model in models] == [
        ("tiny-model", ["480p"], 5, 12),
    ]


def test_each_model_lists_the_parameters_it_accepts_with_its_own_ranges(owner_api):
    models = {model["id"]: model for model in owner_api.get(URL).json()["models"]}

    wan = models["wan2.1-t2v-1.3b"]["parameters"]
    assert wan["resolution"]["choices"] == ["480p", "720p"] == models["wan2.1-t2v-1.3b"]["resolutions"]
    assert wan["duration"]["max"] == 5 == models["wan2.1-t2v-1.3b"]["maxDuration"]


@override_settings(VIDEOGEN_MODELS={
    "narrow": {"engine": "procedural", "params": {"duration": {"min": 2, "max": 8, "default": 4},
                                                  "quality": {"choices": ["low"], "default": "low"}}},
}, VIDEOGEN_DEFAULT_MODEL="narrow")
def test_a_catalog_entry_narrows_its_parameters(owner_api):
    (model,) = owner_api.get(URL).json()["models"]

    assert model["parameters"]["duration"] == {"type": "integer", "min": 2, "max": 8, "default": 4}
    assert model["parameters"]["quality"] == {"type": "string", "choices": ["low"], "default": "low"}
    assert model["maxDuration"] == 8


@pytest.mark.parametrize("persona", ["other_api", "staff_api", "anon_api"])
def test_every_persona_sees_the_same_catalog(request, owner_api, persona):
    response = request.getfixturevalue(persona).get(URL)

    assert response.status_code == 200
    assert response.json() == owner_api.get(URL).json()


def test_it_only_reads(owner_api):
    assert_api_error(owner_api.post(URL, {}, format="json"), 405)
