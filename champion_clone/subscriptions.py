"""The one place where subscribers are attached to domain events (DESIGN.md section 6)."""

from __future__ import annotations

from champion_clone import events


def connect_all() -> None:
    from adminpanel import subscribers as adminpanel_subscribers

    events.subscribe(events.ALL_EVENTS, adminpanel_subscribers.record_activity)
    events.subscribe(events.ALL_EVENTS, adminpanel_subscribers.advance_journey_stage)
    events.subscribe(events.CHAMPION_FAILED, adminpanel_subscribers.record_champion_failure)
    adminpanel_subscribers.connect_failure_signals()
