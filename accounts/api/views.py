from __future__ import annotations

from dataclasses import asdict

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import login_throttle, services
from accounts.api.serializers import (
    EmailVerificationSerializer,
    LoginInputSerializer,
    LoginResponseSerializer,
    LogoutAllSerializer,
    RefreshTokenInputSerializer,
    RegisterInputSerializer,
    TokenPairSerializer,
    UserSerializer,
    VerifyEmailInputSerializer,
)
from accounts.models import User
from accounts.tokens import TokenPair
from core.api.ratelimit import check_rate_limit, user_or_ip
from core.api.schema import error_responses
from core.errors import AuthenticationFailed


def token_response(pair: TokenPair, user: User, status_code: int = status.HTTP_200_OK) -> Response:
    return Response(TokenPairSerializer({**asdict(pair), "user": user}).data, status=status_code)


class AuthViewSet(viewsets.ViewSet):
    """``/auth/*``: registration, login, token refresh and revocation, the profile, email
    verification."""

    # Authenticated (the project's default) but for the credentials endpoints: register, login,
    # refresh and verify-email (its link is opened from an email, maybe on another device) are
    # open to anyone and ignore a stale Authorization header (an expired access token sent
    # along with a refresh) instead of failing on it. Both are set per action: DRF builds the
    # authenticators before it knows the action.

    @extend_schema(request=RegisterInputSerializer, responses={201: TokenPairSerializer, **error_responses(400, 429)})
    @action(detail=False, methods=["post"], permission_classes=[AllowAny], authentication_classes=[])
    def register(self, request: Request) -> Response:
        check_rate_limit(request, rate_name="register")
        data = RegisterInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_register(**data.validated_data)
        return token_response(services.user_record_login(user=user), user, status.HTTP_201_CREATED)

    @extend_schema(
        request=LoginInputSerializer, responses={200: LoginResponseSerializer, **error_responses(400, 401, 429)}
    )
    @action(detail=False, methods=["post"], permission_classes=[AllowAny], authentication_classes=[])
    def login(self, request: Request) -> Response:
        check_rate_limit(request, rate_name="login")
        data = LoginInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        email = data.validated_data["email"]
        # Guessing one account's password from many addresses locks unknown devices only
        # (100 failures an hour); a device that logged in before has its own budget.
        device = login_throttle.device_nonce(
            data.validated_data.get("device_token"), request.COOKIES.get(login_throttle.DEVICE_COOKIE), email=email
        )
        login_throttle.login_check(request, email=email, device=device)
        try:
            user = services.user_authenticate(email=email, password=data.validated_data["password"])
        except AuthenticationFailed:
            login_throttle.login_failed(request, email=email, device=device)
            raise
        pair = services.user_record_login(user=user)
        device_token = login_throttle.device_token_issue(email=user.email)
        response = Response(LoginResponseSerializer({**asdict(pair), "user": user, "device_token": device_token}).data)
        login_throttle.device_cookie_set(response, device_token)
        return response

    @extend_schema(responses={200: UserSerializer, **error_responses(401)})
    @action(detail=False, methods=["get"])
    def me(self, request: Request) -> Response:
        return Response(UserSerializer(request.user).data)

    @extend_schema(
        request=VerifyEmailInputSerializer,
        responses={200: UserSerializer, **error_responses(400, 429)},
        description="Verifies the address with the token of the link in the verification email (valid 48 hours). "
        "Idempotent; no authentication needed. An invalid, expired or tampered token is a 400.",
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="verify-email",
        permission_classes=[AllowAny],
        authentication_classes=[],
    )
    def verify_email(self, request: Request) -> Response:
        check_rate_limit(request, rate_name="verify_email")
        data = VerifyEmailInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_verify_email(token=data.validated_data["token"])
        return Response(UserSerializer(user).data)

    @extend_schema(
        request=None,
        responses={
            202: OpenApiResponse(EmailVerificationSerializer, description="A new verification email is on its way."),
            200: OpenApiResponse(EmailVerificationSerializer, description="The address is verified: nothing is sent."),
            **error_responses(401, 429),
        },
        description="Sends the verification email again (3 an hour per user).",
    )
    @action(detail=False, methods=["post"], url_path="verify-email/resend")
    def verify_email_resend(self, request: Request) -> Response:
        check_rate_limit(request, rate_name="verify_email_resend", key=user_or_ip)
        sent = services.user_request_email_verification(user=request.user)
        body = {"email_verified": request.user.email_verified, "verification_email_sent": sent}
        answer = status.HTTP_202_ACCEPTED if sent else status.HTTP_200_OK
        return Response(EmailVerificationSerializer(body).data, status=answer)

    @extend_schema(
        request=RefreshTokenInputSerializer, responses={200: TokenPairSerializer, **error_responses(400, 401, 429)}
    )
    @action(detail=False, methods=["post"], permission_classes=[AllowAny], authentication_classes=[])
    def refresh(self, request: Request) -> Response:
        check_rate_limit(request, rate_name="refresh")
        data = RefreshTokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user, pair = services.token_pair_refresh(refresh_token=data.validated_data["refresh_token"])
        return token_response(pair, user)

    @extend_schema(
        request=RefreshTokenInputSerializer,
        responses={204: OpenApiResponse(description="The refresh token is revoked."), **error_responses(400, 401)},
    )
    @action(detail=False, methods=["post"])
    def logout(self, request: Request) -> Response:
        data = RefreshTokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.token_revoke(user=request.user, refresh_token=data.validated_data["refresh_token"])
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: LogoutAllSerializer, **error_responses(401)})
    @action(detail=False, methods=["post"], url_path="logout-all")
    def logout_all(self, request: Request) -> Response:
        revoked = services.tokens_revoke_all(user=request.user)
        return Response(LogoutAllSerializer({"revoked_refresh_tokens": revoked}).data)
