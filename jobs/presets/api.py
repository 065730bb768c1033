"""JSON API for presets: /presets (list, create; from parameters or from a job),
/presets/<id> (read, rename or change, delete), /presets/<id>/jobs (a job from it)."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from jobs import selectors as job_selectors
from jobs.api import create_job_response
from jobs.presets import selectors, services
from jobs.serializers import JobCreateSerializer, JobSerializer
from videogen.api.schema import error_responses
from videogen.pagination import page_from_query
from videogen.errors import InvalidInput

class PresetSerializer(serializers.Serializer):
    """The documented shape; the JSON comes from ``selectors.preset_json``."""

    id = serializers.CharField()
    name = serializers.CharField()
    parameters = serializers.DictField()
    createdAt = serializers.DateTimeField()
    updatedAt = serializers.DateTimeField()
PresetWriteSerializer = inline_serializer(
    "PresetWrite",
    {"name": serializers.CharField(), "parameters": serializers.DictField(required=False),
     "jobId": serializers.CharField(required=False)},
)


def _body(request) -> dict:
    if not isinstance(request.data, dict):
        raise InvalidInput("Expected a JSON object.", details={"non_field_errors": ["Expected a JSON object."]})
    return request.data


class PresetCollectionView(APIView):
    @extend_schema(operation_id="presets_list", responses={200: inline_serializer("PresetList", {"presets": PresetSerializer(many=True),
                                                                     "total": serializers.IntegerField(),
                                                                     "skip": serializers.IntegerField(),
                                                                     "take": serializers.IntegerField()}),
                              **error_responses(400, 401)})
    def get(self, request):
        page = page_from_query(request.query_params)
        rows, total = selectors.preset_list(user=request.user, skip=page.skip, take=page.take)
        return Response({"presets": [selectors.preset_json(p) for p in rows], "total": total, "skip": page.skip,
                         "take": page.take})

    @extend_schema(request=PresetWriteSerializer, responses={201: PresetSerializer, **error_responses(400, 401, 409)})
    def post(self, request):
        body = _body(request)
        job_id = body.get("jobId")
        if job_id is not None:
            if not isinstance(job_id, str):
                raise InvalidInput.for_field("jobId", "Must be a job id.")
            job = job_selectors.get_job_for_user(user=request.user, job_id=job_id)
            preset = services.preset_create_from_job(user=request.user, name=body.get("name"), job=job)
        else:
            preset = services.preset_create(user=request.user, name=body.get("name"),
                                            parameters=body.get("parameters", {}))
        return Response(selectors.preset_json(preset), status=status.HTTP_201_CREATED)


class PresetDetailView(APIView):
    @extend_schema(responses={200: PresetSerializer, **error_responses(401, 404)})
    def get(self, request, preset_id: str):
        return Response(selectors.preset_json(selectors.get_preset_for_user(user=request.user, preset_id=preset_id)))

    @extend_schema(request=PresetWriteSerializer, responses={200: PresetSerializer, **error_responses(400, 401, 404, 409)})
    def patch(self, request, preset_id: str):
        preset = selectors.get_preset_for_user(user=request.user, preset_id=preset_id)
        body = _body(request)
        preset = services.preset_update(preset=preset, name=body.get("name"), parameters=body.get("parameters"))
        return Response(selectors.preset_json(preset))

    @extend_schema(responses={204: None, **error_responses(401, 404)})
    def delete(self, request, preset_id: str):
        services.preset_delete(preset=selectors.get_preset_for_user(user=request.user, preset_id=preset_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PresetJobsView(APIView):
    @extend_schema(request=JobCreateSerializer, responses={201: JobSerializer, **error_responses(400, 401, 404, 429)})
    def post(self, request, preset_id: str):
        """A job from the preset's parameters; the body's keys (a prompt, a project ...) win."""
        preset = selectors.get_preset_for_user(user=request.user, preset_id=preset_id)
        return create_job_response(request, {**preset.parameters, **_body(request)})


api_urlpatterns = [
    path("presets", PresetCollectionView.as_view(), name="api-presets"),
    path("presets/<str:preset_id>", PresetDetailView.as_view(), name="api-preset"),
    path("presets/<str:preset_id>/jobs", PresetJobsView.as_view(), name="api-preset-jobs"),
]
