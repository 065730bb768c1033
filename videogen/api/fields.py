"""Shared request/response pieces for the API."""

from __future__ import annotations

import ipaddress

from django.conf import settings

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    error = serializers.CharField()
    details = serializers.DictField(child=serializers.JSONField())


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: OpenApiResponse(ErrorSerializer, description="Error") for code in codes}


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or with TRUSTED_PROXY_COUNT = N reverse
    proxies in front, the address the outermost trusted proxy saw (X-Forwarded-For)."""
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= trusted:
            try:
                return str(ipaddress.ip_address(hops[-trusted]))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR") or None


def validated(serializer_class, data, **kwargs) -> dict:
    """Run a serializer over request data and return its validated data (raises 400)."""
    if not isinstance(data, dict):
        raise serializers.ValidationError({"non_field_errors": ["Expected a JSON object."]})
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


__all__ = ["ErrorSerializer", "error_responses", "client_ip", "validated", "inline_serializer"]
