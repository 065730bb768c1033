"""JSON second login step: POST /api/v1/auth/login/2fa {token, code} -> the usual token pair."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from accounts.api import PublicAuthView, token_pair_for_request
from accounts.serializers import TokenPairSerializer
from accounts.two_factor import challenge, services
from accounts.two_factor.serializers import SecondStepSerializer
from videogen.api.schema import error_responses
from videogen.api.validation import validated
from videogen.client_ip import client_ip


class LoginSecondStepView(PublicAuthView):
    @extend_schema(
        request=SecondStepSerializer,
        responses={200: TokenPairSerializer, **error_responses(400, 401, 429)},
        description="The second login step for an account with two-factor on: the `token` that "
        "POST /auth/login answered (valid 5 minutes, once) and a 6-digit authenticator code or a "
        "single-use recovery code. Wrong codes count against the login throttle (429, Retry-After).",
    )
    def post(self, request):
        data = validated(SecondStepSerializer, request.data)
        user = challenge.api_challenge_user(token=data["token"])
        services.two_factor_verify(user=user, code=data["code"], ip_address=client_ip(request))
        challenge.api_challenge_spend(user=user)
        return Response(token_pair_for_request(request, user).as_response())
