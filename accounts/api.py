"""JSON auth API: register, login, refresh, logout, me, password change and reset, email verification."""

from __future__ import annotations

import logging

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.serializers import (
    CredentialsSerializer,
    EmailTokenSerializer,
    PasswordChangeSerializer,
    PasswordResetConfirmSerializer,
    PasswordResetSerializer,
    RefreshTokenSerializer,
    TokenPairSerializer,
    UserSerializer,
)
from accounts.mail import site_url
from accounts.password_reset import password_reset_confirm, password_reset_request
from accounts.services import user_authenticate, user_change_password, user_register
from accounts.tokens import refresh_token_revoke, token_pair_issue, token_pair_rotate
from accounts.two_factor.challenge import api_challenge_issue
from accounts.two_factor.selectors import two_factor_enabled
from accounts.two_factor.serializers import TwoFactorRequiredSerializer
from accounts.verification import email_verify, verification_mail_resend
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
        user = user_register(
            email=data["email"], password=data["password"], ip_address=client_ip(request), base_url=site_url(request)
        )
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class LoginView(PublicAuthView):
    @extend_schema(
        request=CredentialsSerializer,
        responses={
            200: PolymorphicProxySerializer(
                component_name="LoginResult", serializers=[TokenPairSerializer, TwoFactorRequiredSerializer],
                resource_type_field_name=None,
            ),
            **error_responses(400, 401, 429),
        },
        description="With two-factor on, 200 answers {two_factor_required, token, expires_in} instead: "
        "POST /auth/login/2fa {token, code} returns the token pair.",
    )
    def post(self, request):
        data = validated(CredentialsSerializer, request.data)
        user = user_authenticate(email=data["email"], password=data["password"], ip_address=client_ip(request))
        if two_factor_enabled(user):  # two-factor: a second-step token, exchanged at auth/login/2fa
            return Response(api_challenge_issue(user=user))
        return Response(token_pair_for_request(request, user).as_response())


def token_pair_for_request(request, user):
    """A new token family for a login, remembering where it came from (listed on /settings)."""
    return token_pair_issue(
        user=user, ip_address=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")
    )


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


class AccountManagementView(APIView):
    """Changes to the account itself: a signed-in login (JWT or session) only, never an
    API key (accounts.key_auth answers 403), so a leaked key cannot take the account."""

    permission_classes = [IsAuthenticated]
    refuses_api_keys = True


class PasswordChangeView(AccountManagementView):

    @extend_schema(
        request=PasswordChangeSerializer, responses={200: TokenPairSerializer, **error_responses(400, 401, 429)},
        description="Every session and token issued before ends; the answer is a new token pair.",
    )
    def post(self, request):
        data = validated(PasswordChangeSerializer, request.data)
        user_change_password(
            user=request.user, current_password=data["currentPassword"], new_password=data["newPassword"],
            ip_address=client_ip(request),
        )
        return Response(token_pair_for_request(request, request.user).as_response())


class PasswordResetView(PublicAuthView):
    @extend_schema(
        request=PasswordResetSerializer, responses={202: None, **error_responses(400, 429)},
        description="Mails a reset link if an account has this email; the same answer either way.",
    )
    def post(self, request):
        data = validated(PasswordResetSerializer, request.data)
        password_reset_request(email=data["email"], ip_address=client_ip(request), base_url=site_url(request))
        return Response(status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(PublicAuthView):
    @extend_schema(
        request=PasswordResetConfirmSerializer, responses={204: None, **error_responses(400, 429)},
        description="Sets the new password; every session and token issued before ends.",
    )
    def post(self, request):
        data = validated(PasswordResetConfirmSerializer, request.data)
        password_reset_confirm(
            uidb64=data["uid"], token=data["token"], password=data["password"], ip_address=client_ip(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class VerifyEmailView(PublicAuthView):
    @extend_schema(request=EmailTokenSerializer, responses={204: None, **error_responses(400)})
    def post(self, request):
        data = validated(EmailTokenSerializer, request.data)
        email_verify(token=data["token"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class VerifyEmailResendView(AccountManagementView):

    @extend_schema(request=None, responses={202: None, **error_responses(401, 429)})
    def post(self, request):
        verification_mail_resend(user=request.user, ip_address=client_ip(request), base_url=site_url(request))
        return Response(status=status.HTTP_202_ACCEPTED)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: UserSerializer, **error_responses(401)})
    def get(self, request):
        return Response(UserSerializer(request.user).data)
