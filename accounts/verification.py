"""The signed token of the email verification link (README.md, "Email verification").

django.core.signing (HMAC with SECRET_KEY, SECRET_KEY_FALLBACKS honoured) under a salt of its
own, so that no other signed value of the product (an unsubscribe or tracking token) can stand
in for it; timestamped and refused after ``MAX_AGE``; bound to the address it was sent to by a
keyed digest of that address (not the address itself), so that it stops working if the
address changes. It proves one thing only: whoever holds it reads that inbox.
"""

from __future__ import annotations

from datetime import timedelta

from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.models import User

SALT = "accounts.email_verification"
MAX_AGE = timedelta(hours=48)


def _address_digest(email: str) -> str:
    return salted_hmac(f"{SALT}.address", email).hexdigest()[:32]


def email_verification_token(user: User) -> str:
    return signing.dumps([user.pk, _address_digest(user.email)], salt=SALT, compress=False)


def email_verification_claims(token: str) -> tuple[int, str] | None:
    """(user id, address digest) of a valid, unexpired token; None for anything else
    (tampered, expired, signed for another purpose, or not a token at all)."""
    try:
        value = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:  # SignatureExpired included
        return None
    if not (isinstance(value, list) and len(value) == 2):
        return None
    user_id, digest = value
    if isinstance(user_id, bool) or not isinstance(user_id, int) or not isinstance(digest, str):
        return None
    return user_id, digest


def email_verification_matches(user: User, digest: str) -> bool:
    """Whether the token was made for the address the user has now."""
    return constant_time_compare(_address_digest(user.email), digest)
