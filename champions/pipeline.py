"""The analysis pipeline's steps: each loads what it needs, calls an engine of ``agents``,
and saves its own result. Every step is idempotent (it overwrites its own result, so a
redelivered or re-run step leaves the same state, no duplicates) and belongs to one
analysis run: a step of a superseded run stops without writing.

The Celery tasks that run these steps, and their chain, are in ``champions.tasks``.
"""

from __future__ import annotations

import tempfile
import traceback
import uuid
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import numpy as np
import structlog
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from agents.audio.decode import TARGET_SAMPLE_RATE, decode_audio, load_audio, write_wav
from agents.audio.speakers import assign_speakers
from agents.audio.voice import call_metrics, speaker_sample, transcribed_share, voice_profile
from agents.providers.embeddings import get_embedder
from agents.providers.errors import ProviderError
from agents.providers.speech import get_voice_cloner
from agents.providers.transcription import get_transcriber
from agents.reasoning import get_reasoner
from agents.types import CallMetrics, Pattern, Transcript, VoiceProfile, transcript_from_dict, transcript_to_dict
from champions import storage
from champions.models import EMBEDDING_DIMENSIONS, Champion, ChampionPattern, Scenario
from champions.vector_index import get_vector_index, index_items_for
from core import events, ops

logger = structlog.get_logger(__name__)

Step = Champion.Step

# Progress reached when each step starts, and when the whole analysis ends (100).
PROGRESS_AT_START = {
    Step.DECODE: 2,
    Step.TRANSCRIBE: 10,
    Step.VOICE: 55,
    Step.PATTERNS: 65,
    Step.INDEX: 80,
    Step.SCENARIOS: 90,
    Step.FINISH: 97,
}
STEP_ORDER = list(PROGRESS_AT_START)
# Less of the champion's own speech than this makes a poor clone: keep the stock voice.
VOICE_CLONE_MIN_SECONDS = 10.0


class Superseded(Exception):
    """The champion was re-analysed, deleted or is no longer in this run: stop quietly."""


def step_begin(champion_id: int, run_id: str, step: str) -> Champion:
    """Claims the step for this run with one conditional UPDATE and returns the champion."""
    claimed = Champion.objects.filter(
        pk=champion_id, analysis_run=uuid.UUID(run_id), status__in=(Champion.Status.QUEUED, Champion.Status.PROCESSING)
    ).update(
        status=Champion.Status.PROCESSING,
        step=step,
        progress=PROGRESS_AT_START[step],
        step_started_at=timezone.now(),
        step_attempts=F("step_attempts") + 1,
        updated_at=timezone.now(),
    )
    if not claimed:
        raise Superseded(f"champion {champion_id} is not in run {run_id}")
    return Champion.objects.get(pk=champion_id)


def _save_if_current(champion: Champion, fields: list[str]) -> None:
    updated = Champion.objects.filter(pk=champion.pk, analysis_run=champion.analysis_run).update(
        **{field: getattr(champion, field) for field in fields}, updated_at=timezone.now()
    )
    if not updated:
        raise Superseded(f"champion {champion.pk} changed run during {champion.step}")


def _lock_current(champion: Champion) -> None:
    """Inside a transaction: lock the row, and stop if the run changed meanwhile."""
    current = Champion.objects.select_for_update().filter(pk=champion.pk).values_list("analysis_run", flat=True).first()
    if current != champion.analysis_run:
        raise Superseded(f"champion {champion.pk} changed run")


def decode(champion: Champion) -> None:
    relative = storage.audio_name_for(champion.pk, champion.owner_id)
    decoded = decode_audio(storage.media_path(champion.recording), storage.media_path(relative))
    champion.audio_file, champion.duration_seconds = relative, round(decoded.duration, 3)
    try:
        _save_if_current(champion, ["audio_file", "duration_seconds"])
    except Superseded:
        # Deleted while decoding: nothing else will remove the file. (Re-analysed instead, the
        # new run writes the same path, so the file is left to it.)
        if not Champion.objects.filter(pk=champion.pk).exists():
            storage.remove_files(relative)
        raise


class NoSpeechFound(Exception):
    """The recording holds too little recognisable speech to learn anything from."""


# Below these, a recording is silence, music, noise or speech the model cannot follow, not a
# sales call: failing with a reason beats a "ready" champion with an empty playbook. (A real
# call runs at 120-180 words a minute; Whisper hears a "you" or two in pure silence.)
MIN_WORDS = 5
MIN_WORDS_PER_MINUTE = 20.0


def _check_speech_found(words: int, duration_seconds: float, engine: str) -> None:
    minutes = max(duration_seconds, 1.0) / 60
    if words >= MIN_WORDS and (duration_seconds < 30 or words / minutes >= MIN_WORDS_PER_MINUTE):
        return
    hint = " The offline transcription understands English only." if engine == "faster-whisper" else ""
    raise NoSpeechFound(
        f"too little speech was recognised ({words} word{'' if words == 1 else 's'} in {duration_seconds:.0f} s) "
        "to learn from this "
        f"recording. Check that it holds the call's audio.{hint}"
    )


def transcribe(champion: Champion) -> None:
    transcriber = get_transcriber()
    transcript = transcriber.transcribe(storage.media_path(champion.audio_file))
    _check_speech_found(len(transcript.text.split()), champion.duration_seconds, transcriber.name)
    champion.transcript = transcript_to_dict(transcript)
    champion.transcript_text = transcript.text
    champion.transcription_engine = transcriber.name
    _save_if_current(champion, ["transcript", "transcript_text", "transcription_engine"])


def analyse_voice(champion: Champion) -> None:
    """Who speaks when (champion or the other party), then the champion's voice and metrics."""
    samples = load_audio(storage.media_path(champion.audio_file))  # read once for both engines
    attribution = assign_speakers(
        transcript_from_dict(champion.transcript),
        samples,
        champion_speaks_most=champion.champion_speaker == Champion.ChampionSpeaker.MOST_SPEAKING_TIME,
    )
    transcript = attribution.transcript
    speaker = "champion" if attribution.speakers_found > 1 else None
    metrics = call_metrics(transcript, speaker=speaker)
    profile = voice_profile(samples, transcript, speaker=speaker)
    champion.transcript = transcript_to_dict(transcript)
    champion.voice_profile = asdict(profile)
    champion.call_metrics = {
        **asdict(metrics),
        "speakers_found": attribution.speakers_found,
        "transcribed_share": round(transcribed_share(samples, transcript), 3),
    }
    _save_if_current(champion, ["transcript", "voice_profile", "call_metrics"])
    _clone_voice(champion, samples, transcript, speaker)


def _clone_voice(champion: Champion, samples: np.ndarray, transcript: Transcript, speaker: str | None) -> None:
    """With a speech vendor key, clone the champion's voice from their own turns in the call.

    Optional to the analysis: a vendor that refuses (no cloning on the plan, a revoked key, an
    outage its SDK's retries did not ride out) leaves the stock voice and one staff alert, and
    the analysis goes on. A re-run replaces the clone and deletes the previous one.
    """
    cloner = get_voice_cloner()
    if cloner is None:
        return
    sample = speaker_sample(samples, transcript, speaker=speaker)
    if sample.size < VOICE_CLONE_MIN_SECONDS * TARGET_SAMPLE_RATE:
        logger.info("champion_voice_clone_skipped", champion_id=champion.pk, seconds=sample.size / TARGET_SAMPLE_RATE)
        return
    with tempfile.TemporaryDirectory(prefix="voice-sample-") as scratch:
        sample_path = write_wav(Path(scratch) / "champion.wav", sample, TARGET_SAMPLE_RATE)
        try:
            voice_id = cloner.clone_voice(
                f"Champion Clone {champion.pk}: {champion.name}"[:100],
                [sample_path],
                description="Cloned from the champion's own turns in an uploaded sales call.",
            )
        except ProviderError as exc:
            logger.warning("champion_voice_clone_failed", champion_id=champion.pk, error=str(exc))
            ops.alert_raise(
                type="champion.voice_clone_failed",
                severity=ops.AlertSeverity.WARNING,
                message=(
                    f"{exc.provider or 'The speech vendor'} did not clone champion {champion.pk}'s voice, "
                    f"so its reference phrases use a stock voice: {str(exc)[:500]}"
                ),
                resource_type="vendor",
                resource_id=exc.provider,
            )
            return
    previous = champion.voice_clone_id
    champion.voice_clone_id = voice_id
    try:
        _save_if_current(champion, ["voice_clone_id"])
    except Superseded:
        voice_clone_delete_later(voice_id)  # made for a run that no longer exists
        raise
    if previous and previous != voice_id:
        voice_clone_delete_later(previous)


def voice_clone_delete_later(voice_id: str) -> None:
    """Delete a voice clone at the vendor, after commit and off the request: a light task that
    retries while the vendor is unreachable."""
    from champions.tasks import delete_voice_clone

    transaction.on_commit(lambda: delete_voice_clone.delay(voice_id))


def _metrics_of(champion: Champion) -> CallMetrics:
    known = set(CallMetrics.__dataclass_fields__)
    return CallMetrics(**{k: v for k, v in champion.call_metrics.items() if k in known})


def extract_patterns(champion: Champion) -> None:
    reasoner = get_reasoner()
    transcript = transcript_from_dict(champion.transcript)
    patterns: list[Pattern] = reasoner.extract_patterns(transcript)
    tone = reasoner.describe_tone(_metrics_of(champion), VoiceProfile(**champion.voice_profile))
    with transaction.atomic():
        _lock_current(champion)
        # Replace, never append: a re-run step leaves exactly one set of patterns.
        champion.patterns.all().delete()
        ChampionPattern.objects.bulk_create(
            ChampionPattern(
                champion=champion,
                position=position,
                category=pattern.category,
                text=pattern.text,
                start=round(pattern.start, 3),
                end=round(pattern.end, 3),
                speaker=pattern.speaker or "",
                confidence=round(pattern.confidence, 4),
                responds_to=pattern.responds_to or "",
            )
            for position, pattern in enumerate(patterns)
        )
        champion.tone, champion.reasoning_engine = tone, reasoner.name
        _save_if_current(champion, ["tone", "reasoning_engine"])


def embed_and_index(champion: Champion) -> None:
    patterns = list(champion.patterns.order_by("position"))
    vectors = (
        get_embedder().embed([p.text for p in patterns])
        if patterns
        else np.zeros((0, EMBEDDING_DIMENSIONS), np.float32)
    )
    with transaction.atomic():
        _lock_current(champion)
        for pattern, vector in zip(patterns, vectors, strict=True):
            pattern.embedding = np.asarray(vector, dtype=np.float32).tobytes()
        ChampionPattern.objects.bulk_update(patterns, ["embedding"], batch_size=200)
    # The index is replaced as a whole for this champion: re-running adds no duplicate point.
    index = get_vector_index()
    index.replace_champion(champion.pk, index_items_for(champion.pk))
    if not Champion.objects.filter(pk=champion.pk).exists():
        # Deleted while indexing: the delete's own cleanup may have run before these points
        # were written.
        index.delete_champion(champion.pk)
        raise Superseded(f"champion {champion.pk} was deleted")


def generate_scenarios(champion: Champion) -> None:
    patterns = [
        Pattern(
            category=p.category,
            text=p.text,
            start=p.start,
            end=p.end,
            speaker=p.speaker or None,
            confidence=p.confidence,
            responds_to=p.responds_to or None,
        )
        for p in champion.patterns.order_by("position")
    ]
    specs = get_reasoner().generate_scenarios(
        patterns, transcript_from_dict(champion.transcript), _metrics_of(champion)
    )
    with transaction.atomic():
        _lock_current(champion)
        champion.scenarios.all().delete()
        Scenario.objects.bulk_create(
            Scenario(
                champion=champion,
                position=position,
                title=spec.title[:200],
                persona=spec.persona,
                context=spec.context,
                goal=spec.goal,
                difficulty=spec.difficulty,
                objections=[asdict(objection) for objection in spec.objections],
            )
            for position, spec in enumerate(specs)
        )


def finish(champion: Champion) -> None:
    with transaction.atomic():
        _lock_current(champion)
        now = timezone.now()
        Champion.objects.filter(pk=champion.pk).update(
            status=Champion.Status.READY,
            progress=100,
            step="",
            analyzed_at=now,
            error="",
            updated_at=now,
        )
        events.publish(
            events.CHAMPION_ANALYZED,
            data={
                "champion_id": champion.pk,
                "name": champion.name,
                "patterns": champion.patterns.count(),
                "scenarios": champion.scenarios.count(),
                "duration_seconds": champion.duration_seconds,
            },
            user_id=champion.owner_id,
            resource_type="champion",
            resource_id=champion.pk,
        )


STEPS: dict[str, Callable[[Champion], None]] = {
    Step.DECODE: decode,
    Step.TRANSCRIBE: transcribe,
    Step.VOICE: analyse_voice,
    Step.PATTERNS: extract_patterns,
    Step.INDEX: embed_and_index,
    Step.SCENARIOS: generate_scenarios,
    Step.FINISH: finish,
}


def run_step(champion_id: int, run_id: str, step: str) -> None:
    champion = step_begin(champion_id, run_id, step)
    started = timezone.now()
    STEPS[step](champion)
    logger.info(
        "champion_step_done",
        champion_id=champion_id,
        step=step,
        seconds=round((timezone.now() - started).total_seconds(), 2),
    )


def readable_error(step: str, exc: BaseException) -> str:
    label = Champion.Step(step).label if step in Champion.Step.values else step
    detail = str(exc).strip() or type(exc).__name__
    return f"{label} failed: {detail}"[:2000]


@transaction.atomic
def analysis_fail(champion_id: int, run_id: str, step: str, exc: BaseException) -> bool:
    """Marks the run failed with a readable error and publishes ``champion.failed``
    (the operations app records it in the ErrorLog). False if the run was superseded."""
    message = readable_error(step, exc)
    champion = Champion.objects.select_for_update().filter(pk=champion_id, analysis_run=uuid.UUID(run_id)).first()
    if champion is None:
        return False
    Champion.objects.filter(pk=champion_id).update(
        status=Champion.Status.FAILED, error=message, step=step, updated_at=timezone.now()
    )
    events.publish(
        events.CHAMPION_FAILED,
        data={
            "champion_id": champion_id,
            "name": champion.name,
            "step": step,
            "error": message,
            "error_type": type(exc).__name__,
            "stack_trace": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))[-20_000:],
        },
        user_id=champion.owner_id,
        resource_type="champion",
        resource_id=champion_id,
    )
    return True
