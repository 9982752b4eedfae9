"""Fixtures shared by the coach's test modules (the offline coach and the Claude coach): a
labelled call's hard scenario, its patterns' vectors and the moment of its first objection.
A module with a fixture of the same name (the judge's ``playbook``) uses its own."""

from __future__ import annotations

import numpy as np
import pytest

from agents.providers.embeddings import embed
from agents.reasoning.judge import JudgeMoment, judge_moment
from agents.testing.fixtures import hard_scenario_and_patterns
from agents.types import ScenarioSpec


@pytest.fixture(scope="module")
def playbook() -> tuple[ScenarioSpec, list]:
    """The hard scenario of a labelled call (every objection, in call order) and its patterns."""
    scenario, patterns = hard_scenario_and_patterns("saas_helpdesk")
    assert len(scenario.objections) >= 2
    return scenario, patterns


@pytest.fixture(scope="module")
def vectors(playbook) -> np.ndarray:
    """The patterns' embeddings, as the pipeline stores them beside the patterns."""
    _, patterns = playbook
    return embed([p.text for p in patterns])


@pytest.fixture(scope="module")
def first_objection_moment(playbook) -> JudgeMoment:
    scenario, _ = playbook
    return judge_moment(scenario, 0, scenario.objections[0].text)
