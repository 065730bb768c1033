"""JSON API for personal API keys: list, create (the key appears once), revoke.

These endpoints refuse key authentication (``refuses_api_keys``): a leaked key must
not be able to mint or hide other keys. Sign in with a password (JWT) or a session.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.key_selectors import get_api_key_for_user, live_keys_for
from accounts.key_services import api_key_create, api_key_revoke
from accounts.models import ApiKey, ApiKeyScope
from videogen.api.schema import error_responses
from videogen.api.validation import validated


class ApiKeySerializer(serializers.ModelSerializer):
    prefix = serializers.CharField(source="display_prefix", read_only=True)
    createdAt = serializers.DateTimeField(source="created_at", read_only=True)
    lastUsedAt = serializers.DateTimeField(source="last_used_at", read_only=True, allow_null=True)
    expiresAt = serializers.DateTimeField(source="expires_at", read_only=True, allow_null=True)

    class Meta:
        model = ApiKey
        fields = ["id", "name", "prefix", "scope", "createdAt", "lastUsedAt", "expiresAt"]


class CreatedApiKeySerializer(ApiKeySerializer):
    key = serializers.CharField(read_only=True, help_text="The whole key. Shown only in this answer.")

    class Meta(ApiKeySerializer.Meta):
        fields = [*ApiKeySerializer.Meta.fields, "key"]


class ApiKeyCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    scope = serializers.ChoiceField(choices=ApiKeyScope.choices, default=ApiKeyScope.READ)
    expiresAt = serializers.DateTimeField(required=False, allow_null=True, default=None)


class KeyManagementView(APIView):
    refuses_api_keys = True


class ApiKeyCollectionView(KeyManagementView):
    @extend_schema(
        operation_id="keys_list",
        responses={200: inline_serializer("ApiKeyList", {"keys": ApiKeySerializer(many=True)}), **error_responses(401, 403)},
    )
    def get(self, request):
        return Response({"keys": ApiKeySerializer(live_keys_for(request.user), many=True).data})

    @extend_schema(request=ApiKeyCreateSerializer, responses={201: CreatedApiKeySerializer, **error_responses(400, 401, 403)})
    def post(self, request):
        data = validated(ApiKeyCreateSerializer, request.data)
        created = api_key_create(user=request.user, name=data["name"], scope=data["scope"], expires_at=data["expiresAt"])
        body = {**ApiKeySerializer(created.api_key).data, "key": created.key}
        return Response(body, status=status.HTTP_201_CREATED)


class ApiKeyDetailView(KeyManagementView):
    @extend_schema(responses={204: None, **error_responses(401, 403, 404)})
    def delete(self, request, key_id: str):
        api_key_revoke(api_key=get_api_key_for_user(user=request.user, key_id=key_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
