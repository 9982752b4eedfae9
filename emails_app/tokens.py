"""Signed tokens in email links (django.core.signing: HMAC with SECRET_KEY, one salt per use,
so that a token made for one purpose is worthless for another)."""

from __future__ import annotations

from django.core import signing

_UNSUBSCRIBE = "emails_app.unsubscribe"
_OPEN = "emails_app.open"
_CLICK = "emails_app.click"


def _dumps(value: object, salt: str) -> str:
    return signing.dumps(value, salt=salt, compress=False)


def _loads(token: str, salt: str) -> object | None:
    try:
        return signing.loads(token, salt=salt)
    except signing.BadSignature:
        return None


def unsubscribe_token(user_id: int) -> str:
    # No expiry: an unsubscribe link in an old email must keep working (RFC 8058).
    return _dumps(user_id, _UNSUBSCRIBE)


def unsubscribe_user_id(token: str) -> int | None:
    value = _loads(token, _UNSUBSCRIBE)
    return value if isinstance(value, int) else None


def open_token(log_id: int) -> str:
    return _dumps(log_id, _OPEN)


def open_log_id(token: str) -> int | None:
    value = _loads(token, _OPEN)
    return value if isinstance(value, int) else None


def click_token(log_id: int, link_index: int) -> str:
    return _dumps([log_id, link_index], _CLICK)


def click_target(token: str) -> tuple[int, int] | None:
    value = _loads(token, _CLICK)
    if isinstance(value, list) and len(value) == 2 and all(isinstance(part, int) for part in value):
        return value[0], value[1]
    return None
