"""A session's own copy of its scenario: chosen among the champion's, snapshotted when the
session starts (a re-analysis replaces the champion's scenarios, never a session's), and
handed to the engines as a ``ScenarioSpec``."""

from __future__ import annotations

from agents.types import Objection, ScenarioSpec
from champions.models import Champion, Scenario
from core.errors import Conflict, NotFound

DIFFICULTY_ORDER = {Scenario.Difficulty.EASY: 0, Scenario.Difficulty.MEDIUM: 1, Scenario.Difficulty.HARD: 2}


def scenario_to_practise(champion: Champion, scenario_id: int | None) -> Scenario:
    """The scenario asked for, or the champion's easiest one."""
    scenarios = champion.scenarios.all()
    if scenario_id is not None:
        scenario = scenarios.filter(pk=scenario_id).first()
        if scenario is None:
            raise NotFound("This champion has no such scenario.")
        return scenario
    scenario = min(scenarios, key=lambda s: (DIFFICULTY_ORDER.get(s.difficulty, 9), s.position), default=None)
    if scenario is None:
        raise Conflict("This champion has no practice scenario.")
    return scenario


def scenario_snapshot(scenario: Scenario) -> dict:
    return {
        "id": scenario.pk,
        "title": scenario.title,
        "persona": scenario.persona,
        "context": scenario.context,
        "goal": scenario.goal,
        "difficulty": scenario.difficulty,
        "objections": scenario.objections,
    }


def scenario_spec(snapshot: dict) -> ScenarioSpec:
    return ScenarioSpec(
        title=snapshot["title"],
        persona=snapshot["persona"],
        context=snapshot["context"],
        goal=snapshot["goal"],
        difficulty=snapshot["difficulty"],
        objections=[Objection(**objection) for objection in snapshot.get("objections", [])],
    )
