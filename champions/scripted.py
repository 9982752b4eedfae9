"""A champion analysed from a labelled script's text, without audio: for the training
benchmark and the tests (the audio steps are measured by ``bench_pipeline``)."""

from __future__ import annotations

import uuid
from dataclasses import asdict, replace

from accounts.models import User
from agents.audio.voice import call_metrics
from agents.scripts import load_script, transcript_from_script
from agents.types import Transcript
from champions.models import Champion
from champions.pipeline.runner import analysis_run
from champions.transcripts import store_transcript


def looped(transcript: Transcript, minutes: float) -> Transcript:
    """``transcript`` repeated, each copy shifted in time, until it lasts ``minutes``: a long
    call for the benchmarks (the same moves recur, as in a long real call)."""
    segments, offset = [], 0.0
    while offset < minutes * 60:
        for segment in transcript.segments:
            words = [replace(w, start=w.start + offset, end=w.end + offset) for w in segment.words]
            segments.append(replace(segment, start=segment.start + offset, end=segment.end + offset, words=words))
        offset += transcript.duration + 1.0
    return replace(transcript, segments=segments, duration=offset - 1.0)


def champion_from_script(
    owner: User, script_name: str = "saas_helpdesk", *, call_minutes: float | None = None
) -> Champion:
    """A ready champion analysed from a labelled script's text (no audio): the real pattern,
    index and scenario steps of the pipeline, on a transcript built from the script (looped
    to ``call_minutes`` when given). Raises if the analysis fails: the benchmark and the tests
    need a ready champion."""
    transcript = transcript_from_script(load_script(script_name))
    if call_minutes:
        transcript = looped(transcript, call_minutes)
    champion = Champion.objects.create(
        owner=owner,
        name=f"{script_name} champion",
        recording=f"recordings/{owner.pk}/{script_name}.mp4",
        status=Champion.Status.PROCESSING,
        analysis_run=uuid.uuid4(),
        duration_seconds=transcript.duration,
        call_metrics=asdict(call_metrics(transcript, speaker="champion")),
        voice_profile={
            "pitch_median_hz": 120.0,
            "pitch_range_hz": 60.0,
            "energy_mean_db": -20.0,
            "words_per_minute": 160.0,
            "pause_ratio": 0.2,
        },
    )
    store_transcript(champion.pk, transcript)
    # The pipeline's own runner, from the first step that reads the transcript alone.
    analysis_run(champion.pk, str(champion.analysis_run), from_step="patterns")
    champion.refresh_from_db()
    if champion.status != Champion.Status.READY:
        raise RuntimeError(f"The scripted champion failed: {champion.error}")
    return champion
