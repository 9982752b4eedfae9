"""Webhook deliveries on /metrics (README.md, "Monitoring"): what each attempt made of its
delivery, and the lag from the event to the final outcome, against a real receiver."""

from __future__ import annotations

import pytest

from core.testing.metrics import recorded
from webhooks_app import services
from webhooks_app.testing import Answer
from webhooks_app.tests.factories import new_delivery

pytestmark = pytest.mark.django_db

DELIVERIES = "champion_clone_webhook_deliveries_total"
LAG = "champion_clone_webhook_delivery_lag_seconds"


def test_attempts_are_counted_by_what_the_delivery_became_and_the_lag_observed(endpoint, receiver, clock):
    receiver.script(Answer(500), Answer(200))
    before = {outcome: recorded(DELIVERIES, outcome=outcome) for outcome in ("retrying", "succeeded", "failed")}
    lag_count, lag_sum = recorded(f"{LAG}_count", outcome="succeeded"), recorded(f"{LAG}_sum", outcome="succeeded")
    delivery = new_delivery(endpoint, clock)

    services.delivery_attempt(delivery_id=delivery.pk, now=clock.now)
    clock.advance(seconds=10)
    services.delivery_attempt(delivery_id=delivery.pk, now=clock.now)

    grew = {outcome: recorded(DELIVERIES, outcome=outcome) - count for outcome, count in before.items()}
    assert grew == {"retrying": 1, "succeeded": 1, "failed": 0}
    assert recorded(f"{LAG}_count", outcome="succeeded") - lag_count == 1
    assert recorded(f"{LAG}_sum", outcome="succeeded") - lag_sum == pytest.approx(10.0)


def test_a_refused_delivery_is_counted_failed(endpoint, receiver, clock):
    receiver.script(Answer(400))
    before = recorded(DELIVERIES, outcome="failed")
    services.delivery_attempt(delivery_id=new_delivery(endpoint, clock).pk, now=clock.now)
    assert recorded(DELIVERIES, outcome="failed") - before == 1
