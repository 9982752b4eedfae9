"""The judge's evaluation of a reply, remembered per moment: a rep who replays a session with a
language-model judge gets the score they got the first time, as with the offline judge.

The key is the champion (and its analysis run), the scenario, the stage, the reply normalized
(case, Unicode form and spacing do not change a reply's meaning) and the judge's version
(``agents.reasoning.judge.version``): a new model or prompt scores afresh. Not the prospect's
exact line: the language model words it differently each time, and the judge's moment is the
objection on the table. The offline judge is deterministic, so it is not cached; nor is an
evaluation by the offline judge standing in for an engine that did not answer (the next try
may reach the engine).
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import unicodedata

from django.core.cache import cache

from agents.reasoning.coach import Coach
from agents.reasoning.judge import JudgeMoment
from agents.reasoning.judge.version import judge_version
from agents.types import ChampionReference, ReplyEvaluation
from champions.selectors import ChampionPlaybook
from core.metrics.registry import JUDGE_LATENCY

logger = logging.getLogger(__name__)

# Long enough for a rep to come back to a scenario; a new judge version is a new key anyway.
JUDGEMENT_CACHE_SECONDS = 30 * 24 * 3600


def normalized_reply(reply: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", reply).casefold().split())


def judgement_cache_key(
    *,
    champion_id: int,
    analysis_run: str,
    scenario_id: int | None,
    stage: int,
    reply: str,
    version: str,
    playbook_version: str = "",
) -> str:
    # The playbook's version: a pattern a manager hid or reworded since is judged afresh.
    material = "|".join(
        map(str, (champion_id, analysis_run, playbook_version, scenario_id, stage, normalized_reply(reply), version))
    )
    return f"training:judgement:{hashlib.sha256(material.encode()).hexdigest()}"


def reply_evaluation(
    coach: Coach,
    reply: str,
    *,
    moment: JudgeMoment,
    playbook: ChampionPlaybook,
    champion_id: int,
    analysis_run: str,
    scenario_id: int | None,
    stage: int,
) -> ReplyEvaluation:
    """``coach``'s evaluation of ``reply`` at ``moment``, from the cache when this reply was
    judged at this stage of this scenario by this judge version before."""

    def judge() -> ReplyEvaluation:
        with JUDGE_LATENCY.labels(coach.name).time():  # a remembered judgement is not timed
            return coach.judge(reply, moment=moment, patterns=playbook.patterns, pattern_vectors=playbook.vectors)

    if coach.name == "offline":
        return judge()
    key = judgement_cache_key(
        champion_id=champion_id,
        analysis_run=analysis_run,
        playbook_version=playbook.version,
        scenario_id=scenario_id,
        stage=stage,
        reply=reply,
        version=judge_version(coach.name, getattr(coach, "model", None)),
    )
    remembered = _evaluation_from(cache.get(key))
    if remembered is not None:
        return remembered
    evaluation = judge()
    if evaluation.judge == coach.name:
        cache.set(key, dataclasses.asdict(evaluation), JUDGEMENT_CACHE_SECONDS)
    return evaluation


def _evaluation_from(stored: object) -> ReplyEvaluation | None:
    """The evaluation a cache entry holds, or None (no entry, or one of another shape: the
    evaluation's fields changed since it was stored)."""
    if not isinstance(stored, dict):
        return None
    try:
        reference = stored.get("reference")
        return ReplyEvaluation(**{**stored, "reference": ChampionReference(**reference) if reference else None})
    except TypeError:
        logger.info("a cached evaluation of another shape was ignored")
        return None
