"""Authorization across the whole API.

1. Every operation of the OpenAPI schema that is not public answers 401 without a token:
   new endpoints are covered as soon as they are routed.
2. Two users: another user's object is a 404, never data. Each app adds its routes to
   ``OWNED_ROUTES`` (method, path template, factory making the *other* user's object).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import yaml
from django.test import Client

from accounts.tests.factories import UserFactory
from conftest import authenticated_client

pytestmark = pytest.mark.django_db

PUBLIC_OPERATIONS = {
    ("get", "/health"),
    ("post", "/auth/register"),
    ("post", "/auth/login"),
    ("post", "/auth/refresh"),
    ("post", "/auth/verify-email"),
}


def _champion(owner) -> int:
    from champions.tests.factories import ChampionFactory

    return ChampionFactory(owner=owner).pk


def _ready_champion(owner) -> int:
    from champions.tests.factories import ReadyChampionFactory

    return ReadyChampionFactory(owner=owner).pk


def _training_session(owner) -> int:
    from champions.tests.factories import ReadyChampionFactory
    from training.models import TrainingSession

    champion = ReadyChampionFactory(owner=owner)
    return TrainingSession.objects.create(user=owner, champion=champion, scenario_snapshot={"objections": []}).pk


def _pattern_of_champion(owner) -> dict:
    from champions.tests.factories import EmbeddedPatternFactory, ReadyChampionFactory

    pattern = EmbeddedPatternFactory(champion=ReadyChampionFactory(owner=owner))
    return {"id": pattern.champion_id, "pattern": pattern.pk, "body": {"hidden": True}}


def _ready_champion_to_start(owner) -> dict:
    from champions.tests.factories import ReadyChampionFactory, ScenarioFactory

    champion = ReadyChampionFactory(owner=owner)
    ScenarioFactory(champion=champion)
    return {"id": champion.pk, "body": {"champion_id": champion.pk}}


# (method, path with "{id}", factory(owner) -> object id, or {"id", other path fields, "body"}).
# Each issue appends its routes.
OWNED_ROUTES: list[tuple[str, str, Callable]] = [
    ("get", "/champions/{id}", _ready_champion),
    ("delete", "/champions/{id}", _champion),
    ("post", "/analyze/{id}", _champion),
    ("get", "/scenarios/{id}", _ready_champion),
    ("get", "/training/sessions/{id}", _training_session),
    ("post", "/champions/{id}/publish", _ready_champion),
    ("post", "/champions/{id}/unpublish", _ready_champion),
    ("post", "/champions/{id}/move", _ready_champion),
    ("patch", "/champions/{id}/patterns/{pattern}", _pattern_of_champion),
    ("post", "/training/start", _ready_champion_to_start),
]


def schema_operations() -> list[tuple[str, str]]:
    return [(method, path) for method, path, _ in _operations()]


def _operations() -> list[tuple[str, str, dict]]:
    schema = yaml.safe_load(Client().get("/api/schema/").content)
    return [
        (method, path, operation)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def concrete_path(path: str, operation: dict) -> str:
    """The path with its parameters filled: an enum's first value, else 1."""
    values = {
        parameter["name"]: str(parameter.get("schema", {}).get("enum", [1])[0])
        for parameter in operation.get("parameters", [])
        if parameter.get("in") == "path"
    }
    return re.sub(r"\{([^}]+)\}", lambda match: values.get(match.group(1), "1"), path)


def test_schema_lists_operations():
    assert ("get", "/auth/me") in schema_operations()


def test_every_private_operation_needs_a_token(anon_client):
    checked = 0
    for method, path, operation in _operations():
        if (method, path) in PUBLIC_OPERATIONS:
            continue
        response = getattr(anon_client, method)(concrete_path(path, operation), {}, format="json")
        assert response.status_code == 401, f"{method.upper()} {path} answered {response.status_code} without a token"
        checked += 1
    assert checked >= 3


@pytest.mark.parametrize(
    ("method", "path", "make_object"),
    OWNED_ROUTES or [pytest.param(None, None, None, marks=pytest.mark.skip(reason="no owned routes yet"))],
)
def test_another_users_object_is_404(method, path, make_object):
    owner, intruder = UserFactory(), UserFactory()
    made = make_object(owner)
    fields = made if isinstance(made, dict) else {"id": made}
    body = fields.pop("body", {})
    response = getattr(authenticated_client(intruder), method)(path.format(**fields), body, format="json")
    assert response.status_code == 404, response.content
    assert set(response.json()) == {"detail", "code", "fields"}
