"""The task broker down (Redis restarting) when an analysis is asked for: the answer is still
the 202 of a queued analysis, the champion is stored as queued (the pipeline sweep and a
reconnecting worker send it again), and staff get one alert; never a 500 for a write that
was committed."""

from __future__ import annotations

import pytest
from kombu.exceptions import OperationalError

from adminpanel.models import AdminAlert, ErrorLog
from champions import tasks
from champions.models import Champion
from champions.tests.factories import ChampionFactory

# Committed for real, so that the enqueue runs inside the request, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


def test_an_analysis_asked_for_with_the_broker_down_is_queued_and_alerted(api_client, user, monkeypatch):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.start_analysis, "apply_async", broker_down)
    champion = ChampionFactory(owner=user)

    response = api_client.post(f"/analyze/{champion.pk}")

    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    champion.refresh_from_db()
    assert champion.status == Champion.Status.QUEUED and champion.analysis_run is not None
    (alert,) = AdminAlert.objects.filter(type="broker.unavailable")
    assert "champions.tasks.start_analysis" in alert.message
    assert not ErrorLog.objects.exists()
