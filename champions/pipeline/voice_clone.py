"""The champion's voice cloned at the speech vendor (ElevenLabs, with a key) from their own
turns in the call, and the deletion of clones that no longer belong to a champion."""

from __future__ import annotations

import tempfile
from pathlib import Path

import structlog

from agents.audio.decode import TARGET_SAMPLE_RATE
from agents.audio.source import AudioSource
from agents.audio.voice import speaker_sample
from agents.audio.wav import write_wav
from agents.providers.errors import ProviderError
from agents.providers.speech import get_voice_cloner
from agents.types import Transcript
from champions.models import Champion
from champions.pipeline.runs import Superseded, save_if_current
from core import ops
from core.tasks import enqueue_on_commit

logger = structlog.get_logger(__name__)

# Less of the champion's own speech than this makes a poor clone: keep the stock voice.
VOICE_CLONE_MIN_SECONDS = 10.0


def clone_voice(champion: Champion, audio: AudioSource, transcript: Transcript, speaker: str | None) -> None:
    """With a speech vendor key, clone the champion's voice from their own turns in the call.

    Optional to the analysis: a vendor that refuses (no cloning on the plan, a revoked key, an
    outage its SDK's retries did not ride out) leaves the stock voice and one staff alert, and
    the analysis goes on. A re-run replaces the clone and deletes the previous one.
    """
    cloner = get_voice_cloner()
    if cloner is None:
        return
    sample = speaker_sample(audio, transcript, speaker=speaker)
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
            _alert_clone_refused(champion, exc)
            return
    previous = champion.voice_clone_id
    champion.voice_clone_id = voice_id
    try:
        save_if_current(champion, ["voice_clone_id"])
    except Superseded:
        voice_clone_delete_later(voice_id)  # made for a run that no longer exists
        raise
    if previous and previous != voice_id:
        voice_clone_delete_later(previous)


def _alert_clone_refused(champion: Champion, exc: ProviderError) -> None:
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


def voice_clone_delete_later(voice_id: str) -> None:
    """Delete a voice clone at the vendor, after commit and off the request: a light task that
    retries while the vendor is unreachable."""
    enqueue_on_commit("champions.tasks.delete_voice_clone", voice_id)
