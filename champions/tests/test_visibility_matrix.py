"""The visibility matrix (README.md, "Teams"; issue 12): every role against every object, the
expected status from one table.

The scene: team T, whose champions were uploaded by ``owner`` (one of T's managers), with a
second manager ``manager`` and a rep ``rep``; ``removed`` was T's rep and was removed (their
own session on T's champion stays theirs); ``other_team`` manages another team; ``outsider``
is in no team. ``owner`` also has a personal champion, ``rep`` a personal champion with a
session on it.

Rules it pins: a personal champion is its owner's alone; a team champion is seen by its
team's managers always and by its reps once published; changing it is for the managers (a rep
that sees it gets 403, one that does not, 404); a session is read by its user and by the
managers of the team whose champion it is on, while its user is still a member.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from champions.access import sees, visible_champions
from champions.models import Champion
from champions.selectors import champion_list
from champions.tests.factories import FULL_CALL_METRICS, EmbeddedPatternFactory, ReadyChampionFactory, ScenarioFactory
from conftest import authenticated_client
from teams.models import Role
from teams.tests.factories import MembershipFactory, team_with
from training.tests.factories import TrainingSessionFactory

pytestmark = pytest.mark.django_db

ROLES = ("owner", "manager", "rep", "removed", "other_team", "outsider")

# (object, method, path: "{name}" filled from the scene, body, expected status per role in
# ROLES order). Writes run on a fresh scene each (one test per cell).
MATRIX = [
    ("draft team champion", "get", "/champions/{draft}", None, (200, 200, 404, 404, 404, 404)),
    ("draft team champion: publish", "post", "/champions/{draft}/publish", None, (200, 200, 404, 404, 404, 404)),
    ("draft team champion: start", "post", "/training/start", {"champion_id": "draft"}, (201, 201, 404, 404, 404, 404)),
    ("published team champion", "get", "/champions/{published}", None, (200, 200, 200, 404, 404, 404)),
    ("published: unpublish", "post", "/champions/{published}/unpublish", None, (200, 200, 403, 404, 404, 404)),
    ("published: delete", "delete", "/champions/{published}", None, (204, 204, 403, 404, 404, 404)),
    ("published: start", "post", "/training/start", {"champion_id": "published"}, (201, 201, 201, 404, 404, 404)),
    ("personal champion", "get", "/champions/{personal}", None, (200, 404, 404, 404, 404, 404)),
    ("personal champion: delete", "delete", "/champions/{personal}", None, (204, 404, 404, 404, 404, 404)),
    ("personal champion: publish", "post", "/champions/{personal}/publish", None, (409, 404, 404, 404, 404, 404)),
    ("scenario of published", "get", "/scenarios/{published}", None, (200, 200, 200, 404, 404, 404)),
    ("scenario of draft", "get", "/scenarios/{draft}", None, (200, 200, 404, 404, 404, 404)),
    (
        "rep's session on team champion",
        "get",
        "/training/sessions/{team_session}",
        None,
        (200, 200, 200, 404, 404, 404),
    ),
    ("rep's personal session", "get", "/training/sessions/{personal_session}", None, (404, 404, 200, 404, 404, 404)),
    ("removed member's session", "get", "/training/sessions/{removed_session}", None, (404, 404, 404, 200, 404, 404)),
    ("team's sessions", "get", "/training/sessions?team_id={team}", None, (200, 200, 403, 404, 404, 404)),
    (
        "pattern of published",
        "patch",
        "/champions/{published}/patterns/{published_pattern}",
        {"hidden": True},
        (200, 200, 403, 404, 404, 404),
    ),
    (
        "pattern of draft",
        "patch",
        "/champions/{draft}/patterns/{draft_pattern}",
        {"hidden": True},
        (200, 200, 404, 404, 404, 404),
    ),
    ("invitations", "get", "/teams/{team}/invitations", None, (200, 200, 403, 404, 404, 404)),
    ("assignments", "get", "/teams/{team}/assignments", None, (200, 200, 403, 404, 404, 404)),
]


@dataclass
class Scene:
    users: dict
    ids: dict


def build_scene() -> Scene:
    users = {role: UserFactory() for role in ROLES}
    team = team_with(users["owner"], users["rep"], users["removed"])
    MembershipFactory(team=team, user=users["manager"], role=Role.MANAGER)
    team_with(users["other_team"], name="Another team")
    champions = {
        "draft": ReadyChampionFactory(owner=users["owner"], team=team, call_metrics=FULL_CALL_METRICS),
        "published": ReadyChampionFactory(
            owner=users["owner"], team=team, published_at=timezone.now(), call_metrics=FULL_CALL_METRICS
        ),
        "personal": ReadyChampionFactory(owner=users["owner"]),
    }
    for champion in champions.values():
        ScenarioFactory(champion=champion)
    rep_champion = ReadyChampionFactory(owner=users["rep"])
    ids = {name: champion.pk for name, champion in champions.items()}
    ids |= {
        "team": team.pk,
        "draft_pattern": EmbeddedPatternFactory(champion=champions["draft"]).pk,
        "published_pattern": EmbeddedPatternFactory(champion=champions["published"]).pk,
        "team_session": TrainingSessionFactory(user=users["rep"], champion=champions["published"]).pk,
        "personal_session": TrainingSessionFactory(user=users["rep"], champion=rep_champion).pk,
        "removed_session": TrainingSessionFactory(user=users["removed"], champion=champions["published"]).pk,
    }
    team.memberships.filter(user=users["removed"]).delete()
    return Scene(users=users, ids=ids)


CASES = [
    pytest.param(method, path, body, role, status, id=f"{name} / {role}")
    for name, method, path, body, statuses in MATRIX
    for role, status in zip(ROLES, statuses, strict=True)
]


@pytest.mark.parametrize(("method", "path", "body", "role", "expected"), CASES)
def test_visibility_matrix(method, path, body, role, expected):
    scene = build_scene()
    url = path.format(**scene.ids)
    data = {key: scene.ids.get(value, value) for key, value in (body or {}).items()}
    response = getattr(authenticated_client(scene.users[role]), method)(url, data, format="json")
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert set(response.json()) == {"detail", "code", "fields"}


def test_the_matrix_covers_every_role_and_object_of_the_issue():
    objects = " ".join(name for name, *_ in MATRIX)
    for thing in ("draft", "published", "personal", "scenario", "session", "pattern", "invitation", "assignment"):
        assert thing in objects


def test_sees_on_a_loaded_champion_agrees_with_the_visible_champions_query():
    scene = build_scene()
    champions = list(Champion.objects.filter(pk__in=[scene.ids[name] for name in ("draft", "published", "personal")]))
    for role, user in scene.users.items():
        visible = set(visible_champions(user).values_list("pk", flat=True))
        assert {c.pk for c in champions if sees(user, c)} == visible & {c.pk for c in champions}, role
        # The list's compiled form of the same rule (the team ids as subqueries), can_manage too.
        listed = {row.pk: row.can_manage for row in champion_list(user=user)}
        managed = dict(visible_champions(user).values_list("pk", "can_manage"))
        assert listed == managed, role
