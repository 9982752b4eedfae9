from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from champions.models import Champion, ChampionPattern, PatternCategory, Scenario, pipeline_step_choices
from champions.services import UPLOAD_CONTEXT_CHARS
from champions.team_services import PATTERN_TEXT_CHARS
from core.api.representation import RowSerializer, iso_datetime
from core.api.viewsets import ID_MAX
from teams.models import Team

# The largest id the database stores (a 64-bit integer): a larger one is a 400, not a 500.


class UploadInputSerializer(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True, help_text="A video (mp4, mov, webm, mkv) or audio (wav, mp3, m4a, ogg) recording."
    )
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    champion_speaker = serializers.ChoiceField(
        choices=Champion.ChampionSpeaker.choices,
        required=False,
        default=Champion.ChampionSpeaker.MOST_SPEAKING_TIME,
        help_text="Which voice is the champion: the one with the most speaking time (default) or the other one.",
    )
    team_id = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=ID_MAX,
        help_text="The team the champion belongs to (the caller must manage it); without it, a personal champion.",
    )
    context = serializers.CharField(
        max_length=UPLOAD_CONTEXT_CHARS,
        required=False,
        allow_blank=True,
        trim_whitespace=True,
        help_text="What to know of the call: company, product and people's names (at most 1000 characters).",
    )


class MoveInputSerializer(serializers.Serializer):
    team_id = serializers.IntegerField(min_value=1, max_value=ID_MAX, help_text="A team the caller manages.")


class PatternUpdateInputSerializer(serializers.Serializer):
    hidden = serializers.BooleanField(required=False, help_text="Hidden patterns are never used.")
    text = serializers.CharField(required=False, min_length=1, max_length=PATTERN_TEXT_CHARS)

    def validate(self, attrs: dict) -> dict:
        if not attrs:
            raise serializers.ValidationError("Give hidden, text or both.")
        return attrs


class TeamRefSerializer(RowSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()

    def represent(self, team: Team) -> dict:
        return {"id": team.pk, "name": team.name}


def _team(champion: Champion) -> dict | None:
    return {"id": champion.team_id, "name": champion.team.name} if champion.team_id else None


class ChampionStatusFields(RowSerializer):
    """What both the list and the detail show of a champion and its analysis, and whose it is
    and what the caller may do with it (``champions.access``)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=Champion.Status.choices)
    step = serializers.ChoiceField(choices=pipeline_step_choices(), allow_blank=True)
    progress = serializers.IntegerField()
    error = serializers.CharField()
    duration_seconds = serializers.FloatField()
    has_video = serializers.BooleanField()
    original_filename = serializers.CharField()
    team = TeamRefSerializer(allow_null=True, help_text="The team it belongs to; null: personal.")
    published = serializers.SerializerMethodField(help_text="Seen by the team's reps (a team champion only).")
    can_manage = serializers.BooleanField(help_text="The caller may analyse, delete, publish and edit it.")

    @extend_schema_field(serializers.BooleanField())
    def get_published(self, champion: Champion) -> bool:
        return champion.published_at is not None

    def represent(self, champion: Champion) -> dict:
        return {
            "id": champion.pk,
            "name": champion.name,
            "status": champion.status,
            "step": champion.step,
            "progress": champion.progress,
            "error": champion.error,
            "duration_seconds": champion.duration_seconds,
            "has_video": champion.has_video,
            "original_filename": champion.original_filename,
            "team": _team(champion),
            "published": self.get_published(champion),
            "can_manage": bool(champion.can_manage),
        }


class ChampionListSerializer(ChampionStatusFields):
    pattern_count = serializers.IntegerField()
    scenario_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    analyzed_at = serializers.DateTimeField(allow_null=True)

    def represent(self, champion: Champion) -> dict:
        return {
            **super().represent(champion),
            "pattern_count": champion.pattern_count,
            "scenario_count": champion.scenario_count,
            "created_at": iso_datetime(champion.created_at),
            "analyzed_at": iso_datetime(champion.analyzed_at),
        }


class ChampionStatusSerializer(serializers.ModelSerializer):
    class Meta:
        model = Champion
        fields = ["id", "name", "status", "step", "progress", "error", "duration_seconds", "created_at", "analyzed_at"]
        read_only_fields = fields


class ChampionTeamStatusSerializer(serializers.ModelSerializer):
    """A champion after publish, unpublish or move."""

    team = TeamRefSerializer(allow_null=True, read_only=True)
    published = serializers.SerializerMethodField()

    class Meta:
        model = Champion
        fields = ["id", "name", "status", "team", "published", "published_at"]
        read_only_fields = fields

    def get_published(self, champion: Champion) -> bool:
        return champion.published_at is not None


class OccurrenceSerializer(serializers.Serializer):
    start = serializers.FloatField()
    end = serializers.FloatField()


class PatternSerializer(RowSerializer):
    id = serializers.IntegerField()
    category = serializers.ChoiceField(choices=PatternCategory.choices)
    text = serializers.CharField()
    start = serializers.FloatField()
    end = serializers.FloatField()
    speaker = serializers.CharField()
    confidence = serializers.FloatField()
    responds_to = serializers.CharField()
    # Every time the move was said (a long call repeats itself); the first is start/end.
    occurrences = OccurrenceSerializer(many=True)
    hidden = serializers.BooleanField()
    edited_at = serializers.DateTimeField(allow_null=True)

    def represent(self, pattern: ChampionPattern) -> dict:
        return {
            "id": pattern.pk,
            "category": pattern.category,
            "text": pattern.text,
            "start": pattern.start,
            "end": pattern.end,
            "speaker": pattern.speaker,
            "confidence": pattern.confidence,
            "responds_to": pattern.responds_to,
            "occurrences": pattern.occurrences,
            "hidden": pattern.hidden,
            "edited_at": iso_datetime(pattern.edited_at),
        }


class ObjectionSerializer(serializers.Serializer):
    text = serializers.CharField()
    champion_response = serializers.CharField(allow_null=True)
    start = serializers.FloatField(allow_null=True)


class ScenarioSerializer(RowSerializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    persona = serializers.CharField()
    context = serializers.CharField()
    goal = serializers.CharField()
    objections = ObjectionSerializer(many=True)
    difficulty = serializers.ChoiceField(choices=Scenario.Difficulty.choices)

    def represent(self, scenario: Scenario) -> dict:
        return {
            "id": scenario.pk,
            "title": scenario.title,
            "persona": scenario.persona,
            "context": scenario.context,
            "goal": scenario.goal,
            "objections": [
                {"text": o["text"], "champion_response": o.get("champion_response"), "start": o.get("start")}
                for o in scenario.objections
            ],
            "difficulty": scenario.difficulty,
        }


class WordSerializer(serializers.Serializer):
    text = serializers.CharField()
    start = serializers.FloatField()
    end = serializers.FloatField()
    probability = serializers.FloatField()


class SegmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    start = serializers.FloatField()
    end = serializers.FloatField()
    text = serializers.CharField()
    speaker = serializers.CharField(allow_null=True)
    words = WordSerializer(many=True)


class TranscriptPageSerializer(serializers.Serializer):
    """A page of the champion's transcript: ``results`` are segments ``offset`` to
    ``offset + limit`` of ``count``, each with its speaker and its words' timings."""

    # Documents the stored JSON (``agents.types.transcript_to_dict`` wrote it in this shape);
    # the view slices it as it is, running thousands of words through fields would change nothing.
    count = serializers.IntegerField(help_text="Segments in the whole transcript.")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    language = serializers.CharField()
    duration = serializers.FloatField()
    results = SegmentSerializer(many=True)


class ChampionDetailSerializer(ChampionStatusFields):
    """The champion's results; the transcript is not here (its size grows with the call):
    ``GET /champions/{id}/transcript`` pages it."""

    size_bytes = serializers.IntegerField()
    champion_speaker = serializers.ChoiceField(choices=Champion.ChampionSpeaker.choices)
    voice_profile = serializers.JSONField()
    call_metrics = serializers.JSONField()
    warnings = serializers.ListField(
        source="analysis_warnings",
        child=serializers.CharField(),
        help_text="What to know about an analysis that went through, e.g. a call only partly transcribed.",
    )
    tone = serializers.JSONField()
    transcription_engine = serializers.CharField()
    reasoning_engine = serializers.CharField()
    patterns = PatternSerializer(
        source="shown_patterns",
        many=True,
        help_text="The champion's patterns; hidden ones (``hidden: true``) to those who manage it only.",
    )
    scenarios = ScenarioSerializer(source="scenario_rows", many=True)
    created_at = serializers.DateTimeField()
    analyzed_at = serializers.DateTimeField(allow_null=True)

    def represent(self, champion: Champion) -> dict:
        pattern = PatternSerializer().represent
        scenario = ScenarioSerializer().represent
        return {
            **super().represent(champion),
            "size_bytes": champion.size_bytes,
            "champion_speaker": champion.champion_speaker,
            "voice_profile": champion.voice_profile,
            "call_metrics": champion.call_metrics,
            "warnings": list(champion.analysis_warnings),
            "tone": champion.tone,
            "transcription_engine": champion.transcription_engine,
            "reasoning_engine": champion.reasoning_engine,
            "patterns": [pattern(p) for p in champion.shown_patterns],
            "scenarios": [scenario(s) for s in champion.scenario_rows],
            "created_at": iso_datetime(champion.created_at),
            "analyzed_at": iso_datetime(champion.analyzed_at),
        }
