from __future__ import annotations

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed
from rest_framework_simplejwt.tokens import Token

from accounts.models import User
from accounts.tokens import TOKEN_VERSION_CLAIM


class RevocableJWTAuthentication(JWTAuthentication):
    """simplejwt's authentication plus the per-user token version: an access token issued
    before "log out everywhere" (or a deactivation) is refused at once, not at expiry."""

    def get_user(self, validated_token: Token) -> User:
        user = super().get_user(validated_token)  # also refuses inactive users
        if validated_token.get(TOKEN_VERSION_CLAIM) != user.token_version:
            raise AuthenticationFailed("Token has been revoked.", code="token_revoked")
        return user


class RevocableJWTScheme(SimpleJWTScheme):
    """Documents our subclass as the usual Bearer JWT scheme in the OpenAPI schema."""

    target_class = RevocableJWTAuthentication
    name = "jwtAuth"
