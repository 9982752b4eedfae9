from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from champions.models import Champion, ChampionPattern, Scenario

# The largest id the database stores (a 64-bit integer): a larger one is a 400, not a 500.
ID_LIMIT = 2**63 - 1


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
        max_value=ID_LIMIT,
        help_text="The team the champion belongs to (the caller must manage it); without it, a personal champion.",
    )
    context = serializers.CharField(
        max_length=1000,
        required=False,
        allow_blank=True,
        trim_whitespace=True,
        help_text="What to know of the call: company, product and people's names (at most 1000 characters).",
    )


class MoveInputSerializer(serializers.Serializer):
    team_id = serializers.IntegerField(min_value=1, max_value=ID_LIMIT, help_text="A team the caller manages.")


class PatternUpdateInputSerializer(serializers.Serializer):
    hidden = serializers.BooleanField(required=False, help_text="Hidden patterns are never used.")
    text = serializers.CharField(required=False, min_length=1, max_length=2000)

    def validate(self, attrs: dict) -> dict:
        if not attrs:
            raise serializers.ValidationError("Give hidden, text or both.")
        return attrs


class TeamRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


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
    "team",
    "published",
    "can_manage",
]


class TeamFieldsMixin(serializers.Serializer):
    """Whose a champion is and what the caller may do with it (``champions.access``)."""

    team = TeamRefSerializer(allow_null=True, read_only=True, help_text="The team it belongs to; null: personal.")
    published = serializers.SerializerMethodField(help_text="Seen by the team's reps (a team champion only).")
    can_manage = serializers.BooleanField(
        read_only=True, help_text="The caller may analyse, delete, publish and edit it."
    )

    def get_published(self, champion: Champion) -> bool:
        return champion.published_at is not None


class ChampionListSerializer(TeamFieldsMixin, serializers.ModelSerializer):
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


class PatternSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChampionPattern
        fields = [
            "id",
            "category",
            "text",
            "start",
            "end",
            "speaker",
            "confidence",
            "responds_to",
            "hidden",
            "edited_at",
        ]
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


class ChampionDetailSerializer(TeamFieldsMixin, serializers.ModelSerializer):
    transcript = serializers.SerializerMethodField()
    warnings = serializers.ListField(
        source="analysis_warnings",
        child=serializers.CharField(),
        read_only=True,
        help_text="What to know about an analysis that went through, e.g. a call only partly transcribed.",
    )
    patterns = serializers.SerializerMethodField(
        help_text="The champion's patterns; hidden ones (``hidden: true``) to those who manage it only."
    )
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

    @extend_schema_field(PatternSerializer(many=True))
    def get_patterns(self, champion: Champion) -> list[dict]:
        # From the prefetched rows: a rep sees the patterns in use, a manager all of them.
        shown = [p for p in champion.patterns.all() if champion.can_manage or not p.hidden]
        return PatternSerializer(shown, many=True).data

    @extend_schema_field(TranscriptSerializer(allow_null=True))
    def get_transcript(self, champion: Champion) -> dict | None:
        # The stored JSON as it is (``agents.types.transcript_to_dict`` wrote it in this shape):
        # TranscriptSerializer documents it, but running thousands of words through it on every
        # detail view would cost time and change nothing.
        return champion.transcript or None
