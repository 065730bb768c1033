"""JSON auth API: register, login, refresh, logout, me."""

from __future__ import annotations

import logging

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.serializers import CredentialsSerializer, RefreshTokenSerializer, TokenPairSerializer, UserSerializer
from accounts.services import user_authenticate, user_register
from accounts.tokens import refresh_token_revoke, token_pair_issue, token_pair_rotate
from videogen.api.schema import error_responses
from videogen.api.validation import validated
from videogen.client_ip import client_ip

logger = logging.getLogger("videogen.auth")


class PublicAuthView(APIView):
    """Endpoints that take credentials in the body: no session, so no CSRF."""

    authentication_classes: list = []
    permission_classes = [AllowAny]


class RegisterView(PublicAuthView):
    @extend_schema(request=CredentialsSerializer, responses={201: UserSerializer, **error_responses(400, 409)})
    def post(self, request):
        data = validated(CredentialsSerializer, request.data)
        user = user_register(email=data["email"], password=data["password"], ip_address=client_ip(request))
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class LoginView(PublicAuthView):
    @extend_schema(request=CredentialsSerializer, responses={200: TokenPairSerializer, **error_responses(400, 401, 429)})
    def post(self, request):
        data = validated(CredentialsSerializer, request.data)
        user = user_authenticate(email=data["email"], password=data["password"], ip_address=client_ip(request))
        return Response(token_pair_issue(user=user).as_response())


class RefreshView(PublicAuthView):
    @extend_schema(request=RefreshTokenSerializer, responses={200: TokenPairSerializer, **error_responses(400, 401)})
    def post(self, request):
        data = validated(RefreshTokenSerializer, request.data)
        user, pair = token_pair_rotate(refresh_token=data["refresh_token"])
        logger.info("token refreshed", extra={"user_id": user.pk, "ip": client_ip(request)})
        return Response(pair.as_response())


class LogoutView(PublicAuthView):
    @extend_schema(request=RefreshTokenSerializer, responses={204: None, **error_responses(400, 401)})
    def post(self, request):
        data = validated(RefreshTokenSerializer, request.data)
        user = refresh_token_revoke(refresh_token=data["refresh_token"])
        logger.info("logout", extra={"user_id": user.pk, "ip": client_ip(request)})
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: UserSerializer, **error_responses(401)})
    def get(self, request):
        return Response(UserSerializer(request.user).data)
