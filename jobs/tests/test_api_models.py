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


@pytest.mark.parametrize("persona", ["other_api", "staff_api", "anon_api"])
def test_every_persona_sees_the_same_catalog(request, owner_api, persona):
    response = request.getfixturevalue(persona).get(URL)

    assert response.status_code == 200
    assert response.json() == owner_api.get(URL).json()


def test_it_only_reads(owner_api):
    assert_api_error(owner_api.post(URL, {}, format="json"), 405)
