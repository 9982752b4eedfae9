"""A session as the list shows it: plain values of one row, with the attributes the session
serializers read of a session, no model instances per row (issue 13)."""

from __future__ import annotations

from dataclasses import dataclass

import orjson


@dataclass(frozen=True, slots=True)
class _Named:
    name: str


@dataclass(frozen=True, slots=True)
class _SessionUser:
    full_name: str
    email: str

    def get_full_name(self) -> str:
        return self.full_name or self.email


# Not frozen, as champions.selectors.ChampionListRow: a frozen dataclass sets each field through
# object.__setattr__, ten times slower for a row of 17 fields.
@dataclass(slots=True)
class SessionListRow:
    """A session as the list shows it, with the attributes ``SessionListSerializer`` reads of a
    session: built from a row's values, no model instances (issue 13)."""

    id: int
    user_id: int
    user_full_name: str
    user_email: str
    champion_id: int
    champion_name: str
    status: str
    outcome: str
    stage: int
    turn_count: int
    # Datetimes as the API's ISO text: the list only renders them (``datetimes_as_text``).
    started_at: str
    last_activity_at: str
    ended_at: str | None
    overall_score: float | None
    summary: str
    # The stored snapshot's JSON text, sent as it is (stored normalized: ``ScenarioSnapshotField``),
    # and its objections, counted by the database. Last: annotations follow the fields in SQL.
    scenario_json: str
    objections_total: int

    @property
    def pk(self) -> int:
        return self.id

    @property
    def champion(self) -> _Named:
        return _Named(self.champion_name)

    @property
    def user(self) -> _SessionUser:
        return _SessionUser(self.user_full_name, self.user_email)

    @property
    def objection_count(self) -> int:
        return self.objections_total

    @property
    def scenario_snapshot(self) -> dict:
        """The snapshot parsed, as a session's (the list itself sends ``scenario_json``)."""
        return orjson.loads(self.scenario_json)
