"""JSON API for webhook endpoints: /api/v1/webhooks."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from jobs.selectors import get_job_for_user
from jobs.webhooks import selectors, services
from jobs.webhooks.serializers import (
    AttemptSerializer, DeliverySerializer, EndpointSerializer, EndpointWriteSerializer, RedeliverSerializer,
    attempt_json, delivery_json, endpoint_json, secret_json,
)
from videogen.api.schema import error_responses
from videogen.api.validation import validated
from videogen.pagination import page_from_query

TAGS = ["webhooks"]
EndpointListSerializer = inline_serializer(
    "WebhookEndpointList",
    {"webhooks": EndpointSerializer(many=True), "total": serializers.IntegerField(),
     "skip": serializers.IntegerField(), "take": serializers.IntegerField()},
)
AttemptListSerializer = inline_serializer(
    "WebhookAttemptList",
    {"deliveries": AttemptSerializer(many=True), "total": serializers.IntegerField(),
     "skip": serializers.IntegerField(), "take": serializers.IntegerField()},
)
SecretSerializer = inline_serializer(
    "WebhookSecret",
    {"secret": serializers.CharField(), "previousSecret": serializers.CharField(allow_null=True),
     "previousSecretExpiresAt": serializers.DateTimeField(allow_null=True)},
)


def _fields(data: dict) -> services.EndpointFields:
    return services.EndpointFields(
        url=data.get("url"), description=data.get("description"), events=data.get("events"),
        enabled=data.get("enabled"),
    )


class EndpointCollectionView(APIView):
    @extend_schema(operation_id="webhooks_list", tags=TAGS, responses={200: EndpointListSerializer, **error_responses(400, 401)})
    def get(self, request):
        page = page_from_query(request.query_params)
        rows, total = selectors.endpoint_list(user=request.user, skip=page.skip, take=page.take)
        return Response({"webhooks": [endpoint_json(e, with_secret=False) for e in rows], "total": total,
                         "skip": page.skip, "take": page.take})

    @extend_schema(operation_id="webhooks_create", tags=TAGS, request=EndpointWriteSerializer,
                   responses={201: EndpointSerializer, **error_responses(400, 401)})
    def post(self, request):
        endpoint = services.endpoint_create(user=request.user, fields=_fields(validated(EndpointWriteSerializer, request.data)))
        return Response(endpoint_json(endpoint, with_secret=True), status=status.HTTP_201_CREATED)


class EndpointDetailView(APIView):
    @extend_schema(operation_id="webhooks_retrieve", tags=TAGS, responses={200: EndpointSerializer, **error_responses(401, 403, 404)})
    def get(self, request, endpoint_id: str):
        endpoint = selectors.get_endpoint_for_user(user=request.user, endpoint_id=endpoint_id)
        return Response(endpoint_json(endpoint, with_secret=True))

    @extend_schema(operation_id="webhooks_partial_update", tags=TAGS, request=EndpointWriteSerializer,
                   responses={200: EndpointSerializer, **error_responses(400, 401, 403, 404)})
    def patch(self, request, endpoint_id: str):
        endpoint = selectors.get_endpoint_for_user(user=request.user, endpoint_id=endpoint_id)
        data = validated(EndpointWriteSerializer, request.data, partial=True)
        endpoint = services.endpoint_update(endpoint=endpoint, fields=_fields(data))
        return Response(endpoint_json(endpoint, with_secret=True))

    @extend_schema(operation_id="webhooks_destroy", tags=TAGS, responses={204: None, **error_responses(401, 403, 404)})
    def delete(self, request, endpoint_id: str):
        services.endpoint_delete(endpoint=selectors.get_endpoint_for_user(user=request.user, endpoint_id=endpoint_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class EndpointRotateView(APIView):
    @extend_schema(operation_id="webhooks_rotate_secret", tags=TAGS, request=None,
                   responses={200: EndpointSerializer, **error_responses(401, 403, 404)})
    def post(self, request, endpoint_id: str):
        endpoint = selectors.get_endpoint_for_user(user=request.user, endpoint_id=endpoint_id)
        return Response(endpoint_json(services.endpoint_rotate_secret(endpoint=endpoint), with_secret=True))


class EndpointAttemptsView(APIView):
    @extend_schema(operation_id="webhooks_deliveries", tags=TAGS, responses={200: AttemptListSerializer, **error_responses(400, 401, 403, 404)})
    def get(self, request, endpoint_id: str):
        endpoint = selectors.get_endpoint_for_user(user=request.user, endpoint_id=endpoint_id)
        page = page_from_query(request.query_params)
        rows, total = selectors.attempt_list(endpoint=endpoint, skip=page.skip, take=page.take)
        return Response({"deliveries": [attempt_json(a) for a in rows], "total": total, "skip": page.skip,
                         "take": page.take})


class JobWebhookAttemptsView(APIView):
    """Attempts to a job's own ``webhookUrl`` (given on create), newest first."""

    @extend_schema(operation_id="jobs_webhook_deliveries", tags=TAGS,
                   responses={200: AttemptListSerializer, **error_responses(400, 401, 403, 404)})
    def get(self, request, job_id: str):
        job = get_job_for_user(user=request.user, job_id=job_id)
        page = page_from_query(request.query_params)
        rows, total = selectors.job_webhook_attempts(user=request.user, job_id=job.id, skip=page.skip, take=page.take)
        return Response({"deliveries": [attempt_json(a) for a in rows], "total": total, "skip": page.skip,
                         "take": page.take})


class EndpointRedeliverView(APIView):
    @extend_schema(operation_id="webhooks_redeliver", tags=TAGS, request=RedeliverSerializer,
                   responses={202: DeliverySerializer, **error_responses(400, 401, 403, 404)})
    def post(self, request, endpoint_id: str):
        endpoint = selectors.get_endpoint_for_user(user=request.user, endpoint_id=endpoint_id)
        data = validated(RedeliverSerializer, request.data)
        message = selectors.get_message_for_endpoint(endpoint=endpoint, message_id=data["eventId"])
        delivery = services.message_redeliver(endpoint=endpoint, message=message)
        return Response(delivery_json(delivery), status=status.HTTP_202_ACCEPTED)


class EndpointTestView(APIView):
    @extend_schema(operation_id="webhooks_send_test", tags=TAGS, request=None,
                   responses={202: DeliverySerializer, **error_responses(400, 401, 403, 404)})
    def post(self, request, endpoint_id: str):
        endpoint = selectors.get_endpoint_for_user(user=request.user, endpoint_id=endpoint_id)
        return Response(delivery_json(services.endpoint_send_test(endpoint=endpoint)), status=status.HTTP_202_ACCEPTED)


class DefaultSecretView(APIView):
    """The secret that signs the webhooks jobs carry themselves (webhookUrl)."""

    @extend_schema(operation_id="webhooks_default_secret", tags=TAGS, responses={200: SecretSerializer, **error_responses(401)})
    def get(self, request):
        return Response(secret_json(services.user_secret_get(user=request.user)))


class DefaultSecretRotateView(APIView):
    @extend_schema(operation_id="webhooks_default_secret_rotate", tags=TAGS, request=None,
                   responses={200: SecretSerializer, **error_responses(401)})
    def post(self, request):
        return Response(secret_json(services.user_secret_rotate(user=request.user)))
