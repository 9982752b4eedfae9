from __future__ import annotations

import numpy as np
from django.conf import settings
from django.db import models
from django.utils import timezone

EMBEDDING_DIMENSIONS = 384


class Champion(models.Model):
    """A recording of a champion's sales call and everything the pipeline learned from it."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded"
        QUEUED = "queued", "Queued"
        PROCESSING = "processing", "Processing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    class Step(models.TextChoices):
        DECODE = "decode", "Decoding audio"
        TRANSCRIBE = "transcribe", "Transcribing"
        VOICE = "voice", "Voice profile and call metrics"
        PATTERNS = "patterns", "Extracting sales patterns"
        INDEX = "index", "Embedding and indexing"
        SCENARIOS = "scenarios", "Generating scenarios"
        FINISH = "finish", "Finishing"

    class ChampionSpeaker(models.TextChoices):
        MOST_SPEAKING_TIME = "most", "The speaker with the most speaking time"
        OTHER = "other", "The other speaker"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="champions")
    name = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UPLOADED)
    step = models.CharField(max_length=16, choices=Step.choices, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    champion_speaker = models.CharField(
        max_length=8, choices=ChampionSpeaker.choices, default=ChampionSpeaker.MOST_SPEAKING_TIME
    )

    # Private media, relative to MEDIA_ROOT; server-made names, never served as static files.
    recording = models.CharField(max_length=300)
    original_filename = models.CharField(max_length=255, blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    container_format = models.CharField(max_length=64, blank=True)
    has_video = models.BooleanField(default=False)
    audio_file = models.CharField(max_length=300, blank=True)
    duration_seconds = models.FloatField(default=0)

    transcript_text = models.TextField(blank=True)
    transcript = models.JSONField(default=dict, blank=True)  # {language, duration, segments: [...words]}
    voice_profile = models.JSONField(default=dict, blank=True)
    # The champion's voice cloned at the speech vendor (ElevenLabs) from the recording, when a
    # key is set: the champion's reference phrases in training are spoken in it.
    voice_clone_id = models.CharField(max_length=64, blank=True)
    call_metrics = models.JSONField(default=dict, blank=True)
    tone = models.JSONField(default=dict, blank=True)
    transcription_engine = models.CharField(max_length=64, blank=True)
    reasoning_engine = models.CharField(max_length=64, blank=True)

    # Identifies one analysis run: steps of an older, superseded run stop instead of writing.
    analysis_run = models.UUIDField(null=True, blank=True)
    step_started_at = models.DateTimeField(null=True, blank=True)
    step_attempts = models.PositiveSmallIntegerField(default=0)
    analysis_started_at = models.DateTimeField(null=True, blank=True)
    analyzed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="champion_owner_created_idx"),
            models.Index(fields=["status", "step_started_at"], name="champion_status_step_idx"),
        ]
        constraints = [
            models.CheckConstraint(name="champion_progress_0_100", condition=models.Q(progress__lte=100)),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_busy(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.PROCESSING)

    @property
    def analysis_warnings(self) -> list[str]:
        """What the user should know about a finished analysis that still went through."""
        share = (self.call_metrics or {}).get("transcribed_share")
        if share is not None and share < TRANSCRIBED_SHARE_WARNING:
            return [
                f"Only {share:.0%} of what is heard in the recording was transcribed (overlapping voices, "
                "music or another language), so the playbook comes from part of the call."
            ]
        return []


# A clear call has 90 % or more of its sound transcribed; below this, tell the user.
TRANSCRIBED_SHARE_WARNING = 0.6


class PatternCategory(models.TextChoices):
    OPENER = "opener", "Opener"
    DISCOVERY_QUESTION = "discovery_question", "Discovery question"
    OBJECTION = "objection", "Prospect objection"
    OBJECTION_RESPONSE = "objection_response", "Objection handling"
    VALUE_STATEMENT = "value_statement", "Value statement"
    CLOSING = "closing", "Closing move"
    KEY_PHRASE = "key_phrase", "Key phrase"


class ChampionPattern(models.Model):
    """One sales move of the champion (or a buyer's objection), located in the recording.

    The embedding is stored here, in the database, the source of truth: the in-process index
    searches it directly and the Qdrant index is rebuilt from it.
    """

    champion = models.ForeignKey(Champion, on_delete=models.CASCADE, related_name="patterns")
    position = models.PositiveIntegerField()
    category = models.CharField(max_length=32, choices=PatternCategory.choices)
    text = models.TextField()
    start = models.FloatField()
    end = models.FloatField()
    speaker = models.CharField(max_length=16, blank=True)
    confidence = models.FloatField(default=1.0)
    responds_to = models.TextField(blank=True)
    embedding = models.BinaryField(null=True, blank=True, editable=False)  # float32 × 384

    class Meta:
        ordering = ["champion_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["champion", "position"], name="pattern_unique_position"),
        ]
        indexes = [models.Index(fields=["champion", "category"], name="pattern_champion_category_idx")]

    def __str__(self) -> str:
        return f"{self.category}: {self.text[:60]}"

    @property
    def vector(self) -> np.ndarray | None:
        if not self.embedding:
            return None
        return np.frombuffer(bytes(self.embedding), dtype=np.float32)


class Scenario(models.Model):
    class Difficulty(models.TextChoices):
        EASY = "easy", "Easy"
        MEDIUM = "medium", "Medium"
        HARD = "hard", "Hard"

    champion = models.ForeignKey(Champion, on_delete=models.CASCADE, related_name="scenarios")
    position = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    persona = models.TextField()
    context = models.TextField()
    goal = models.TextField()
    # [{"text", "champion_response", "start"}], in the order the prospect raises them.
    objections = models.JSONField(default=list)
    difficulty = models.CharField(max_length=8, choices=Difficulty.choices)

    class Meta:
        ordering = ["champion_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["champion", "position"], name="scenario_unique_position"),
        ]

    def __str__(self) -> str:
        return self.title
