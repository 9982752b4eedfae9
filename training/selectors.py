from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.db.models import Avg, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, TextField, Window
from django.db.models.functions import Abs, Cast, RowNumber

from accounts.models import User
from agents.reasoning import categories as cat
from agents.reasoning.judge import JudgeMoment, judge_moment
from agents.types import Objection, Pattern
from champions.selectors import ChampionPlaybook, champion_playbook
from champions.storage import media_path
from core.api.representation import iso_datetime
from core.errors import NotFound
from core.prepared import PreparedQuery, PreparedRows, ShapedRows
from teams.models import Membership
from teams.selectors import managed_team, managed_team_ids
from training.list_rows import SessionListRow
from training.models import (
    EvaluationDispute,
    GoldEvaluation,
    JudgeHealthRun,
    SessionMessage,
    SnapshotObjectionCount,
    TrainingSession,
)
from training.services.scenarios import scenario_spec

# The list's values, in ``SessionListRow``'s order.
_RELATED_VALUES = {"user_full_name": "user__full_name", "user_email": "user__email", "champion_name": "champion__name"}
_LIST_VALUES = tuple(_RELATED_VALUES.get(name, name) for name in SessionListRow.__slots__)
_LIST_ANNOTATIONS = {
    "scenario_json": Cast("scenario_snapshot", TextField()),
    "objections_total": SnapshotObjectionCount("scenario_snapshot"),
}


def _list_values(sessions: QuerySet[TrainingSession]) -> QuerySet:
    return sessions.order_by("-started_at", "-id").annotate(**_LIST_ANNOTATIONS).values_list(*_LIST_VALUES)


def _list_row(values: tuple) -> SessionListRow:
    return SessionListRow(*values)


_DATETIME_INDEXES = tuple(
    index
    for index, name in enumerate(SessionListRow.__slots__)
    if name in ("started_at", "last_activity_at", "ended_at")
)


def _filtered_list_row(values: tuple) -> SessionListRow:
    """A row of a filtered list, read by the ORM: its datetimes written as the compiled list's."""
    values = list(values)
    for index in _DATETIME_INDEXES:
        values[index] = iso_datetime(values[index])
    return _list_row(values)


# The caller's own sessions, unfiltered (the list as a rep opens it), compiled once per
# connection: building and compiling it cost more than running it (issue 13).
_own_sessions = PreparedQuery(
    lambda user_id: _list_values(TrainingSession.objects.filter(user_id=user_id)),
    datetimes_as_text=True,  # only rendered: the API's ISO text
)


def session_list(
    *, user: User, champion_id: int | None = None, status: str | None = None, team_id: int | None = None
) -> PreparedRows | ShapedRows:
    """The user's own sessions; with ``team_id``, which ``user`` must manage (404 when not a
    member, 403 as a rep), the sessions of the team's current members on its champions. Rows
    are ``SessionListRow``s, a page at a time."""
    if team_id is None and champion_id is None and not status:
        return PreparedRows(_own_sessions, user.pk, _list_row)
    if team_id is None:
        scope = TrainingSession.objects.filter(user=user)
    else:
        team = managed_team(user, team_id)
        scope = TrainingSession.objects.filter(
            Exists(Membership.objects.filter(team=team, user_id=OuterRef("user_id"))), champion__team=team
        )
    if champion_id is not None:
        scope = scope.filter(champion_id=champion_id)
    if status:
        scope = scope.filter(status=status)
    return ShapedRows(_list_values(scope), _filtered_list_row)


def readable_sessions(user: User) -> QuerySet[TrainingSession]:
    """The sessions ``user`` may read: their own, and, on the champions of a team they manage,
    those of the team's current members (README.md, "Teams"). Writing stays the session's
    user's alone (``training.services``)."""
    member_of_champion_team = Membership.objects.filter(
        team_id=OuterRef("champion__team_id"), user_id=OuterRef("user_id")
    )
    return TrainingSession.objects.filter(
        Q(user=user) | Q(Exists(member_of_champion_team), champion__team_id__in=managed_team_ids(user))
    )


def session_detail_queryset(*, user: User) -> QuerySet[TrainingSession]:
    messages = SessionMessage.objects.order_by("turn_index").annotate(**latest_dispute_annotations())
    return (
        readable_sessions(user)
        .select_related("champion", "user")
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


# --- The judge's health (the admin's scoring-health page) -----------------------------------


def dispute_counts() -> dict[str, int]:
    """Disputes per status, every status present."""
    counts = dict(EvaluationDispute.objects.order_by().values_list("status").annotate(n=Count("id")))
    return {status: counts.get(status, 0) for status in EvaluationDispute.Status.values}


def gold_agreement() -> list[dict]:
    """Per judge and version that scored the gold set's replies: how many, the mean absolute
    error against the corrected scores, and how many were on the right side of the pass mark.
    One aggregate query, however large the set."""
    mark = F("pass_mark")
    same_side = Q(judge_score__gte=mark, corrected_score__gte=mark) | Q(judge_score__lt=mark, corrected_score__lt=mark)
    return list(
        GoldEvaluation.objects.order_by("judge", "judge_version")
        .values("judge", "judge_version")
        .annotate(
            replies=Count("id"),
            mean_absolute_error=Avg(Abs(F("judge_score") - F("corrected_score"))),
            pass_fail_agreeing=Count("id", filter=same_side),
        )
    )


def judge_health_runs(*, limit: int = 50) -> list[JudgeHealthRun]:
    return list(JudgeHealthRun.objects.select_related("requested_by").order_by("-created_at", "-id")[:limit])


@dataclass(frozen=True)
class RescoringCase:
    """A stored reply with what the offline judge needs to score it again."""

    reply: str
    score: int  # the stored score (the judge's, or staff's corrected one for the gold set)
    judge: str  # who gave ``score`` its first value
    judge_version: str
    difficulty: str
    moment: JudgeMoment
    playbook: ChampionPlaybook


def _playbooks(champion_ids: set[int]) -> dict[int, ChampionPlaybook]:
    # One read per distinct champion, bounded by the cases asked for (a worker's measurement,
    # not a page).
    return {champion_id: champion_playbook(champion_id) for champion_id in sorted(champion_ids)}


def _reference_playbook(gold: GoldEvaluation) -> ChampionPlaybook:
    """The champion's reference line alone, once the champion is gone."""
    if not gold.champion_reference:
        return ChampionPlaybook([], [], None, [])
    category = gold.reference_category or (cat.CLOSING if gold.stage == "closing" else cat.OBJECTION_RESPONSE)
    pattern = Pattern(
        category=category,
        text=gold.champion_reference,
        start=0.0,
        end=0.0,
        speaker="champion",
        responds_to=gold.objection or None,
    )
    return ChampionPlaybook([0], [pattern], None, [])


def gold_rescoring_cases(*, limit: int) -> list[RescoringCase]:
    """The newest ``limit`` replies of the gold set, with their corrected scores."""
    rows = list(GoldEvaluation.objects.order_by("-created_at", "-id")[:limit])
    playbooks = _playbooks({row.champion_id for row in rows if row.champion_id})
    cases = []
    for row in rows:
        objection = (
            Objection(text=row.objection, champion_response=row.champion_reference or None) if row.objection else None
        )
        cases.append(
            RescoringCase(
                reply=row.reply,
                score=row.corrected_score,
                judge=row.judge,
                judge_version=row.judge_version,
                difficulty=row.difficulty,
                moment=JudgeMoment(stage=row.stage, prospect_line=row.prospect_line, objection=objection),
                playbook=playbooks.get(row.champion_id) or _reference_playbook(row),
            )
        )
    return cases


def stored_evaluation_cases(*, per_version: int) -> list[RescoringCase]:
    """The newest ``per_version`` scored replies of each judge and version, in their moment:
    the session's own scenario and the prospect line just before the reply."""
    newest_first = Window(RowNumber(), partition_by=[F("judge"), F("judge_version")], order_by=F("id").desc())
    replies = list(
        SessionMessage.objects.filter(role=SessionMessage.Role.TRAINEE, score__isnull=False)
        .annotate(rank=newest_first)
        .filter(rank__lte=per_version)
        .select_related("session")
        .only(
            "content",
            "score",
            "judge",
            "judge_version",
            "stage",
            "turn_index",
            "session__scenario_snapshot",
            "session__champion_id",
        )
        .order_by("judge", "judge_version", "-id")
    )
    if not replies:
        return []
    before = Q()
    for reply in replies:
        before |= Q(session_id=reply.session_id, turn_index=reply.turn_index - 1)
    prospect_lines = {
        (session_id, turn): content
        for session_id, turn, content in SessionMessage.objects.filter(
            before, role=SessionMessage.Role.PROSPECT
        ).values_list("session_id", "turn_index", "content")
    }
    playbooks = _playbooks({reply.session.champion_id for reply in replies})
    cases = []
    for reply in replies:
        spec = scenario_spec(reply.session.scenario_snapshot)
        line = prospect_lines.get((reply.session_id, reply.turn_index - 1), "")
        cases.append(
            RescoringCase(
                reply=reply.content,
                score=reply.score,
                judge=reply.judge,
                judge_version=reply.judge_version,
                difficulty=spec.difficulty,
                moment=judge_moment(spec, reply.stage, line),
                playbook=playbooks[reply.session.champion_id],
            )
        )
    return cases
