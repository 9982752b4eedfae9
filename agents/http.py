"""HTTP details shared by the vendor clients (and by any app that speaks HTTP itself)."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime

# Longer than any wait a server may sensibly ask for (callers cap it lower still); bounds what
# a hostile header can make of the arithmetic.
RETRY_AFTER_MAX_SECONDS = 7 * 24 * 3600.0


def retry_after_seconds(
    value: str | None, *, now: float | None = None, cap: float = RETRY_AFTER_MAX_SECONDS
) -> float | None:
    """``Retry-After`` as seconds from ``now`` (default: the clock): delta-seconds or an HTTP
    date (RFC 9110 10.2.3), at most ``cap``. Anything else (``"²"``, ``"1.5"``, a date without
    a zone, garbage) counts as absent: None."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return min(float(value), cap)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return min(max(0.0, when.timestamp() - (time.time() if now is None else now)), cap)
