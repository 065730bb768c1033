"""JSON second login step: POST /api/v1/auth/login/2fa {token, code} -> the usual token pair."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from accounts.api import PublicAuthView
from accounts.serializers import TokenPairSerializer
from accounts.tokens import token_pair_issue
from accounts.two_factor import challenge, services
from videogen.api.fields import client_ip, error_responses, validated


class SecondStepSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=1000, help_text="The `token` from POST /auth/login.")
    code = serializers.CharField(max_length=64, help_text="A 6-digit authenticator code or a recovery code.")


class TwoFactorRequiredSerializer(serializers.Serializer):
    """What POST /auth/login answers for an account with two-factor on (no access yet)."""

    two_factor_required = serializers.BooleanField(default=True)
    token = serializers.CharField(help_text="Send it to POST /auth/login/2fa with a code.")
    expires_in = serializers.IntegerField(help_text="Seconds the token stays valid.")


class LoginSecondStepView(PublicAuthView):
    @extend_schema(request=SecondStepSerializer, responses={200: TokenPairSerializer, **error_responses(400, 401, 429)})
    def post(self, request):
        data = validated(SecondStepSerializer, request.data)
        user = challenge.api_challenge_user(token=data["token"])
        services.two_factor_verify(user=user, code=data["code"], ip_address=client_ip(request))
        challenge.api_challenge_spend(user=user)
        return Response(token_pair_issue(user=user).as_response())
