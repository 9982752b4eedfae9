"""The one place where the apps above the domain are attached to it: subscribers of domain
events, and the handlers of the operations facilities (``core.ops``)."""

from __future__ import annotations

from core import events, ops


def connect_all() -> None:
    from adminpanel import subscribers as adminpanel_subscribers
    from adminpanel.ops_handlers import AdminPanelOpsHandlers
    from champion_clone import monitoring
    from emails_app import subscribers as email_subscribers
    from webhooks_app import subscribers as webhook_subscribers

    ops.register(AdminPanelOpsHandlers())
    events.subscribe(events.ALL_EVENTS, adminpanel_subscribers.record_activity)
    events.subscribe(events.ALL_EVENTS, adminpanel_subscribers.advance_journey_stage)
    events.subscribe(events.CHAMPION_FAILED, adminpanel_subscribers.record_champion_failure)
    adminpanel_subscribers.connect_failure_signals()

    # Outgoing webhooks: every event type (the endpoint chooses which it receives).
    events.subscribe(events.ALL_EVENTS, webhook_subscribers.enqueue_webhooks)
    # Lifecycle emails, and the verification email: the event types the emails app maps.
    for event_type in email_subscribers.TRIGGER_BY_EVENT:
        events.subscribe(event_type, email_subscribers.enqueue_lifecycle_email)
    # The product's metrics (README.md, "Monitoring"), from these events and the apps' signals.
    monitoring.connect()
