"""JSON API for jobs and the model catalog."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from jobs import file_responses, previews, selectors, services
from jobs.catalog import all_models
from jobs.models import JobStatus
from jobs.presentation import JobUrls, job_json
from jobs.serializers import JobCreateSerializer, JobSerializer
from videogen.api.schema import error_responses
from videogen.api.validation import validated
from videogen.pagination import page_from_query

JobListSerializer = inline_serializer(
    "JobList",
    {"jobs": JobSerializer(many=True), "total": serializers.IntegerField(), "skip": serializers.IntegerField(),
     "take": serializers.IntegerField()},
)
StatsSerializer = inline_serializer(
    "JobStats",
    {"total": serializers.IntegerField(), "by_status": serializers.DictField(child=serializers.IntegerField()),
     "success_rate": serializers.FloatField(), "avg_generation_time_ms": serializers.IntegerField(allow_null=True)},
)


def _one(request, job) -> Response:
    job = selectors.job_for_display(job)
    return Response(job_json(job, urls=JobUrls(request)))


def create_job_response(request, body) -> Response:
    """Validate a job create body, create the job (honouring Idempotency-Key) and answer it."""
    data = validated(JobCreateSerializer, body)
    job, created = services.job_create(
        user=request.user,
        request=services.JobRequest.from_values(
            {**data, "projectId": data.get("projectId") or None, "model": data.get("model") or None,
             "metadata": data.get("metadata") or {}}
        ),
        idempotency_key=request.headers.get("Idempotency-Key"),
    )
    response = _one(request, job)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return response


class JobCollectionView(APIView):
    @extend_schema(
        operation_id="jobs_list",
        parameters=[
            OpenApiParameter("status", str, enum=JobStatus.values), OpenApiParameter("projectId", str),
            OpenApiParameter("skip", int), OpenApiParameter("take", int),
        ],
        responses={200: JobListSerializer, **error_responses(400, 401)},
    )
    def get(self, request):
        page = page_from_query(request.query_params)
        jobs, total = selectors.job_list(
            user=request.user, status=request.query_params.get("status") or None,
            project_id=request.query_params.get("projectId") or None, skip=page.skip, take=page.take,
            with_project=False,  # the JSON has projectId only
        )
        urls = JobUrls(request)
        data = [job_json(job, urls=urls) for job in jobs]
        return Response({"jobs": data, "total": total, "skip": page.skip, "take": page.take})

    @extend_schema(
        request=JobCreateSerializer,
        parameters=[OpenApiParameter("Idempotency-Key", str, location=OpenApiParameter.HEADER)],
        responses={201: JobSerializer, 200: JobSerializer, **error_responses(400, 401, 403, 409, 413, 429)},
    )
    def post(self, request):
        return create_job_response(request, request.data)


class JobDetailView(APIView):
    @extend_schema(responses={200: JobSerializer, **error_responses(401, 403, 404)})
    def get(self, request, job_id: str):
        return _one(request, selectors.get_job_for_user(user=request.user, job_id=job_id))

    @extend_schema(responses={204: None, **error_responses(401, 403, 404)})
    def delete(self, request, job_id: str):
        services.job_delete(job=selectors.get_job_for_user(user=request.user, job_id=job_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class JobCancelView(APIView):
    @extend_schema(request=None, responses={200: JobSerializer, **error_responses(400, 401, 403, 404)})
    def post(self, request, job_id: str):
        job = services.job_cancel(job=selectors.get_job_for_user(user=request.user, job_id=job_id))
        return _one(request, job)


class JobRetryView(APIView):
    @extend_schema(request=None, responses={200: JobSerializer, **error_responses(400, 401, 403, 404, 429)})
    def post(self, request, job_id: str):
        job = services.job_retry(job=selectors.get_job_for_user(user=request.user, job_id=job_id))
        return _one(request, job)


class JobStatsView(APIView):
    @extend_schema(responses={200: StatsSerializer, **error_responses(401)})
    def get(self, request):
        return Response(selectors.job_stats(user=request.user))


class JobVideoView(APIView):
    @extend_schema(responses={(200, "video/mp4"): bytes, (206, "video/mp4"): bytes, **error_responses(401, 403, 404, 416)})
    def get(self, request, job_id: str):
        job = selectors.get_job_for_user(user=request.user, job_id=job_id)
        download = file_responses.download_name(job.id) if request.query_params.get("download") else None
        return file_responses.serve_stored_file(request, job.video_path if job.status == JobStatus.COMPLETED else "",
                                       download_name=download)


class JobThumbnailView(APIView):
    @extend_schema(responses={(200, "image/jpeg"): bytes, **error_responses(401, 403, 404)})
    def get(self, request, job_id: str):
        job = selectors.get_job_for_user(user=request.user, job_id=job_id)
        return file_responses.serve_stored_file(request, job.thumbnail_path if job.status == JobStatus.COMPLETED else "")


class JobPreviewView(APIView):
    @extend_schema(responses={(200, "image/jpeg"): bytes, **error_responses(401, 403, 404)})
    def get(self, request, job_id: str):
        job = selectors.get_job_for_user(user=request.user, job_id=job_id)
        showing = job.status == JobStatus.PROCESSING and job.preview_at is not None
        name = previews.preview_path(user_id=job.user_id, job_id=job.id, attempt=job.attempt) if showing else ""
        return file_responses.serve_stored_file(request, name)


class ModelCatalogView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: inline_serializer("ModelCatalog", {"models": serializers.ListField(child=serializers.DictField())})})
    def get(self, request):
        return Response({"models": [model.as_api() for model in all_models()]})
