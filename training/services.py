"""Every write of training: start, respond, end, abandon. The prospect and the judge are the
engines of ``agents.reasoning.coach`` (Claude with a key, the offline engine otherwise)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import structlog
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from agents.providers.errors import ProviderError
from agents.reasoning.coach import get_coach
from agents.reasoning.judge import judge_moment
from agents.types import Objection, ReplyEvaluation, ScenarioSpec
from champions import storage
from champions.models import Champion, Scenario
from champions.selectors import ChampionPlaybook, champion_playbook
from core import events, ops
from core.errors import Conflict, InvalidInput, NotFound
from training.models import SessionMessage, TrainingSession

logger = structlog.get_logger(__name__)

DIFFICULTY_ORDER = {Scenario.Difficulty.EASY: 0, Scenario.Difficulty.MEDIUM: 1, Scenario.Difficulty.HARD: 2}
QUESTION = re.compile(r"\?")
WORD = re.compile(r"[\w']+")


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


def _owned_session_for_update(user: User, session_id: int) -> TrainingSession:
    session = (
        TrainingSession.objects.select_for_update(of=("self",))
        .select_related("champion")
        # Not the recorded call's transcript on every turn: only the session's end reads it.
        .defer("champion__transcript", "champion__transcript_text")
        .filter(pk=session_id, user=user)
        .first()
    )
    if session is None:
        raise NotFound("No such training session.")
    return session


@transaction.atomic
def session_start(*, user: User, champion_id: int, scenario_id: int | None = None) -> TrainingSession:
    champion = Champion.objects.filter(pk=champion_id, owner=user).first()
    if champion is None:
        raise NotFound("No such champion.")
    if champion.status != Champion.Status.READY:
        raise Conflict(f"The champion is {champion.status}; practice starts once its analysis is ready.")
    scenarios = champion.scenarios.all()
    if scenario_id is not None:
        scenario = scenarios.filter(pk=scenario_id).first()
        if scenario is None:
            raise NotFound("This champion has no such scenario.")
    else:
        scenario = min(scenarios, key=lambda s: (DIFFICULTY_ORDER.get(s.difficulty, 9), s.position), default=None)
        if scenario is None:
            raise Conflict("This champion has no practice scenario.")
    snapshot = scenario_snapshot(scenario)
    opening = get_coach().opening(scenario_spec(snapshot))
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


@dataclass(frozen=True)
class RespondResult:
    session: TrainingSession
    trainee_message: SessionMessage
    prospect_message: SessionMessage


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


@transaction.atomic
def session_respond(
    *, user: User, session_id: int, message: str, input_audio: str = "", audio_seconds: float | None = None
) -> RespondResult:
    """Scores the rep's reply against the champion and gets the prospect's next line.

    The session row is locked for the whole turn: two concurrent replies to one session are
    serialized, never interleaved or double-counted.
    """
    text = validate_reply(message)
    session = _owned_session_for_update(user, session_id)
    if session.status != TrainingSession.Status.ACTIVE:
        raise Conflict(f"This session is {session.status}.")
    if session.outcome:
        raise Conflict(f"The conversation is over ({session.outcome}); end the session to see your results.")
    last_line = (
        SessionMessage.objects.filter(session=session, role=SessionMessage.Role.PROSPECT)
        .order_by("-turn_index")
        .values_list("content", flat=True)
        .first()
    ) or ""
    spec = scenario_spec(session.scenario_snapshot)
    playbook = champion_playbook(session.champion_id)
    coach = get_coach()
    evaluation = coach.judge(
        text,
        moment=judge_moment(spec, session.stage, last_line),
        patterns=playbook.patterns,
        pattern_vectors=playbook.vectors,
    )
    if evaluation.judge != coach.name:
        _alert_coach_fallback(coach.name)
    # Only a language model reads the whole conversation; the offline prospect needs the state
    # alone, which keeps its turn's query count constant however long the session gets.
    history = (
        list(SessionMessage.objects.filter(session=session).order_by("turn_index").values_list("role", "content"))
        if coach.name != "offline"
        else []
    )
    turn = coach.respond(
        spec,
        stage=session.stage,
        weak_streak=session.weak_streak,
        evaluation=evaluation,
        turn_index=session.turn_count,
        history=[*history, ("trainee", text)],
        buyer_lines=playbook.buyer_lines,
    )
    now = timezone.now()
    trainee_message, prospect_message = SessionMessage.objects.bulk_create(
        [
            SessionMessage(
                session=session,
                role=SessionMessage.Role.TRAINEE,
                content=text,
                turn_index=session.turn_count,
                stage=session.stage,
                created_at=now,
                score=evaluation.score,
                criteria=evaluation.criteria,
                weights=evaluation.weights,
                feedback=evaluation.feedback,
                judge=evaluation.judge,
                champion_reference=_reference_json(evaluation, playbook),
                input_audio=input_audio,
                audio_seconds=audio_seconds,
            ),
            SessionMessage(
                session=session,
                role=SessionMessage.Role.PROSPECT,
                content=turn.text,
                turn_index=session.turn_count + 1,
                stage=turn.stage,
                created_at=now,
            ),
        ]
    )
    session.stage, session.weak_streak, session.outcome = turn.stage, turn.weak_streak, turn.outcome or ""
    session.turn_count += 2
    session.last_activity_at = now
    session.save(update_fields=["stage", "weak_streak", "outcome", "turn_count", "last_activity_at"])
    return RespondResult(session=session, trainee_message=trainee_message, prospect_message=prospect_message)


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


def _words(text: str) -> int:
    return len(WORD.findall(text))


def _champion_reply_style(champion: Champion) -> dict[str, float]:
    """Questions per turn and words per turn of the champion in the recorded call."""
    turns = [s for s in champion.transcript.get("segments", []) if s.get("speaker") in ("champion", None)]
    if not turns:
        return {"questions_per_reply": 0.0, "words_per_reply": 0.0}
    return {
        "questions_per_reply": round(sum(len(QUESTION.findall(t["text"])) for t in turns) / len(turns), 2),
        "words_per_reply": round(sum(_words(t["text"]) for t in turns) / len(turns), 1),
    }


def session_summary_figures(session: TrainingSession, replies: Sequence[SessionMessage]) -> dict:
    """Overall score, per-criterion averages, strengths, improvements and the gap to the
    champion's own call metrics. Later replies weigh more: the end of a conversation is what
    the rep carries into the next one."""
    if not replies:
        return {
            "overall_score": 0.0,
            "criteria": {},
            "strengths": [],
            "improvements": ["Reply to the prospect at least once to get a score."],
            "comparison": {},
        }
    weights = np.linspace(1.0, 1.5, num=len(replies))
    overall = float(np.average([r.score for r in replies], weights=weights))
    names = list(replies[0].criteria)
    averages = {name: round(float(np.mean([r.criteria.get(name, 0) for r in replies])), 1) for name in names}
    ranked = sorted(averages, key=averages.get, reverse=True)
    strengths = [CRITERION_STRENGTH[name] for name in ranked if averages[name] >= 65][:3]
    improvements = [CRITERION_IMPROVEMENT[name] for name in reversed(ranked) if averages[name] < 60][:3]
    champion_style = _champion_reply_style(session.champion)
    rep_questions = sum(len(QUESTION.findall(r.content)) for r in replies) / len(replies)
    rep_words = sum(_words(r.content) for r in replies) / len(replies)
    comparison = {
        "questions_per_reply": {"you": round(rep_questions, 2), "champion": champion_style["questions_per_reply"]},
        "words_per_reply": {"you": round(rep_words, 1), "champion": champion_style["words_per_reply"]},
    }
    spoken = [r for r in replies if r.audio_seconds]
    if spoken:
        rep_wpm = sum(_words(r.content) for r in spoken) / (sum(r.audio_seconds for r in spoken) / 60)
        comparison["words_per_minute"] = {
            "you": round(rep_wpm, 1),
            "champion": session.champion.call_metrics.get("words_per_minute"),
        }
    return {
        "overall_score": round(overall, 1),
        "criteria": averages,
        "strengths": strengths,
        "improvements": improvements,
        "comparison": comparison,
    }


CRITERION_STRENGTH = {
    "technique": "You handled objections the way your champion does.",
    "acknowledgment": "You acknowledged the prospect's concerns before answering.",
    "value_next_step": "You tied answers to value and moved toward a next step.",
    "discovery": "You asked open questions to keep the prospect talking.",
    "clarity": "Your replies were clear and concise.",
}
CRITERION_IMPROVEMENT = {
    "technique": "Study how your champion answered each objection and reuse their moves.",
    "acknowledgment": 'Acknowledge the concern first ("I understand...") before you answer it.',
    "value_next_step": "Connect each answer to the prospect's outcome and propose a concrete next step.",
    "discovery": "Ask more open questions (what, how, why) before pitching.",
    "clarity": "Keep replies shorter and more direct.",
}


@transaction.atomic
def session_end(*, user: User, session_id: int) -> TrainingSession:
    session = _owned_session_for_update(user, session_id)
    if session.status != TrainingSession.Status.ACTIVE:
        raise Conflict(f"This session is already {session.status}.")
    replies = list(
        SessionMessage.objects.filter(session=session, role=SessionMessage.Role.TRAINEE).order_by("turn_index")
    )
    figures = session_summary_figures(session, replies)
    outcome = session.outcome or "undecided"
    handled = min(session.stage, session.objection_count)
    session.status = TrainingSession.Status.COMPLETED
    session.ended_at = timezone.now()
    session.overall_score = figures["overall_score"]
    session.strengths, session.improvements = figures["strengths"], figures["improvements"]
    session.comparison_to_champion = {**figures["comparison"], "criteria": figures["criteria"]}
    session.summary = (
        f"{len(replies)} replies, overall {figures['overall_score']:.0f}/100; "
        f"{handled} of {session.objection_count} objections handled; outcome: {outcome}."
    )
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


def session_respond_from_input(
    *, user: User, session_id: int, message: str | None, audio=None, speech: bool = False
) -> RespondResult:
    """A typed or spoken reply; with ``speech`` (or a spoken reply) the prospect's line comes
    back as audio too, and the champion's reference phrase in a voice set from their profile."""
    from training import voice

    if audio is None:
        text, input_audio, seconds = validate_reply(message or ""), "", None
    else:
        session = TrainingSession.objects.filter(pk=session_id, user=user).first()
        if session is None:
            raise NotFound("No such training session.")
        if session.status != TrainingSession.Status.ACTIVE or session.outcome:
            raise Conflict(f"This session is {session.outcome or session.status}.")
        spoken = voice.transcribe_reply(session, audio)
        text, input_audio, seconds = spoken.text, spoken.audio_file, spoken.seconds
    try:
        result = session_respond(
            user=user, session_id=session_id, message=text, input_audio=input_audio, audio_seconds=seconds
        )
    except Exception:
        storage.remove_files(input_audio)  # the turn was refused: keep no recording of it
        raise
    if speech or audio is not None:
        _speak_turn(result)
    return result


def _speak_turn(result: RespondResult) -> None:
    """The prospect's line and the champion's reference phrase as speech. Best effort: the turn
    is already saved, so a speech vendor that fails leaves that line without audio (and staff
    with one alert) rather than failing a reply the rep would then send twice."""
    from training import voice

    session = result.session
    champion = session.champion
    champion_voice = voice.champion_voice_for(champion.voice_profile, voice_clone_id=champion.voice_clone_id)
    reference = result.trainee_message.champion_reference
    lines = [
        (result.prospect_message, "speech_audio", result.prospect_message.content, voice.prospect_voice(champion_voice))
    ]
    if reference:
        lines.append((result.trainee_message, "reference_audio", reference["text"], champion_voice))
    for message, field, text, speaker in lines:
        try:
            setattr(message, field, voice.speak(session, text, speaker))
        except ProviderError as exc:
            logger.warning("training_speech_failed", session_id=session.pk, error=str(exc))
            ops.alert_raise(
                type="training.speech_failed",
                severity=ops.AlertSeverity.WARNING,
                message=f"Speech for training replies failed, so some lines have no audio: {str(exc)[:500]}",
                resource_type="vendor",
                resource_id=exc.provider,
            )
            continue
        message.save(update_fields=[field])
