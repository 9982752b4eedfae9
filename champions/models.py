from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

import numpy as np
from django.conf import settings
from django.db import models
from django.utils import timezone

from agents.providers.embeddings import EMBEDDING_DIMENSION
from agents.reasoning.categories import CATEGORIES, CATEGORY_LABELS
from agents.types import Pattern, Transcript, transcript_from_dict
from core.json_fields import FastJSONField

# One source of truth: the size of the vectors the embedder makes.
EMBEDDING_DIMENSIONS = EMBEDDING_DIMENSION


def pipeline_step_choices() -> list[tuple[str, str]]:
    """The analysis steps, from their registry. A callable, so the migrations name this function
    instead of copying the list: adding a step to the registry needs no migration."""
    from champions.pipeline.steps import STEPS  # the steps import this module

    return [(step.name, step.label) for step in STEPS]


class Champion(models.Model):
    """A recording of a champion's sales call and everything the pipeline learned from it."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded"
        QUEUED = "queued", "Queued"
        PROCESSING = "processing", "Processing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    class ChampionSpeaker(models.TextChoices):
        MOST_SPEAKING_TIME = "most", "The speaker with the most speaking time"
        OTHER = "other", "The other speaker"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="champions")
    # A team champion (README.md, "Teams") is governed by the team's roles: its managers review
    # and publish it, its reps see it once published. Without a team it is its owner's alone.
    # A deleted team leaves its champions to their owners, as personal champions.
    team = models.ForeignKey("teams.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="champions")
    published_at = models.DateTimeField(null=True, blank=True)
    name = models.CharField(max_length=200)
    # What the uploader says of the call (company, product and people's names): Whisper's prompt.
    context = models.TextField(max_length=1000, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UPLOADED)
    # The step running (or the one that failed), named in the registry ``champions.pipeline.steps``.
    step = models.CharField(max_length=16, choices=pipeline_step_choices, blank=True)
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
    # When a worker claimed the current step; null while the step waits in the queue.
    step_started_at = models.DateTimeField(null=True, blank=True)
    # The current step's last sign of life: refreshed by its worker while it runs, set when it
    # was queued otherwise. A running step whose heartbeat stopped lost its worker
    # (``champions.pipeline.heartbeat``).
    step_heartbeat_at = models.DateTimeField(null=True, blank=True)
    # Every claim of a step adds one: the claiming attempt's number, which its writes check, so
    # that an attempt taken for dead and replaced cannot write over its replacement.
    step_attempts = models.PositiveSmallIntegerField(default=0)
    analysis_started_at = models.DateTimeField(null=True, blank=True)
    analyzed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="champion_owner_created_idx"),
            models.Index(fields=["team", "-created_at"], name="champion_team_created_idx"),
            models.Index(fields=["status", "step_started_at"], name="champion_status_step_idx"),
        ]
        constraints = [
            models.CheckConstraint(name="champion_progress_0_100", condition=models.Q(progress__lte=100)),
        ]

    def __str__(self) -> str:
        return self.name

    @cached_property
    def parsed_transcript(self) -> Transcript:
        """The call's transcript (``ChampionTranscript``) as the engines' dataclass, read and
        parsed once per loaded row (each pipeline step loads the row afresh, so a step reads
        it once whatever it does with it)."""
        return transcript_from_dict(ChampionTranscript.data_of(self.pk))

    def set_transcript(self, transcript: Transcript) -> None:
        """Keeps ``parsed_transcript`` in step with a transcript about to be stored
        (``pipeline.runs.save_if_current(..., transcript=...)`` writes it)."""
        self.__dict__["parsed_transcript"] = transcript

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


# A transcript's segments are stored this many to a row (``ChampionTranscriptBlock``), the
# default page's count: a page reads the one or two blocks it overlaps (85 KB each), not the
# whole call (1.5 MB of JSON for two hours, parsed in 12 ms on every page when it was one value).
SEGMENTS_PER_BLOCK = 50


class ChampionTranscript(models.Model):
    """The call as transcribed: its text, language and duration here, every segment with its
    words, speaker and timings in its blocks. Its own table, read only by what needs it (the
    pipeline, the transcript's pages, a session's first summary): on the champion's row it was
    walked by every read of that row, since SQLite keeps a long value in overflow pages that are
    read through to reach the columns after it (issue 13: the champion list's query took 0.7 ms
    for one 2-hour champion among 20, against 0.03 ms without it)."""

    champion = models.OneToOneField(
        Champion, on_delete=models.CASCADE, primary_key=True, related_name="transcript_record"
    )
    # {language, duration, segment_count}: what a page reads. The text and the segments are
    # apart: a page would parse the text (82 KB for 2 hours) for nothing.
    data = FastJSONField(default=dict, blank=True)
    text = models.TextField(blank=True, default="")

    def __str__(self) -> str:
        return f"Transcript of champion {self.champion_id}"

    @classmethod
    def data_of(cls, champion_id: int) -> dict:
        """The stored transcript of ``champion_id`` in ``transcript_to_dict``'s shape, segments
        included ({} when there is none): two queries."""
        row = cls.objects.filter(champion_id=champion_id).values_list("data", "text").first()
        if row is None:
            return {}
        head, text = row
        document = {"text": text, **{key: value for key, value in head.items() if key != "segment_count"}}
        document["segments"] = ChampionTranscriptBlock.segments_of(champion_id, 0, head.get("segment_count", 0))
        return document


class ChampionTranscriptBlock(models.Model):
    """Segments ``first_segment`` to ``first_segment + SEGMENTS_PER_BLOCK`` of a transcript,
    each as ``transcript_to_dict`` wrote it (id, start, end, text, words, speaker)."""

    transcript = models.ForeignKey(ChampionTranscript, on_delete=models.CASCADE, related_name="blocks")
    first_segment = models.PositiveIntegerField()
    segments = FastJSONField(default=list)

    class Meta:
        constraints = [
            # Also the index a page's range read walks.
            models.UniqueConstraint(fields=["transcript", "first_segment"], name="transcript_block_once"),
        ]

    def __str__(self) -> str:
        return f"Segments {self.first_segment}+ of champion {self.transcript_id}"

    @classmethod
    def segments_of(cls, champion_id: int, start: int, stop: int) -> list[dict]:
        """Segments ``start`` to ``stop`` (excluded) of ``champion_id``'s transcript, from the
        blocks that hold them: one query, reading those blocks only."""
        if start >= stop:
            return []
        first_block = start - start % SEGMENTS_PER_BLOCK
        blocks = (
            cls.objects.filter(transcript_id=champion_id, first_segment__gte=first_block, first_segment__lt=stop)
            .order_by("first_segment")
            .values_list("segments", flat=True)
        )
        segments = [segment for block in blocks for segment in block]
        return segments[start - first_block : stop - first_block]


# A clear call has 90 % or more of its sound transcribed; below this, tell the user.
TRANSCRIBED_SHARE_WARNING = 0.6


# The engines' categories and their labels (one mapping, ``agents.reasoning.categories``),
# with the label's first letter capitalised for the admin.
PatternCategory = models.TextChoices(
    "PatternCategory",
    [
        (category.upper(), (category, CATEGORY_LABELS[category][:1].upper() + CATEGORY_LABELS[category][1:]))
        for category in CATEGORIES
    ],
)


class ChampionPattern(models.Model):
    """One sales move of the champion (or a buyer's objection), located in the recording.

    The embedding is stored here, in the database, the source of truth: the judge reads it
    (``selectors.champion_playbook``) and the vector store mirrors it (``vector_index``).
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
    # Every time the move was said, [{start, end}] in order, the first being start/end: repeats
    # of a long call are one pattern (agents.reasoning.extraction.merge, issue 13).
    occurrences = models.JSONField(default=list, blank=True)
    embedding = models.BinaryField(null=True, blank=True, editable=False)  # float32 × EMBEDDING_DIMENSIONS
    # A manager hid a wrong pattern: never used for scenarios, judging or feedback again.
    hidden = models.BooleanField(default=False)
    # A manager rewrote the pattern's wording (the original stays in the audit log).
    edited_at = models.DateTimeField(null=True, blank=True)

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
        return embedding_matrix([self.embedding])[0]

    @classmethod
    def from_pattern(cls, pattern: Pattern, *, champion: Champion, position: int) -> ChampionPattern:
        """The row for one of the engine's patterns (rounded as stored; blanks for no value)."""
        return cls(
            champion=champion,
            position=position,
            category=pattern.category,
            text=pattern.text,
            start=round(pattern.start, 3),
            end=round(pattern.end, 3),
            speaker=pattern.speaker or "",
            confidence=round(pattern.confidence, 4),
            responds_to=pattern.responds_to or "",
            occurrences=[
                {"start": round(occurrence["start"], 3), "end": round(occurrence["end"], 3)}
                for occurrence in pattern.occurrences
            ],
        )

    def as_pattern(self) -> Pattern:
        """The engine's dataclass for this row: the one mapping from rows back to patterns. A row
        loaded without its occurrences (:data:`JUDGED_PATTERN_FIELDS`) gives none, rather than
        fetching them back with a query of its own."""
        loaded_occurrences = "occurrences" not in self.get_deferred_fields()
        return Pattern(
            category=self.category,
            text=self.text,
            start=self.start,
            end=self.end,
            speaker=self.speaker or None,
            confidence=self.confidence,
            responds_to=self.responds_to or None,
            occurrences=list(self.occurrences) if loaded_occurrences else [],
        )


# The columns ``ChampionPattern.as_pattern`` reads, for querysets that load nothing else.
PATTERN_FIELDS = ("category", "text", "start", "end", "speaker", "confidence", "responds_to", "occurrences")
# What the judge and the prospect read of a pattern on every reply: not the list of every time
# the move was said, which grows with the call (hundreds of entries on a 2-hour call).
JUDGED_PATTERN_FIELDS = tuple(name for name in PATTERN_FIELDS if name != "occurrences")


def embedding_blob(vector: np.ndarray) -> bytes:
    """A vector as ``ChampionPattern.embedding`` stores it: float32, native byte order."""
    return np.asarray(vector, dtype=np.float32).tobytes()


def embedding_matrix(blobs: Sequence[bytes | memoryview]) -> np.ndarray:
    """Stored embeddings back as one ``(len(blobs), EMBEDDING_DIMENSIONS)`` float32 matrix."""
    return np.frombuffer(b"".join(bytes(blob) for blob in blobs), dtype=np.float32).reshape(
        len(blobs), EMBEDDING_DIMENSIONS
    )


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
