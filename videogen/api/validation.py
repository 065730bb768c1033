"""Running a serializer over a request body: validated data, or the 400 envelope."""

from __future__ import annotations

from rest_framework import serializers


def validated(serializer_class, data, **kwargs) -> dict:
    """Run a serializer over request data and return its validated data (raises 400)."""
    if not isinstance(data, dict):
        raise serializers.ValidationError({"non_field_errors": ["Expected a JSON object."]})
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
