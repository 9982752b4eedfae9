"""The signed token of an invitation link: names the invitation and its nonce, signed with
the site's key, valid for INVITATION_DAYS. Revoking or accepting ends it whatever its age."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.core import signing

INVITATION_DAYS = 7
INVITATION_MAX_AGE = timedelta(days=INVITATION_DAYS)
_SALT = "teams.invitation"


class InvitationTokenExpired(Exception):
    pass


class InvitationTokenInvalid(Exception):
    pass


def new_nonce() -> str:
    return secrets.token_hex(16)


def invitation_token(invitation_id: int, nonce: str) -> str:
    return signing.dumps({"i": invitation_id, "n": nonce}, salt=_SALT, compress=False)


def read_invitation_token(token: str) -> tuple[int, str]:
    """The invitation id and nonce a token names, or an exception saying why not."""
    try:
        payload = signing.loads(token, salt=_SALT, max_age=INVITATION_MAX_AGE)
    except signing.SignatureExpired as error:
        raise InvitationTokenExpired from error
    except signing.BadSignature as error:
        raise InvitationTokenInvalid from error
    if not isinstance(payload, dict) or not isinstance(payload.get("i"), int) or not isinstance(payload.get("n"), str):
        raise InvitationTokenInvalid
    return payload["i"], payload["n"]
