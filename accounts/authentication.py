from __future__ import annotations

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.tokens import Token

from accounts.models import User
from accounts.tokens import token_is_current, token_user_id
from core.prepared import PreparedQuery

# Every authenticated request reads its user: the SQL is compiled once, not per request.
_user_by_id = PreparedQuery(lambda user_id: User.objects.filter(pk=user_id).order_by())


class RevocableJWTAuthentication(JWTAuthentication):
    """simplejwt's authentication plus what makes a token stale: the per-user token version
    (an access token issued before "log out everywhere" or a deactivation is refused at once,
    not at expiry) and the password fingerprint (a password change kills older tokens).

    A validly signed token with odd claims (a list for the user id, an expiry past the year
    9999) is a 401 like any bad token, never a 500."""

    def get_validated_token(self, raw_token: bytes) -> Token:
        try:
            return super().get_validated_token(raw_token)
        except (OverflowError, ValueError, TypeError):
            raise InvalidToken("Token is invalid.") from None

    def get_user(self, validated_token: Token) -> User:
        user_id = token_user_id(validated_token)
        users = _user_by_id.rows(user_id) if user_id is not None else []
        user = users[0] if users else None
        if user is None:
            raise AuthenticationFailed("User not found.", code="user_not_found")
        if not user.is_active:
            raise AuthenticationFailed("User is inactive.", code="user_inactive")
        if not token_is_current(validated_token, user):
            raise AuthenticationFailed("Token has been revoked.", code="token_revoked")
        return user


class RevocableJWTScheme(SimpleJWTScheme):
    """Documents our subclass as the usual Bearer JWT scheme in the OpenAPI schema."""

    target_class = RevocableJWTAuthentication
    name = "jwtAuth"
