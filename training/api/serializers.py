from __future__ import annotations

from typing import TYPE_CHECKING

import orjson
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.representation import RowSerializer, iso_datetime
from core.api.viewsets import ID_MAX
from training.list_rows import SessionListRow
from training.models import EvaluationDispute, SessionMessage, TrainingSession, normalized_snapshot
from training.services.disputes import DISPUTE_REASON_MAX_CHARS

if TYPE_CHECKING:
    from training.services import RespondResult


class StartInputSerializer(serializers.Serializer):
    champion_id = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    scenario_id = serializers.IntegerField(min_value=1, max_value=ID_MAX, required=False, allow_null=True)


class RespondInputSerializer(serializers.Serializer):
    session_id = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    message = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, max_length=100_000)
    audio = serializers.FileField(required=False, help_text="A spoken reply (multipart), instead of message.")
    speech = serializers.BooleanField(
        required=False, default=False, help_text="Also return the prospect's line as speech."
    )

    def validate(self, attrs: dict) -> dict:
        if "audio" not in attrs and "message" not in attrs:
            raise serializers.ValidationError({"message": ["Send a message (text) or an audio reply."]})
        return attrs


class SessionFilterSerializer(serializers.Serializer):
    champion_id = serializers.IntegerField(min_value=1, max_value=ID_MAX, required=False)
    team_id = serializers.IntegerField(min_value=1, max_value=ID_MAX, required=False)
    status = serializers.ChoiceField(choices=TrainingSession.Status.choices, required=False)


class SessionIdInputSerializer(serializers.Serializer):
    session_id = serializers.IntegerField(min_value=1, max_value=ID_MAX)


class ChampionReferenceSerializer(serializers.Serializer):
    pattern_id = serializers.IntegerField(allow_null=True)
    text = serializers.CharField()
    start = serializers.FloatField()
    end = serializers.FloatField()
    category = serializers.CharField()


class DisputeInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=DISPUTE_REASON_MAX_CHARS, help_text="Why the score is wrong.")


class DisputeSerializer(serializers.ModelSerializer):
    """A rep's dispute of an evaluation, as filed."""

    message_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = EvaluationDispute
        fields = ["id", "message_id", "reason", "status", "created_at"]
        read_only_fields = fields


class DisputeStatusSerializer(serializers.Serializer):
    """The latest dispute of an evaluation and how staff resolved it (the selector's annotations)."""

    id = serializers.IntegerField(source="latest_dispute_id")
    status = serializers.ChoiceField(choices=EvaluationDispute.Status.choices, source="latest_dispute_status")
    corrected_score = serializers.IntegerField(source="latest_dispute_corrected_score", allow_null=True)
    resolution_note = serializers.CharField(source="latest_dispute_note")


class EvaluationSerializer(serializers.Serializer):
    """The judge's evaluation of a trainee message."""

    score = serializers.IntegerField()
    criteria = serializers.DictField(child=serializers.IntegerField())
    weights = serializers.DictField(child=serializers.FloatField())
    feedback = serializers.ListField(child=serializers.CharField())
    champion_reference = ChampionReferenceSerializer(allow_null=True)
    judge = serializers.CharField(help_text="Which judge produced it: anthropic or offline.")
    judge_version = serializers.CharField(help_text="The judge's version (with the model asked, for Claude).")
    reference_audio_url = serializers.SerializerMethodField()
    dispute = serializers.SerializerMethodField()

    def get_reference_audio_url(self, message: SessionMessage) -> str | None:
        return _audio_url(message, "reference") if message.reference_audio else None

    @extend_schema_field(DisputeStatusSerializer(allow_null=True))
    def get_dispute(self, message: SessionMessage) -> dict | None:
        # Annotated by selectors.session_detail_queryset; a reply just scored has none.
        if getattr(message, "latest_dispute_id", None) is None:
            return None
        return DisputeStatusSerializer(message).data


class MessageSerializer(serializers.ModelSerializer):
    evaluation = serializers.SerializerMethodField()
    audio_url = serializers.SerializerMethodField()

    class Meta:
        model = SessionMessage
        fields = ["id", "role", "content", "turn_index", "stage", "created_at", "evaluation", "audio_url"]
        read_only_fields = fields

    @extend_schema_field(EvaluationSerializer(allow_null=True))
    def get_evaluation(self, message: SessionMessage) -> dict | None:
        if message.role != SessionMessage.Role.TRAINEE:
            return None
        return EvaluationSerializer(message, context=self.context).data

    def get_audio_url(self, message: SessionMessage) -> str | None:
        return _audio_url(message, "speech") if message.speech_audio else None


def _audio_url(message: SessionMessage, kind: str) -> str:
    return f"/training/sessions/{message.session_id}/audio/{message.pk}/{kind}"


class ScenarioSnapshotSerializer(RowSerializer):
    id = serializers.IntegerField(allow_null=True)
    title = serializers.CharField()
    persona = serializers.CharField()
    context = serializers.CharField()
    goal = serializers.CharField()
    difficulty = serializers.CharField()
    objections = serializers.ListField(child=serializers.DictField())

    def represent(self, snapshot: dict) -> dict:
        return normalized_snapshot(snapshot)


class SessionSerializer(RowSerializer):
    id = serializers.IntegerField()
    user_id = serializers.IntegerField()
    champion_id = serializers.IntegerField()
    champion_name = serializers.CharField(source="champion.name")
    scenario = ScenarioSnapshotSerializer(source="scenario_snapshot")
    status = serializers.ChoiceField(choices=TrainingSession.Status.choices)
    outcome = serializers.ChoiceField(choices=TrainingSession.Outcome.choices, allow_blank=True)
    stage = serializers.IntegerField()
    objections_total = serializers.IntegerField(source="objection_count")
    turn_count = serializers.IntegerField()
    started_at = serializers.DateTimeField()
    last_activity_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    overall_score = serializers.FloatField(allow_null=True)
    summary = serializers.CharField()

    def represent(self, session: TrainingSession) -> dict:
        return session_body(session, champion_name=session.champion.name)


def session_body(session: TrainingSession | SessionListRow, *, champion_name: str) -> dict:
    """``SessionSerializer``'s body of a session or of a list's row (whose datetimes are
    already the API's text: ``iso_datetime`` passes them through; its scenario, the stored
    JSON, sent as it is: ``SessionListRow``)."""
    if isinstance(session, SessionListRow):
        scenario, objections_total = orjson.Fragment(session.scenario_json), session.objections_total
    else:
        scenario = normalized_snapshot(session.scenario_snapshot)
        objections_total = len(scenario["objections"])
    return {
        "id": session.pk,
        "user_id": session.user_id,
        "champion_id": session.champion_id,
        "champion_name": champion_name,
        "scenario": scenario,
        "status": session.status,
        "outcome": session.outcome,
        "stage": session.stage,
        "objections_total": objections_total,
        "turn_count": session.turn_count,
        "started_at": iso_datetime(session.started_at),
        "last_activity_at": iso_datetime(session.last_activity_at),
        "ended_at": iso_datetime(session.ended_at),
        "overall_score": session.overall_score,
        "summary": session.summary,
    }


class SessionListSerializer(SessionSerializer):
    """A session in the list and the detail, which load its user: whose it is, since a manager
    reads the team's (``GET /training/sessions?team_id=``)."""

    user_name = serializers.CharField(source="user.get_full_name", help_text="Whose session.")

    def represent(self, session: TrainingSession | SessionListRow) -> dict:
        if isinstance(session, SessionListRow):
            # A list's row: its values read directly, no objects per row for user and champion.
            body = session_body(session, champion_name=session.champion_name)
            return {**body, "user_name": session.user_full_name or session.user_email}
        return {**super().represent(session), "user_name": session.user.get_full_name()}


class SessionDetailSerializer(SessionListSerializer):
    strengths = serializers.JSONField()
    improvements = serializers.JSONField()
    comparison_to_champion = serializers.JSONField()
    messages = MessageSerializer(many=True)

    def represent(self, session: TrainingSession) -> dict:
        return {
            **super().represent(session),
            "strengths": session.strengths,
            "improvements": session.improvements,
            "comparison_to_champion": session.comparison_to_champion,
            "messages": MessageSerializer(session.messages.all(), many=True, context=self.context).data,
        }


class StartOutputSerializer(serializers.Serializer):
    """A just started session and the prospect's opening line."""

    session = SessionSerializer()
    prospect_message = MessageSerializer()


class RespondOutputSerializer(serializers.Serializer):
    """The reply's evaluation, the prospect's answer and the session after the turn."""

    # Reads a training.services.RespondResult. Built by hand: DRF copying and binding the
    # nested serializers' fields on every reply was 3 % of a worker's time with 20 reps at once
    # (issue 13); the declared fields are the schema (not a RowSerializer: the transcript is
    # optional), and a test holds the two bodies equal.

    evaluation = EvaluationSerializer(source="trainee_message")
    prospect_message = MessageSerializer()
    session = SessionSerializer()
    transcript = serializers.CharField(
        source="trainee_message.content", required=False, help_text="What was understood of an audio reply."
    )

    def to_representation(self, result: RespondResult) -> dict:
        reply = result.trainee_message
        body = {
            "evaluation": _fresh_evaluation_body(reply),
            "prospect_message": _prospect_message_body(result.prospect_message),
            "session": session_body(result.session, champion_name=result.session.champion.name),
        }
        if reply.input_audio:  # a typed reply has no transcript
            body["transcript"] = reply.content
        return body


def _fresh_evaluation_body(message: SessionMessage) -> dict:
    """``EvaluationSerializer``'s body of a reply just scored (no dispute yet)."""
    reference = message.champion_reference
    return {
        "score": None if message.score is None else int(message.score),
        "criteria": {str(name): int(value) for name, value in message.criteria.items()},
        "weights": {str(name): float(value) for name, value in message.weights.items()},
        "feedback": [str(line) for line in message.feedback],
        "champion_reference": None
        if reference is None
        else {
            "pattern_id": None if reference["pattern_id"] is None else int(reference["pattern_id"]),
            "text": str(reference["text"]),
            "start": float(reference["start"]),
            "end": float(reference["end"]),
            "category": str(reference["category"]),
        },
        "judge": message.judge,
        "judge_version": message.judge_version,
        "reference_audio_url": _audio_url(message, "reference") if message.reference_audio else None,
        "dispute": None,
    }


def _prospect_message_body(message: SessionMessage) -> dict:
    """``MessageSerializer``'s body of a prospect's line (which has no evaluation)."""
    return {
        "id": message.pk,
        "role": message.role,
        "content": message.content,
        "turn_index": message.turn_index,
        "stage": message.stage,
        "created_at": iso_datetime(message.created_at),
        "evaluation": None,
        "audio_url": _audio_url(message, "speech") if message.speech_audio else None,
    }


class EndOutputSerializer(serializers.Serializer):
    """The ended session's results, and the session itself."""

    overall_score = serializers.FloatField()
    summary = serializers.CharField()
    strengths = serializers.ListField(child=serializers.CharField())
    improvements = serializers.ListField(child=serializers.CharField())
    comparison_to_champion = serializers.DictField()
    session = SessionSerializer(source="*")


class ProgressSerializer(serializers.Serializer):
    champion_id = serializers.IntegerField()
    champion_name = serializers.CharField()
    sessions = serializers.ListField(child=serializers.DictField())
    criteria = serializers.DictField(child=serializers.ListField(child=serializers.DictField()))
    gap_to_champion = serializers.DictField(child=serializers.FloatField())
