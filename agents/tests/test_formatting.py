"""Times in the recording as people read them."""

from __future__ import annotations

from agents.formatting import mmss


def test_mmss_is_minutes_and_seconds_rounded_down() -> None:
    assert mmss(0.0) == "00:00"
    assert mmss(59.99) == "00:59"
    assert mmss(125.4) == "02:05"
    assert mmss(3600.0) == "60:00"
