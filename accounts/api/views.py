from __future__ import annotations

from dataclasses import asdict

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import services
from accounts.api.serializers import (
    LoginInputSerializer,
    LogoutAllSerializer,
    RefreshTokenInputSerializer,
    RegisterInputSerializer,
    TokenPairSerializer,
    UserSerializer,
)
from accounts.models import User
from accounts.tokens import TokenPair
from core.api.ratelimit import check_rate_limit
from core.api.schema import error_responses
from core.errors import AuthenticationFailed


def token_response(pair: TokenPair, user: User, status_code: int = status.HTTP_200_OK) -> Response:
    return Response(TokenPairSerializer({**asdict(pair), "user": user}).data, status=status_code)


class AuthViewSet(viewsets.ViewSet):
    """``/auth/*``: registration, login, token refresh and revocation, the profile."""

    # Authenticated (the project's default) but for the credentials endpoints: register, login
    # and refresh are open to anyone and ignore a stale Authorization header (an expired access
    # token sent along with a refresh) instead of failing on it. Both are set per action: DRF
    # builds the authenticators before it knows the action.

    @extend_schema(request=RegisterInputSerializer, responses={201: TokenPairSerializer, **error_responses(400, 429)})
    @action(detail=False, methods=["post"], permission_classes=[AllowAny], authentication_classes=[])
    def register(self, request: Request) -> Response:
        check_rate_limit(request, rate_name="register")
        data = RegisterInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_register(**data.validated_data)
        return token_response(services.user_record_login(user=user), user, status.HTTP_201_CREATED)

    @extend_schema(request=LoginInputSerializer, responses={200: TokenPairSerializer, **error_responses(400, 401, 429)})
    @action(detail=False, methods=["post"], permission_classes=[AllowAny], authentication_classes=[])
    def login(self, request: Request) -> Response:
        check_rate_limit(request, rate_name="login")
        data = LoginInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        email = data.validated_data["email"].strip().lower()

        def account_key(group: str, req: Request) -> str:
            return email

        # Guessing one account's password from many addresses: 100 failures an hour at most.
        check_rate_limit(request, rate_name="login_failures_per_account", key=account_key, increment=False)
        try:
            user = services.user_authenticate(email=email, password=data.validated_data["password"])
        except AuthenticationFailed:
            check_rate_limit(request, rate_name="login_failures_per_account", key=account_key)
            raise
        return token_response(services.user_record_login(user=user), user)

    @extend_schema(responses={200: UserSerializer, **error_responses(401)})
    @action(detail=False, methods=["get"])
    def me(self, request: Request) -> Response:
        return Response(UserSerializer(request.user).data)

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
