"""API shapes of the login's second step."""

from __future__ import annotations

from rest_framework import serializers


class SecondStepSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=1000, help_text="The `token` from POST /auth/login.")
    code = serializers.CharField(max_length=64, help_text="A 6-digit authenticator code or a recovery code.")


class TwoFactorRequiredSerializer(serializers.Serializer):
    """What POST /auth/login answers for an account with two-factor on (no access yet)."""

    two_factor_required = serializers.BooleanField(default=True)
    token = serializers.CharField(help_text="Send it to POST /auth/login/2fa with a code.")
    expires_in = serializers.IntegerField(help_text="Seconds the token stays valid.")
