"""The API's job shapes (camelCase, the original spec's): what it accepts and returns.

``JobCreateSerializer`` is derived from the parameter contract (``jobs.parameters``):
strict types, the contract's bounds. The JSON a job is answered with is built by
``jobs.presentation.job_json``; ``JobSerializer`` documents it (OpenAPI).
"""

from __future__ import annotations

from rest_framework import serializers

from jobs import parameters
from jobs.models import JobStatus
from jobs.parameters import CHOICE, INTEGER, NUMBER, OBJECT, Param
from jobs.presentation import PARAMS_WITHOUT_COLUMN, JobUrls, job_json
from jobs.results import FACT_COLUMNS
from videogen.api.strict_fields import (
    JSONObjectField,
    StrictCharField,
    StrictChoiceField,
    StrictFloatField,
    StrictIntegerField,
)


def drf_field(param: Param) -> serializers.Field:
    """The API field for a contract parameter: its type (strict), bounds (with the
    contract's message) and default. The bounds stay on the field for the OpenAPI schema."""
    common: dict = {"required": param.required}
    if not param.required:
        common["allow_null"] = True
        if param.default is not None and not param.per_model:
            # A render parameter left out takes the model's default (the service fills it in).
            common["default"] = param.default
    # The contract's message for a value out of bounds, so the API and the forms agree.
    out_of_bounds = param.bounds_message().replace("{", "{{").replace("}", "}}")
    if param.kind == CHOICE:
        return StrictChoiceField(
            choices=list(param.choices), error_messages={"invalid_choice": out_of_bounds}, **common
        )
    if param.kind in (INTEGER, NUMBER):
        field_class = StrictIntegerField if param.kind == INTEGER else StrictFloatField
        return field_class(
            min_value=param.minimum, max_value=param.maximum,
            error_messages={"min_value": out_of_bounds, "max_value": out_of_bounds}, **common,
        )
    if param.kind == OBJECT:
        return JSONObjectField(**common)
    return StrictCharField(
        max_length=param.max_length, trim_whitespace=False, allow_blank=not param.required, **common
    )


class JobCreateSerializer(serializers.Serializer):
    """Types and the contract's bounds; the service checks the model's limits too."""

    def get_fields(self):
        return {
            **{param.name: drf_field(param) for param in parameters.PARAMETERS},
            # The job's own webhook (checked by the service: https, no private destinations).
            "webhookUrl": StrictCharField(max_length=2000, required=False, allow_null=True, allow_blank=True,
                                          trim_whitespace=False),
            "webhookEvents": serializers.ListField(child=StrictCharField(max_length=40), required=False,
                                                   allow_null=True, max_length=10),
        }

    def validate_prompt(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("This field may not be blank.")
        return value


_FACT_FIELDS = {
    "width": serializers.IntegerField, "height": serializers.IntegerField, "fps": serializers.IntegerField,
    "frames": serializers.IntegerField, "durationSeconds": serializers.FloatField,
    "sizeBytes": serializers.IntegerField, "codec": serializers.CharField,
}
assert set(_FACT_FIELDS) == {api for _, api in FACT_COLUMNS.values()}


class JobResultSerializer(serializers.Serializer):
    """A completed job's video; a processing job's block holds ``previewUrl`` only."""

    previewUrl = serializers.CharField(required=False)
    videoUrl = serializers.CharField()
    thumbnailUrl = serializers.CharField(allow_null=True)
    downloadUrl = serializers.CharField()

    def get_fields(self):
        return {**super().get_fields(), **{name: field() for name, field in _FACT_FIELDS.items()}}


class JobSerializer(serializers.Serializer):
    """A job as the API returns it. The fields document the shape (OpenAPI);
    the JSON itself comes from ``jobs.presentation.job_json``, which builds it without
    DRF's per-field machinery (a fifth of a 50-job list's time otherwise)."""

    id = serializers.CharField()
    userId = serializers.CharField()
    projectId = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=JobStatus.choices)
    prompt = serializers.CharField()
    model = serializers.CharField()
    resolution = serializers.CharField()
    quality = serializers.CharField()
    duration = serializers.IntegerField()
    metadata = serializers.JSONField()
    progress = serializers.IntegerField()
    queuePosition = serializers.IntegerField(allow_null=True)
    result = JobResultSerializer(allow_null=True)
    attempt = serializers.IntegerField()
    startedAt = serializers.DateTimeField(allow_null=True)
    completedAt = serializers.DateTimeField(allow_null=True)
    retryCount = serializers.IntegerField()
    maxRetries = serializers.IntegerField()
    usedProvider = serializers.CharField(allow_null=True)
    usedModel = serializers.CharField(allow_null=True)
    generationTimeMs = serializers.IntegerField(allow_null=True)
    errorMessage = serializers.CharField(allow_null=True)
    createdAt = serializers.DateTimeField()
    updatedAt = serializers.DateTimeField()

    def get_fields(self):
        fields = super().get_fields()
        for param in PARAMS_WITHOUT_COLUMN:
            fields[param.name] = drf_field(param)
        return fields

    def to_representation(self, job) -> dict:
        urls = getattr(self, "_urls", None)
        if urls is None:
            urls = self._urls = JobUrls(self.context.get("request"))
        return job_json(job, urls=urls)
