from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from champions.models import Champion, ChampionPattern, Scenario


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


# What both the list and the detail show of a champion and its analysis.
CHAMPION_STATUS_FIELDS = [
    "id",
    "name",
    "status",
    "step",
    "progress",
    "error",
    "duration_seconds",
    "has_video",
    "original_filename",
]


class ChampionListSerializer(serializers.ModelSerializer):
    pattern_count = serializers.IntegerField(read_only=True)
    scenario_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Champion
        fields = [*CHAMPION_STATUS_FIELDS, "pattern_count", "scenario_count", "created_at", "analyzed_at"]
        read_only_fields = fields


class ChampionStatusSerializer(serializers.ModelSerializer):
    class Meta:
        model = Champion
        fields = ["id", "name", "status", "step", "progress", "error", "duration_seconds", "created_at", "analyzed_at"]
        read_only_fields = fields


class PatternSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChampionPattern
        fields = ["id", "category", "text", "start", "end", "speaker", "confidence", "responds_to"]
        read_only_fields = fields


class ObjectionSerializer(serializers.Serializer):
    text = serializers.CharField()
    champion_response = serializers.CharField(allow_null=True)
    start = serializers.FloatField(allow_null=True)


class ScenarioSerializer(serializers.ModelSerializer):
    objections = ObjectionSerializer(many=True, read_only=True)

    class Meta:
        model = Scenario
        fields = ["id", "title", "persona", "context", "goal", "objections", "difficulty"]
        read_only_fields = fields


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


class TranscriptSerializer(serializers.Serializer):
    text = serializers.CharField()
    language = serializers.CharField()
    duration = serializers.FloatField()
    segments = SegmentSerializer(many=True)


class ChampionDetailSerializer(serializers.ModelSerializer):
    transcript = serializers.SerializerMethodField()
    warnings = serializers.ListField(
        source="analysis_warnings",
        child=serializers.CharField(),
        read_only=True,
        help_text="What to know about an analysis that went through, e.g. a call only partly transcribed.",
    )
    patterns = PatternSerializer(many=True, read_only=True)
    scenarios = ScenarioSerializer(many=True, read_only=True)

    class Meta:
        model = Champion
        fields = [
            *CHAMPION_STATUS_FIELDS,
            "size_bytes",
            "champion_speaker",
            "transcript",
            "voice_profile",
            "call_metrics",
            "warnings",
            "tone",
            "transcription_engine",
            "reasoning_engine",
            "patterns",
            "scenarios",
            "created_at",
            "analyzed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(TranscriptSerializer(allow_null=True))
    def get_transcript(self, champion: Champion) -> dict | None:
        # The stored JSON as it is (``agents.types.transcript_to_dict`` wrote it in this shape):
        # TranscriptSerializer documents it, but running thousands of words through it on every
        # detail view would cost time and change nothing.
        return champion.transcript or None
