"""Disputed evaluations: a rep disputes the judge's score of one of their replies; staff accept
the dispute with a corrected score (the reply joins the gold set the judges are measured on)
or reject it with a note. Both decisions are audited (DISPUTE_ACCEPT, DISPUTE_REJECT)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from agents.reasoning import categories as cat
from agents.reasoning.judge import judge_moment
from agents.reasoning.prospect import pass_score
from core import ops
from core.errors import Conflict, InvalidInput, NotFound
from training.models import EvaluationDispute, GoldEvaluation, SessionMessage
from training.services.scenarios import scenario_spec

DISPUTE_REASON_MAX_CHARS = 2000
RESOLUTION_NOTE_MAX_CHARS = 2000


def _text(value: str, *, field: str, what: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(f"The {what} is empty.", fields={field: [f"Say why ({what} is required)."]})
    if len(text) > limit:
        raise InvalidInput(f"The {what} is too long.", fields={field: [f"At most {limit} characters."]})
    return text


@transaction.atomic
def dispute_open(*, user: User, session_id: int, message_id: int, reason: str) -> EvaluationDispute:
    """Opens a dispute of a scored reply of ``user``'s own session; one open dispute per reply,
    and none once a dispute of it was accepted (its score is corrected already)."""
    text = _text(reason, field="reason", what="reason", limit=DISPUTE_REASON_MAX_CHARS)
    message = (
        SessionMessage.objects.select_for_update(of=("self",))
        .filter(pk=message_id, session_id=session_id, session__user=user)
        .only("id", "role", "score")
        .first()
    )
    if message is None:
        raise NotFound("No such message in your sessions.")
    if message.role != SessionMessage.Role.TRAINEE or message.score is None:
        raise InvalidInput(
            "Only a scored reply of yours can be disputed.",
            fields={"message_id": ["This message has no evaluation."]},
        )
    settled = EvaluationDispute.objects.filter(
        message=message, status__in=[EvaluationDispute.Status.OPEN, EvaluationDispute.Status.ACCEPTED]
    ).values_list("status", flat=True)
    if status := settled.first():
        raise Conflict(f"This evaluation already has an {status} dispute.")
    try:
        with transaction.atomic():
            return EvaluationDispute.objects.create(message=message, user=user, reason=text)
    except IntegrityError as exc:  # a concurrent dispute of the same reply won the race
        raise Conflict("This evaluation already has an open dispute.") from exc


def _open_dispute_for_update(dispute_id: int) -> EvaluationDispute:
    dispute = (
        EvaluationDispute.objects.select_for_update(of=("self",))
        .select_related("message__session")
        .filter(pk=dispute_id)
        .first()
    )
    if dispute is None:
        raise NotFound("No such dispute.")
    if dispute.status != EvaluationDispute.Status.OPEN:
        raise Conflict(f"This dispute is {dispute.status} already.")
    return dispute


def _resolve(dispute: EvaluationDispute, *, status: str, reviewer: User, note: str, score: int | None) -> None:
    dispute.status, dispute.resolution_note, dispute.corrected_score = status, note, score
    dispute.resolved_by, dispute.resolved_at = reviewer, timezone.now()
    dispute.save(update_fields=["status", "resolution_note", "corrected_score", "resolved_by", "resolved_at"])


@transaction.atomic
def dispute_accept(*, dispute_id: int, reviewer: User, corrected_score: int, note: str = "") -> GoldEvaluation:
    """The judge was wrong: the dispute is accepted with the right score, and the reply with
    its moment joins the gold set. The stored evaluation is kept as the judge gave it (the
    scoring-health page measures the judge against the correction)."""
    if isinstance(corrected_score, bool) or not isinstance(corrected_score, int) or not 0 <= corrected_score <= 100:
        raise InvalidInput("The corrected score is 0 to 100.", fields={"corrected_score": ["From 0 to 100."]})
    note = (note or "").strip()[:RESOLUTION_NOTE_MAX_CHARS]
    dispute = _open_dispute_for_update(dispute_id)
    _resolve(dispute, status=EvaluationDispute.Status.ACCEPTED, reviewer=reviewer, note=note, score=corrected_score)
    gold = GoldEvaluation.objects.create(
        **_gold_fields(dispute.message), corrected_score=corrected_score, dispute=dispute
    )
    ops.audit_record(
        dispute,
        action="DISPUTE_ACCEPT",
        changes={"status": ["open", "accepted"], "score": [str(dispute.message.score), str(corrected_score)]},
        extra={"message_id": dispute.message_id, "gold_evaluation_id": gold.pk, "note": note},
    )
    return gold


@transaction.atomic
def dispute_reject(*, dispute_id: int, reviewer: User, note: str) -> EvaluationDispute:
    """The judge was right: the dispute is rejected with a note the rep reads."""
    text = _text(note, field="note", what="note", limit=RESOLUTION_NOTE_MAX_CHARS)
    dispute = _open_dispute_for_update(dispute_id)
    _resolve(dispute, status=EvaluationDispute.Status.REJECTED, reviewer=reviewer, note=text, score=None)
    ops.audit_record(
        dispute,
        action="DISPUTE_REJECT",
        changes={"status": ["open", "rejected"]},
        extra={"message_id": dispute.message_id, "note": text},
    )
    return dispute


def _gold_fields(message: SessionMessage) -> dict:
    """The disputed reply with its moment, as the judge saw it (the session's own scenario)."""
    prospect_line = (
        SessionMessage.objects.filter(
            session_id=message.session_id, role=SessionMessage.Role.PROSPECT, turn_index__lt=message.turn_index
        )
        .order_by("-turn_index")
        .values_list("content", flat=True)
        .first()
    ) or ""
    spec = scenario_spec(message.session.scenario_snapshot)
    moment = judge_moment(spec, message.stage, prospect_line)
    reference = message.champion_reference or {}
    own_answer = moment.objection.champion_response if moment.objection else None
    return {
        "prospect_line": prospect_line,
        "reply": message.content,
        # The champion's own answer to the objection on the table, or the move the judge chose.
        "champion_reference": own_answer or reference.get("text", ""),
        "reference_category": cat.OBJECTION_RESPONSE if own_answer else reference.get("category", ""),
        "stage": moment.stage,
        "objection": moment.objection.text if moment.objection else "",
        "difficulty": spec.difficulty,
        "judge": message.judge,
        "judge_version": message.judge_version,
        "judge_score": message.score,
        "pass_mark": pass_score(spec),
        "champion_id": message.session.champion_id,
    }
