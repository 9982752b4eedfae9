"""Every write of the webhooks app (STYLE.md: services own writes), re-exported here.

``endpoints``: endpoints and their secrets. ``deliveries``: a delivery per (event,
endpoint). ``attempts``: one signed HTTP attempt. ``outcomes``: recording what it came to,
on the retry schedule. ``endpoint_health``: failure periods, disabling and alerting.
``dispatch``: enqueueing attempts (by task name, after commit) and the beat sweep.
"""

from webhooks_app.services.attempts import delivery_attempt
from webhooks_app.services.deliveries import (
    delivery_retry_now,
    endpoint_send_test_event,
    event_deliveries_create,
    event_fan_out,
)
from webhooks_app.services.dispatch import DISPATCH_LEASE, deliveries_dispatch_due
from webhooks_app.services.endpoint_health import ALERT_ENDPOINT_DISABLED, endpoint_disable_and_alert
from webhooks_app.services.endpoints import (
    AUDIT_SECRET_REGENERATED,
    endpoint_create,
    endpoint_delete,
    endpoint_disable,
    endpoint_enable,
    endpoint_regenerate_secret,
    endpoint_save_new,
    endpoint_update,
    endpoint_url_validate,
    retired_secrets_valid_until,
    secrets_in_use,
)
from webhooks_app.services.outcomes import (
    ALERT_DELIVERY_FAILED,
    MAX_ATTEMPTS,
    RETRY_AFTER_CAP,
    RETRY_SCHEDULE,
    AttemptResult,
)

__all__ = [
    "ALERT_DELIVERY_FAILED",
    "ALERT_ENDPOINT_DISABLED",
    "AUDIT_SECRET_REGENERATED",
    "DISPATCH_LEASE",
    "MAX_ATTEMPTS",
    "RETRY_AFTER_CAP",
    "RETRY_SCHEDULE",
    "AttemptResult",
    "deliveries_dispatch_due",
    "delivery_attempt",
    "delivery_retry_now",
    "endpoint_create",
    "endpoint_delete",
    "endpoint_disable",
    "endpoint_disable_and_alert",
    "endpoint_enable",
    "endpoint_regenerate_secret",
    "endpoint_save_new",
    "endpoint_send_test_event",
    "endpoint_update",
    "endpoint_url_validate",
    "event_deliveries_create",
    "event_fan_out",
    "retired_secrets_valid_until",
    "secrets_in_use",
]
