"""JWT pairs (simplejwt) that can be revoked at once.

Every token carries ``tv``, the user's ``token_version`` when it was issued. Logging out
everywhere or deactivating the user bumps the version, which kills every access token
immediately (the authentication class compares versions) on top of blacklisting every
refresh token.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User

TOKEN_VERSION_CLAIM = "tv"


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "bearer"


def token_pair_for(user: User) -> TokenPair:
    refresh = RefreshToken.for_user(user)  # records an OutstandingToken, for revocation
    refresh[TOKEN_VERSION_CLAIM] = user.token_version
    access = refresh.access_token  # copies the custom claims
    return TokenPair(
        access_token=str(access),
        refresh_token=str(refresh),
        expires_in=int(settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds()),
    )
