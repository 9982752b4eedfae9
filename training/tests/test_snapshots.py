"""A session's scenario snapshot is stored exactly as the API writes it (``ScenarioSnapshotField``),
so the session list sends the stored JSON as it is and the database counts its objections
(issue 13); the snapshots stored before are rewritten so by migration ``0007``."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection

from training.models import TrainingSession, normalized_snapshot
from training.tests.factories import TrainingSessionFactory, scenario_snapshot

pytestmark = pytest.mark.django_db

LEGACY = {"title": "Old call", "objections": [{"text": "Too expensive"}, "not an objection"], "extra": 1}
LEGACY_BODY = {
    "id": None,
    "title": "Old call",
    "persona": "",
    "context": "",
    "goal": "",
    "difficulty": "",
    "objections": [{"text": "Too expensive"}],
}


def store_raw(session: TrainingSession, text: str) -> None:
    """Writes a snapshot's text past the field, as rows stored before it normalized."""
    table = TrainingSession._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET scenario_snapshot = %s WHERE id = %s", [text, session.pk])  # noqa: S608


@pytest.mark.parametrize(
    ("stored", "body"),
    [
        (LEGACY, LEGACY_BODY),
        ({}, {**LEGACY_BODY, "title": "", "objections": []}),
        (["not", "a", "dict"], {**LEGACY_BODY, "title": "", "objections": []}),
        (
            {"id": "12", "title": 7, "objections": {"text": "x"}},
            {**LEGACY_BODY, "id": 12, "title": "7", "objections": []},
        ),
        ({"id": True}, {**LEGACY_BODY, "title": "", "objections": []}),
        (scenario_snapshot(), scenario_snapshot()),
    ],
)
def test_a_snapshot_is_normalized_to_the_apis_body(stored, body):
    assert normalized_snapshot(stored) == body


def test_every_write_stores_the_normalized_snapshot():
    session = TrainingSessionFactory(scenario_snapshot=LEGACY)
    assert TrainingSession.objects.get(pk=session.pk).scenario_snapshot == LEGACY_BODY
    TrainingSession.objects.filter(pk=session.pk).update(scenario_snapshot={"title": "Updated"})
    assert TrainingSession.objects.get(pk=session.pk).scenario_snapshot["persona"] == ""
    (bulk,) = TrainingSession.objects.bulk_create([TrainingSession(user=session.user, champion=session.champion)])
    assert TrainingSession.objects.get(pk=bulk.pk).scenario_snapshot["objections"] == []


def test_the_migration_rewrites_the_snapshots_stored_before_it():
    migration = importlib.import_module("training.migrations.0007_normalized_scenario_snapshots")
    legacy, current = TrainingSessionFactory(), TrainingSessionFactory()
    store_raw(legacy, '{"title": "Old call", "objections": [{"text": "Too expensive"}, "not an objection"]}')

    migration.normalize_snapshots(apps, None)

    assert TrainingSession.objects.get(pk=legacy.pk).scenario_snapshot == LEGACY_BODY
    assert TrainingSession.objects.get(pk=current.pk).scenario_snapshot == scenario_snapshot()


@pytest.mark.parametrize("objections", [0, 1, 3])
def test_the_list_sends_the_stored_snapshot_and_counts_its_objections(user, api_client, objections):
    snapshot = {
        **scenario_snapshot(),
        "title": 'Ünïcode "quoted" \\ title',
        "objections": [{"text": f"Objection {n}"} for n in range(objections)],
    }
    session = TrainingSessionFactory(user=user, scenario_snapshot=snapshot)

    for path in ("/training/sessions", f"/training/sessions?champion_id={session.champion_id}"):
        (listed,) = api_client.get(path).json()["results"]
        assert listed["scenario"] == snapshot and listed["objections_total"] == objections
    detail = api_client.get(f"/training/sessions/{session.pk}").json()
    assert detail["scenario"] == snapshot and detail["objections_total"] == objections
