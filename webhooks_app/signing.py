"""Standard Webhooks signatures: https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md

``webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`` keyed with the
bytes of the secret (``whsec_`` + base64). Several signatures are space-separated, which is how
a rotated secret keeps signing beside the new one for a grace period.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid

SECRET_PREFIX = "whsec_"  # noqa: S105 (the format prefix, not a secret)
SECRET_BYTES = 32  # the specification asks for 24 to 64
MESSAGE_ID_PREFIX = "msg_"


class InvalidSecret(ValueError):
    pass


def secret_generate() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def secret_key_bytes(secret: str) -> bytes:
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except (ValueError, TypeError) as exc:
        raise InvalidSecret("the secret is not base64 after its whsec_ prefix") from exc
    if not key:
        raise InvalidSecret("the secret is empty")
    return key


def message_id_for(event_id: str) -> str:
    """The webhook-id of a domain event's message: derived from the event id, so the same
    event is the same message for every endpoint and on every attempt."""
    return MESSAGE_ID_PREFIX + event_id


def new_message_id() -> str:
    return MESSAGE_ID_PREFIX + uuid.uuid4().hex


def sign(*, secret: str, message_id: str, timestamp: int, body: bytes | str) -> str:
    """One ``v1,<base64>`` signature."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    signed_content = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key_bytes(secret), signed_content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signature_header(*, secrets_in_use: list[str], message_id: str, timestamp: int, body: bytes) -> str:
    return " ".join(
        sign(secret=secret, message_id=message_id, timestamp=timestamp, body=body) for secret in secrets_in_use
    )


def headers_for(*, secrets_in_use: list[str], message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(
            secrets_in_use=secrets_in_use, message_id=message_id, timestamp=timestamp, body=body
        ),
    }
