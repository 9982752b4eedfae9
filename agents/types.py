"""Plain data exchanged between the engines and the apps that own the data.

Times are seconds from the start of the recording. Everything here is JSON-friendly through
``dataclasses.asdict`` so that the apps can store it as is.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Word:
    text: str
    start: float
    end: float
    probability: float = 1.0


@dataclass
class Segment:
    id: int
    start: float
    end: float
    text: str
    words: list[Word] = field(default_factory=list)
    # "champion", "other" or None when unknown; set by the speaker step.
    speaker: str | None = None


@dataclass
class Transcript:
    text: str
    language: str
    duration: float
    segments: list[Segment] = field(default_factory=list)


@dataclass(frozen=True)
class DecodedAudio:
    """A recording decoded to 16 kHz mono float32 PCM, written as a WAV file."""

    wav_path: str
    sample_rate: int
    duration: float


@dataclass
class VoiceProfile:
    pitch_median_hz: float
    pitch_range_hz: float
    energy_mean_db: float
    words_per_minute: float
    pause_ratio: float


@dataclass
class CallMetrics:
    duration_seconds: float
    words_per_minute: float
    questions_per_minute: float
    filler_words: int
    filler_words_per_minute: float
    longest_monologue_seconds: float
    talk_ratio: float | None  # the champion's share of speaking time, when turns are known
    question_count: int
    # Which fillers, how often ({"um": 3, "like": 1}): what a coach tells the rep to drop.
    filler_word_counts: dict[str, int] = field(default_factory=dict)


@dataclass
class Pattern:
    """One sales move of the champion (or a buyer objection), located in the recording."""

    category: str  # one of agents.reasoning.categories.CATEGORIES
    text: str
    start: float
    end: float
    speaker: str | None = None
    confidence: float = 1.0
    # For a response to an objection: the objection text it answers.
    responds_to: str | None = None
    # Every time the move was said, ``{"start", "end"}``, the first being ``start``/``end``: a
    # long call repeats itself (agents.reasoning.extraction.merge). Empty until merged.
    occurrences: list[dict[str, float]] = field(default_factory=list)


@dataclass
class Objection:
    text: str
    # The champion's answer to it in the recording, when there is one.
    champion_response: str | None = None
    start: float | None = None


@dataclass
class ScenarioSpec:
    title: str
    persona: str
    context: str
    goal: str
    objections: list[Objection]
    difficulty: str  # "easy" | "medium" | "hard"


def transcript_to_dict(transcript: Transcript) -> dict:
    from dataclasses import asdict

    return asdict(transcript)


def transcript_from_dict(data: dict) -> Transcript:
    """The inverse of ``transcript_to_dict``, for transcripts stored as JSON."""
    segments = [
        Segment(
            id=segment["id"],
            start=segment["start"],
            end=segment["end"],
            text=segment["text"],
            words=[Word(**word) for word in segment.get("words", [])],
            speaker=segment.get("speaker"),
        )
        for segment in data.get("segments", [])
    ]
    return Transcript(
        text=data.get("text", ""),
        language=data.get("language", "en"),
        duration=data.get("duration", 0.0),
        segments=segments,
    )


# --- Training: the prospect's lines and the judge's evaluations -----------------------------------


@dataclass
class ChampionReference:
    """The champion's phrase that a trainee reply is compared with, located in the recording."""

    text: str
    start: float
    end: float
    category: str
    # Index of the pattern in the list given to the judge; the app maps it to its own row id.
    pattern_index: int | None = None


@dataclass
class ReplyEvaluation:
    score: int  # 0-100: the weighted total of the criteria
    criteria: dict[str, int]  # criterion -> 0-100
    weights: dict[str, float]  # criterion -> weight; the weights sum to 1
    feedback: list[str]
    reference: ChampionReference | None
    judge: str  # "offline" | "anthropic": which engine produced this evaluation


@dataclass
class ProspectTurn:
    """The prospect's next line and where the conversation stands after it."""

    text: str
    # Index of the scenario objection on the table after this line; len(objections) once all
    # are handled.
    stage: int
    weak_streak: int  # consecutive weak replies so far
    outcome: str | None = None  # "won" | "lost" once the conversation is over
    moved_on: bool = False  # this line raised the next objection (or agreed to the next step)
