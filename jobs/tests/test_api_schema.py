"""The OpenAPI 3 schema and docs: every path served, and the bodies the API really sends match it."""

import copy

import jsonschema
import pytest

from jobs.models import JobStatus

pytestmark = pytest.mark.django_db

SCHEMA_URL = "/api/v1/schema/"


@pytest.fixture(scope="module")
def openapi(django_db_blocker) -> dict:
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        response = APIClient().get(SCHEMA_URL, HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200, response.content
    return response.json()


def as_json_schema(node):
    """OpenAPI 3.0's `nullable` -> JSON Schema's null type, so jsonschema can check bodies."""
    if isinstance(node, list):
        return [as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: as_json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        if "type" in node:
            node["type"] = [node["type"], "null"]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


def check(openapi: dict, body, path: str, method: str, status: int) -> None:
    """Validate a response body against the schema for this operation and status."""
    content = openapi["paths"][path][method]["responses"][str(status)]["content"]["application/json"]
    document = as_json_schema(copy.deepcopy({"components": openapi["components"], **content["schema"]}))
    jsonschema.validate(body, document)


def api_paths() -> set[str]:
    """Every API route as OpenAPI writes it: /api/v1/jobs/{job_id}."""
    from videogen.urls import api_urlpatterns

    paths = set()
    for pattern in api_urlpatterns:
        route = str(pattern.pattern)
        if route in ("schema/", "docs/"):
            continue
        paths.add("/api/v1/" + route.replace("<str:", "{").replace(">", "}"))
    return paths


def test_the_schema_is_openapi_3_and_lists_every_api_path(openapi):
    assert openapi["openapi"].startswith("3.")
    assert api_paths() <= set(openapi["paths"])
    assert {
        "/api/v1/jobs", "/api/v1/jobs/{job_id}", "/api/v1/jobs/{job_id}/cancel", "/api/v1/jobs/{job_id}/retry",
        "/api/v1/jobs/{job_id}/video", "/api/v1/jobs/{job_id}/thumbnail", "/api/v1/jobs/stats/summary",
        "/api/v1/models", "/api/v1/projects", "/api/v1/projects/{project_id}",
    } <= set(openapi["paths"])


def test_operation_ids_are_unique(openapi):
    ids = [op["operationId"] for item in openapi["paths"].values() for op in item.values() if "operationId" in op]

    assert len(ids) == len(set(ids))


def test_the_docs_page_is_served(client):
    response = client.get("/api/v1/docs/")

    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_the_job_create_request_matches_what_the_endpoint_accepts(openapi):
    operation = openapi["paths"]["/api/v1/jobs"]["post"]
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    request_schema = openapi["components"]["schemas"][ref.rsplit("/", 1)[-1]]

    assert set(request_schema["properties"]) == {
        "prompt", "projectId", "model", "resolution", "quality", "duration", "metadata", "maxRetries",
        "seed", "negativePrompt", "steps", "guidanceScale", "imageId", "webhookUrl", "webhookEvents",
    }
    assert request_schema["required"] == ["prompt"]
    assert request_schema["properties"]["prompt"]["maxLength"] == 5000
    assert request_schema["properties"]["duration"]["minimum"] == 1
    assert request_schema["properties"]["duration"]["maximum"] == 60
    assert request_schema["properties"]["maxRetries"]["maximum"] == 10
    assert "Idempotency-Key" in [parameter["name"] for parameter in operation["parameters"]]
    assert {"201", "200", "400", "401", "403", "409", "429"} <= set(operation["responses"])


def test_the_list_declares_its_filters(openapi):
    parameters = {p["name"]: p for p in openapi["paths"]["/api/v1/jobs"]["get"]["parameters"]}

    assert set(parameters) >= {"status", "projectId", "skip", "take"}
    assert sorted(parameters["status"]["schema"]["enum"]) == sorted(JobStatus.values)


def test_job_bodies_match_the_schema(openapi, owner, owner_api, make_job, store_output):
    created = owner_api.post("/api/v1/jobs", {"prompt": "A lighthouse"}, format="json")
    completed = store_output(make_job(owner, status="completed"))

    check(openapi, created.json(), "/api/v1/jobs", "post", 201)
    check(openapi, owner_api.get(f"/api/v1/jobs/{completed.id}").json(), "/api/v1/jobs/{job_id}", "get", 200)
    check(openapi, owner_api.get("/api/v1/jobs").json(), "/api/v1/jobs", "get", 200)
    check(openapi, owner_api.get("/api/v1/jobs/stats/summary").json(), "/api/v1/jobs/stats/summary", "get", 200)
    check(openapi, owner_api.get("/api/v1/models").json(), "/api/v1/models", "get", 200)


def test_the_job_schema_names_every_key_the_api_sends(openapi, owner_api):
    body = owner_api.post("/api/v1/jobs", {"prompt": "A lighthouse"}, format="json").json()

    assert set(openapi["components"]["schemas"]["Job"]["properties"]) == set(body)


def test_error_bodies_match_the_schema(openapi, owner, other_api, owner_api, make_job):
    job = make_job(owner)

    check(openapi, owner_api.post("/api/v1/jobs", {"prompt": ""}, format="json").json(), "/api/v1/jobs", "post", 400)
    check(openapi, other_api.get(f"/api/v1/jobs/{job.id}").json(), "/api/v1/jobs/{job_id}", "get", 403)
    check(openapi, owner_api.get("/api/v1/jobs/nosuchjob").json(), "/api/v1/jobs/{job_id}", "get", 404)
