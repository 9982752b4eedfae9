"""A champion analysed from a labelled script's text, without audio: for the training
benchmark and the tests (the audio steps are measured by ``bench_pipeline``)."""

from __future__ import annotations

import uuid
from dataclasses import asdict

from accounts.models import User
from agents.audio.voice import call_metrics
from agents.scripts import load_script, transcript_from_script
from agents.types import transcript_to_dict
from champions.models import Champion
from champions.pipeline.runner import analysis_run


def champion_from_script(owner: User, script_name: str = "saas_helpdesk") -> Champion:
    """A ready champion analysed from a labelled script's text (no audio): the real pattern,
    index and scenario steps of the pipeline, on a transcript built from the script. Raises
    if the analysis fails: the benchmark and the tests need a ready champion."""
    transcript = transcript_from_script(load_script(script_name))
    champion = Champion.objects.create(
        owner=owner,
        name=f"{script_name} champion",
        recording=f"recordings/{owner.pk}/{script_name}.mp4",
        status=Champion.Status.PROCESSING,
        analysis_run=uuid.uuid4(),
        duration_seconds=transcript.duration,
        transcript=transcript_to_dict(transcript),
        transcript_text=transcript.text,
        call_metrics=asdict(call_metrics(transcript, speaker="champion")),
        voice_profile={
            "pitch_median_hz": 120.0,
            "pitch_range_hz": 60.0,
            "energy_mean_db": -20.0,
            "words_per_minute": 160.0,
            "pause_ratio": 0.2,
        },
    )
    # The pipeline's own runner, from the first step that reads the transcript alone.
    analysis_run(champion.pk, str(champion.analysis_run), from_step="patterns")
    champion.refresh_from_db()
    if champion.status != Champion.Status.READY:
        raise RuntimeError(f"The scripted champion failed: {champion.error}")
    return champion
