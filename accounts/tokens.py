"""JWT pairs (simplejwt) that can be revoked at once.

Every token carries ``tv``, the user's ``token_version`` when it was issued. Logging out
everywhere or deactivating the user bumps the version, which kills every access token
immediately (the authentication class compares versions) on top of blacklisting every
refresh token.

Every token also carries ``pw``, derived from the user's password hash the way Django's
session auth hash is (an HMAC keyed with SECRET_KEY): any change of password, whatever path
made it (the admin's form, ``changepassword``, ``create_admin --generate``, a reset), changes
the hash and so kills every token issued before it, access and refresh alike.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User

TOKEN_VERSION_CLAIM = "tv"
PASSWORD_CLAIM = "pw"
# Enough of the HMAC to make a forged match hopeless; the token stays short.
PASSWORD_CLAIM_LENGTH = 22


def password_fingerprint(user: User) -> str:
    return user.get_session_auth_hash()[:PASSWORD_CLAIM_LENGTH]


def token_user_id(token: Mapping[str, Any]) -> int | None:
    """The token's user id if it is a plain positive integer. A token is signed by us, but a
    leaked key or a future bug must not turn an odd claim (a list, a float) into a 500."""
    value = token.get(settings.SIMPLE_JWT["USER_ID_CLAIM"])
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    text = str(value)
    return int(text) if text.isascii() and text.isdigit() and 0 < len(text) <= 18 else None


def token_is_current(token: Mapping[str, Any], user: User) -> bool:
    """Issued since the user's last "log out everywhere" and last password change."""
    return token.get(TOKEN_VERSION_CLAIM) == user.token_version and hmac.compare_digest(
        str(token.get(PASSWORD_CLAIM, "")), password_fingerprint(user)
    )


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "bearer"


def token_pair_for(user: User) -> TokenPair:
    refresh = RefreshToken.for_user(user)  # records an OutstandingToken, for revocation
    refresh[TOKEN_VERSION_CLAIM] = user.token_version
    refresh[PASSWORD_CLAIM] = password_fingerprint(user)
    access = refresh.access_token  # copies the custom claims
    return TokenPair(
        access_token=str(access),
        refresh_token=str(refresh),
        expires_in=int(settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds()),
    )
