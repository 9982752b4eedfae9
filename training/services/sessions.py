"""The writes of a practice session: start, respond, end, abandon. The prospect and the judge
are the engines of ``agents.reasoning.coach`` (Claude with a key, the offline engine otherwise)."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from accounts.models import User
from agents.reasoning.coach import Coach, get_coach
from agents.reasoning.judge import judge_moment
from agents.reasoning.judge.version import judge_version
from agents.types import ProspectTurn, ReplyEvaluation, ScenarioSpec
from champions.access import champion_for, sees
from champions.models import Champion, Scenario
from champions.selectors import ChampionPlaybook, champion_playbook
from core import events, ops
from core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from core.metrics.registry import JUDGE_FALLBACKS, RESPOND_LATENCY
from core.prepared import PreparedQuery
from training.models import SessionMessage, TrainingSession
from training.services import assignments
from training.services.buyer_turns import OPENING_BUYER_LINES, champion_buyer_turns
from training.services.judgements import reply_evaluation
from training.services.scenarios import scenario_snapshot, scenario_spec, scenario_to_practise
from training.services.summary import session_summary_figures, summary_sentence


@dataclass(frozen=True)
class RespondResult:
    session: TrainingSession
    trainee_message: SessionMessage
    prospect_message: SessionMessage


# A session with its champion, read twice on every reply (judged, then recorded under the
# lock): compiled once per connection, since building and compiling the select_related query
# cost Django several times what the database takes to answer it (issue 13).
_session_with_champion = PreparedQuery(
    lambda session_id: TrainingSession.objects.select_related("champion").filter(pk=session_id).order_by()
)
_locked_session_with_champion = PreparedQuery(
    lambda session_id: _session_with_champion.build(session_id).select_for_update(of=("self",))
)


def _owned_session(user: User, session_id: int, *, practising: bool = False, lock: bool = True) -> TrainingSession:
    """The caller's own session, locked (unless ``lock`` is false). ``practising``: the caller
    must still see its champion (a rep removed from the team, or a champion unpublished, ends
    the practice; the session stays the rep's to read and to end). Another user's session is
    not found, as one that does not exist.

    The locked read keys on the id alone and checks the owner on the row: lock only a session
    an unlocked read has already found to be the caller's (as ``session_respond`` and
    ``session_end`` do), or another user's row would be locked until the 404."""
    if lock and transaction.get_autocommit():
        # The prepared query skips the ORM's check that select_for_update runs in a transaction
        # (made where FOR UPDATE exists, PostgreSQL); this one holds on every database.
        raise TransactionManagementError("A session is locked inside a transaction only.")
    rows = (_locked_session_with_champion if lock else _session_with_champion).rows(session_id)
    session = rows[0] if rows else None
    if session is None or session.user_id != user.pk:
        raise NotFound("No such training session.")
    if practising and not sees(user, session.champion):
        raise PermissionDenied("This champion is no longer shared with you: the session can be read and ended only.")
    return session


def session_start(*, user: User, champion_id: int, scenario_id: int | None = None) -> TrainingSession:
    """A session on a champion the user sees: their own, or their team's (published, or a draft
    they manage). Everything is read and the opening written before the transaction, which
    holds the two inserts only (on SQLite a transaction locks the whole database)."""
    champion = champion_for(user, champion_id)
    if champion.status != Champion.Status.READY:
        raise Conflict(f"The champion is {champion.status}; practice starts once its analysis is ready.")
    scenario = scenario_to_practise(champion, scenario_id)
    snapshot = scenario_snapshot(scenario)
    # The buyer's lines of the call are embedded here, once per champion, not on the first reply.
    buyer_turns = champion_buyer_turns(champion)
    opening = get_coach().opening(scenario_spec(snapshot), buyer_lines=buyer_turns.texts(OPENING_BUYER_LINES))
    with transaction.atomic():
        return _session_create(user, champion, scenario, snapshot, opening)


def _session_create(
    user: User, champion: Champion, scenario: Scenario | None, snapshot: dict, opening: ProspectTurn
) -> TrainingSession:
    session = TrainingSession.objects.create(
        user=user,
        champion=champion,
        scenario=scenario,
        scenario_snapshot=snapshot,
        stage=opening.stage,
        weak_streak=opening.weak_streak,
        turn_count=1,
    )
    SessionMessage.objects.create(
        session=session, role=SessionMessage.Role.PROSPECT, content=opening.text, turn_index=0, stage=opening.stage
    )
    return session


def validate_reply(message: str) -> str:
    text = (message or "").strip()
    if not text:
        raise InvalidInput("The reply is empty.", fields={"message": ["The reply is empty."]})
    limit = settings.TRAINING_MAX_MESSAGE_CHARS
    if len(text) > limit:
        raise InvalidInput(
            f"The reply is {len(text)} characters long; the limit is {limit}.",
            fields={"message": [f"At most {limit} characters."]},
        )
    return text


def _timed_per_coach(service: Callable[..., RespondResult]) -> Callable[..., RespondResult]:
    """The respond latency of /metrics: a turn answered, commit included (refusals are not timed)."""

    @functools.wraps(service)
    def timed(**kwargs: Any) -> RespondResult:
        started = time.perf_counter()
        result = service(**kwargs)
        RESPOND_LATENCY.labels(get_coach().name).observe(time.perf_counter() - started)
        return result

    return timed


@dataclass(frozen=True)
class _JudgedTurn:
    """A reply judged and answered against the session as it was read (``turn_count``)."""

    turn_count: int
    evaluation: ReplyEvaluation
    turn: ProspectTurn
    judge_version: str
    playbook: ChampionPlaybook


@_timed_per_coach
def session_respond(
    *, user: User, session_id: int, message: str, input_audio: str = "", audio_seconds: float | None = None
) -> RespondResult:
    """Scores the rep's reply against the champion and gets the prospect's next line.

    The judge and the prospect work outside any transaction: on SQLite a write transaction holds
    the whole database, so every rep's turn waited for every other rep's judge (issue 13: 20 reps
    at once on 2 workers). The turn is then recorded under the session's row lock if the session
    is still where it was judged; if another reply to it was recorded in between, this one is
    judged again under the lock, so two concurrent replies to one session are serialized, never
    interleaved or double-counted.
    """
    text = validate_reply(message)
    judged = _judged_turn(_replyable_session(user, session_id, lock=False), text)
    with transaction.atomic():
        session = _replyable_session(user, session_id, lock=True)
        if session.turn_count != judged.turn_count:
            judged = _judged_turn(session, text)
        return _recorded_turn(session, judged, text, input_audio=input_audio, audio_seconds=audio_seconds)


def _replyable_session(user: User, session_id: int, *, lock: bool) -> TrainingSession:
    """The caller's session, still practised: refused (404, 403, 409) before any judge's work."""
    session = _owned_session(user, session_id, practising=True, lock=lock)
    if session.status != TrainingSession.Status.ACTIVE:
        raise Conflict(f"This session is {session.status}.")
    if session.outcome:
        raise Conflict(f"The conversation is over ({session.outcome}); end the session to see your results.")
    return session


def _judged_turn(session: TrainingSession, text: str) -> _JudgedTurn:
    last_line = _last_prospect_line(session)
    spec = scenario_spec(session.scenario_snapshot)
    playbook = champion_playbook(session.champion_id)
    coach = get_coach()
    evaluation = reply_evaluation(
        coach,
        text,
        moment=judge_moment(spec, session.stage, last_line),
        playbook=playbook,
        champion_id=session.champion_id,
        analysis_run=str(session.champion.analysis_run),
        scenario_id=session.scenario_snapshot.get("id"),
        stage=session.stage,
    )
    if evaluation.judge != coach.name:
        JUDGE_FALLBACKS.labels(coach.name).inc()
        _alert_coach_fallback(coach.name)
    turn = _prospect_turn(coach, session, spec, evaluation, text, playbook)
    version = judge_version(evaluation.judge, getattr(coach, "model", None))
    return _JudgedTurn(session.turn_count, evaluation, turn, version, playbook)


def _recorded_turn(
    session: TrainingSession, judged: _JudgedTurn, text: str, *, input_audio: str, audio_seconds: float | None
) -> RespondResult:
    evaluation = judged.evaluation
    trainee_message = SessionMessage(
        session=session,
        role=SessionMessage.Role.TRAINEE,
        content=text,
        score=evaluation.score,
        criteria=evaluation.criteria,
        weights=evaluation.weights,
        feedback=evaluation.feedback,
        judge=evaluation.judge,
        judge_version=judged.judge_version,
        champion_reference=_reference_json(evaluation, judged.playbook),
        input_audio=input_audio,
        audio_seconds=audio_seconds,
    )
    prospect_message = SessionMessage(session=session, role=SessionMessage.Role.PROSPECT, content=judged.turn.text)
    _record_turn(session, trainee_message, prospect_message, judged.turn)
    return RespondResult(session=session, trainee_message=trainee_message, prospect_message=prospect_message)


_prospect_lines_latest_first = PreparedQuery(
    lambda session_id: (
        SessionMessage.objects.filter(session_id=session_id, role=SessionMessage.Role.PROSPECT)
        .order_by("-turn_index")
        .values_list("content")
    )
)


def _last_prospect_line(session: TrainingSession) -> str:
    rows = _prospect_lines_latest_first.rows(session.pk, limit=1)
    return rows[0][0] if rows else ""


def _prospect_turn(
    coach: Coach,
    session: TrainingSession,
    spec: ScenarioSpec,
    evaluation: ReplyEvaluation,
    text: str,
    playbook: ChampionPlaybook,
) -> ProspectTurn:
    # Only a language model reads the whole conversation; the offline prospect needs the state
    # and the reply alone, which keeps its turn's query count constant however long the session
    # gets. Both answer the rep's questions from the buyer's lines of the call (cached).
    history = (
        list(SessionMessage.objects.filter(session=session).order_by("turn_index").values_list("role", "content"))
        if coach.name != "offline"
        else []
    )
    return coach.respond(
        spec,
        stage=session.stage,
        weak_streak=session.weak_streak,
        evaluation=evaluation,
        turn_index=session.turn_count,
        history=[*history, ("trainee", text)],
        buyer_lines=playbook.buyer_lines,
        buyer_turns=champion_buyer_turns(session.champion),
    )


def _record_turn(
    session: TrainingSession, trainee_message: SessionMessage, prospect_message: SessionMessage, turn: ProspectTurn
) -> None:
    """Saves the rep's reply and the prospect's answer, and moves the session on."""
    now = timezone.now()
    trainee_message.turn_index, trainee_message.stage = session.turn_count, session.stage
    prospect_message.turn_index, prospect_message.stage = session.turn_count + 1, turn.stage
    trainee_message.created_at = prospect_message.created_at = now
    SessionMessage.objects.bulk_create([trainee_message, prospect_message])
    session.stage, session.weak_streak, session.outcome = turn.stage, turn.weak_streak, turn.outcome or ""
    session.turn_count += 2
    session.last_activity_at = now
    session.save(update_fields=["stage", "weak_streak", "outcome", "turn_count", "last_activity_at"])


def _reference_json(evaluation: ReplyEvaluation, playbook: ChampionPlaybook) -> dict | None:
    reference = evaluation.reference
    if reference is None:
        return None
    pattern_id = (
        playbook.pattern_ids[reference.pattern_index]
        if reference.pattern_index is not None and reference.pattern_index < len(playbook.pattern_ids)
        else None
    )
    return {
        "pattern_id": pattern_id,
        "text": reference.text,
        "start": reference.start,
        "end": reference.end,
        "category": reference.category,
    }


def _alert_coach_fallback(coach_name: str) -> None:
    """The reply was scored by the offline judge because the configured one did not answer.
    The rep still gets a score; staff get one alert (deduplicated until read), since a revoked
    key or an exhausted quota would otherwise show only in the logs."""
    ops.alert_raise(
        type="training.judge_fallback",
        severity=ops.AlertSeverity.WARNING,
        message=(
            f"The {coach_name} judge did not answer, so the offline judge scored training replies. "
            "The server logs say why: a bad key or an exhausted quota does not fix itself, an outage does."
        ),
        resource_type="coach",
        resource_id=coach_name,
    )


def session_end(*, user: User, session_id: int) -> TrainingSession:
    """Completes the session with its summary. The summary is worked out before the session is
    locked, as a reply's judgement is (``session_respond``), and again under the lock if a reply
    was recorded in between."""
    summary = _session_summary(_active_session(user, session_id, lock=False))
    with transaction.atomic():
        session = _active_session(user, session_id, lock=True)
        if session.turn_count != summary.turn_count:
            summary = _session_summary(session)
        return _session_complete(user, session, summary)


@dataclass(frozen=True)
class _SessionSummary:
    turn_count: int
    replies: int
    figures: dict


def _active_session(user: User, session_id: int, *, lock: bool) -> TrainingSession:
    session = _owned_session(user, session_id, lock=lock)
    if session.status != TrainingSession.Status.ACTIVE:
        raise Conflict(f"This session is already {session.status}.")
    return session


def _session_summary(session: TrainingSession) -> _SessionSummary:
    replies = list(
        SessionMessage.objects.filter(session=session, role=SessionMessage.Role.TRAINEE).order_by("turn_index")
    )
    return _SessionSummary(session.turn_count, len(replies), session_summary_figures(session, replies))


def _session_complete(user: User, session: TrainingSession, summary: _SessionSummary) -> TrainingSession:
    figures = summary.figures
    session.status = TrainingSession.Status.COMPLETED
    session.ended_at = timezone.now()
    session.overall_score = figures["overall_score"]
    session.strengths, session.improvements = figures["strengths"], figures["improvements"]
    session.comparison_to_champion = {**figures["comparison"], "criteria": figures["criteria"]}
    session.summary = summary_sentence(session, replies=summary.replies, overall_score=figures["overall_score"])
    session.save(
        update_fields=[
            "status",
            "ended_at",
            "overall_score",
            "strengths",
            "improvements",
            "comparison_to_champion",
            "summary",
        ]
    )
    # A completed session is an attempt on the user's assignments of its scenario.
    assignments.record_attempt(session)
    events.publish(
        events.TRAINING_COMPLETED,
        data={
            "session_id": session.pk,
            "champion_id": session.champion_id,
            "champion_name": session.champion.name,
            "scenario_id": session.scenario_snapshot.get("id"),
            "overall_score": session.overall_score,
            "outcome": session.outcome or None,
        },
        user_id=user.pk,
        resource_type="training_session",
        resource_id=session.pk,
    )
    return session


def sessions_abandon_idle(*, now=None) -> int:
    """Active sessions idle for longer than TRAINING_IDLE_MINUTES become abandoned."""
    cutoff = (now or timezone.now()) - timedelta(minutes=settings.TRAINING_IDLE_MINUTES)
    return TrainingSession.objects.filter(status=TrainingSession.Status.ACTIVE, last_activity_at__lt=cutoff).update(
        status=TrainingSession.Status.ABANDONED, ended_at=timezone.now()
    )
