from __future__ import annotations

from pathlib import Path

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from accounts.models import User
from champions.storage import media_path
from core.errors import NotFound
from training.models import EvaluationDispute, SessionMessage, TrainingSession


def session_list(*, user: User, champion_id: int | None = None, status: str | None = None) -> QuerySet[TrainingSession]:
    sessions = (
        TrainingSession.objects.filter(user=user)
        .select_related("champion")
        .only(
            "id",
            "champion_id",
            "champion__name",
            "scenario_id",
            "scenario_snapshot",
            "status",
            "outcome",
            "stage",
            "turn_count",
            "started_at",
            "ended_at",
            "overall_score",
            "summary",
            "last_activity_at",
        )
    )
    if champion_id is not None:
        sessions = sessions.filter(champion_id=champion_id)
    if status:
        sessions = sessions.filter(status=status)
    return sessions


def session_detail_queryset(*, user: User) -> QuerySet[TrainingSession]:
    messages = SessionMessage.objects.order_by("turn_index").annotate(**latest_dispute_annotations())
    return (
        TrainingSession.objects.filter(user=user)
        .select_related("champion")
        .prefetch_related(Prefetch("messages", queryset=messages))
    )


def latest_dispute_annotations() -> dict[str, Subquery]:
    """Each message's latest dispute (id, status, corrected score, staff's note), read in the
    messages' own query: the session detail costs the same queries however many disputes."""
    latest = EvaluationDispute.objects.filter(message=OuterRef("pk")).order_by("-created_at", "-id")
    return {
        f"latest_dispute_{name}": Subquery(latest.values(field)[:1])
        for name, field in (
            ("id", "id"),
            ("status", "status"),
            ("corrected_score", "corrected_score"),
            ("note", "resolution_note"),
        )
    }


def session_opening_message(*, session: TrainingSession) -> SessionMessage:
    """The prospect's first line, which starts every session."""
    return session.messages.get(turn_index=0)


def session_audio_path(*, user: User, session_id: int, message_id: int, kind: str) -> Path:
    """The file of a message's ``speech`` (the prospect's line) or ``reference`` (the
    champion's phrase), for the session's own user only: anything else is ``NotFound``."""
    message = SessionMessage.objects.filter(pk=message_id, session_id=session_id, session__user=user).first()
    relative = (message.speech_audio if kind == "speech" else message.reference_audio) if message else ""
    if not relative or not media_path(relative).is_file():
        raise NotFound("No such audio.")
    return media_path(relative)


def progress_for(*, user: User) -> list[dict]:
    """Per champion: per criterion, the average score of each completed session in time
    order, and the latest gap to the champion (100 = the champion's own level)."""
    rows = (
        SessionMessage.objects.filter(
            session__user=user, role=SessionMessage.Role.TRAINEE, session__status=TrainingSession.Status.COMPLETED
        )
        .order_by("session__started_at", "session_id", "turn_index")
        .values_list(
            "session__champion_id",
            "session__champion__name",
            "session_id",
            "session__started_at",
            "session__overall_score",
            "criteria",
        )
    )
    champions: dict[int, dict] = {}
    for champion_id, name, session_id, started_at, overall, criteria in rows.iterator():
        entry = champions.setdefault(champion_id, {"champion_id": champion_id, "champion_name": name, "sessions": {}})
        session = entry["sessions"].setdefault(
            session_id, {"session_id": session_id, "started_at": started_at, "overall_score": overall, "criteria": {}}
        )
        for criterion, value in criteria.items():
            session["criteria"].setdefault(criterion, []).append(value)
    result = []
    for entry in champions.values():
        sessions = list(entry["sessions"].values())
        for session in sessions:
            session["criteria"] = {k: round(sum(v) / len(v), 1) for k, v in session["criteria"].items()}
        latest = sessions[-1]
        result.append(
            {
                "champion_id": entry["champion_id"],
                "champion_name": entry["champion_name"],
                "sessions": sessions,
                "criteria": {
                    criterion: [
                        {
                            "session_id": s["session_id"],
                            "started_at": s["started_at"],
                            "score": s["criteria"].get(criterion),
                        }
                        for s in sessions
                    ]
                    for criterion in latest["criteria"]
                },
                "gap_to_champion": {k: round(100 - v, 1) for k, v in latest["criteria"].items()},
            }
        )
    return result


def audio_files_of_champion(*, champion_id: int) -> list[str]:
    """Every audio file of the practice sessions on a champion (the reps' spoken replies, the
    prospect's speech, the champion's reference phrases), relative to MEDIA_ROOT."""
    rows = SessionMessage.objects.filter(session__champion_id=champion_id).values_list(
        "input_audio", "speech_audio", "reference_audio"
    )
    return [path for row in rows for path in row if path]
