"""The analysis pipeline: the steps that turn an uploaded call into a champion's playbook.

Each step below loads what it needs, calls an engine of ``agents`` and saves its own result.
Every step is idempotent (it overwrites its own result, so a redelivered or re-run step leaves
the same state, no duplicates) and belongs to one analysis run: a step of a superseded run
stops without writing (``runs``).

The package, by responsibility:

- ``steps``: the registry, the one list of steps (name, label, progress share, function);
- ``runner``: runs a step, or a whole run, the same way for the worker, the foreground
  command and the benchmarks;
- ``failure``: how a run that cannot go on is recorded;
- ``runs``: the guards that keep a superseded run from writing;
- ``voice_clone``: the champion's voice at the speech vendor.

The step functions live here, in the package itself, so that ``champions.pipeline.<engine>``
is the one name each step calls an engine by (the tests stand in for an engine there).
"""

from __future__ import annotations

from dataclasses import asdict

import numpy as np
import structlog
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from agents.audio.decode import DecodeLimitExceeded, DecodeLimits, decode_audio
from agents.audio.source import audio_source
from agents.audio.speakers import assign_speakers
from agents.audio.voice import call_metrics, level_and_pitch, transcribed_share, voice_profile
from agents.providers.embeddings import get_embedder
from agents.providers.transcription import get_transcriber
from agents.reasoning import get_reasoner
from agents.reasoning.extraction.merge import merge_near_duplicates
from agents.types import CallMetrics, ScenarioSpec, VoiceProfile
from champions import storage
from champions.models import EMBEDDING_DIMENSIONS, Champion, ChampionPattern, Scenario, embedding_blob
from champions.pipeline.runs import Superseded, lock_current, save_if_current
from champions.pipeline.voice_clone import clone_voice
from champions.selectors import champion_patterns
from champions.vector_index import get_vector_index, index_items_for
from core import events

__all__ = [
    "NoSpeechFound",
    "RecordingOverLimit",
    "Superseded",
    "analyse_voice",
    "champion_call_metrics",
    "decode",
    "embed_and_index",
    "extract_patterns",
    "finish",
    "generate_scenarios",
    "scenario_fields",
    "transcribe",
]

logger = structlog.get_logger(__name__)


class NoSpeechFound(Exception):
    """The recording holds too little recognisable speech to learn anything from."""


# Below these, a recording is silence, music, noise or speech the model cannot follow, not a
# sales call: failing with a reason beats a "ready" champion with an empty playbook. (A real
# call runs at 120-180 words a minute; Whisper hears a "you" or two in pure silence.)
MIN_WORDS = 5
MIN_WORDS_PER_MINUTE = 20.0


class RecordingOverLimit(Exception):
    """The recording passed a decode limit: longer than ``CHAMPION_MAX_DURATION_SECONDS`` once
    decoded (whatever its header declared), or more audio than its size can hold."""


def decode(champion: Champion) -> None:
    """The recording decoded to the WAV every later step reads, its length what was decoded;
    past the limit the decode stops, leaving no WAV, and the run fails with the reason."""
    relative = storage.audio_name_for(champion.pk, champion.owner_id)
    limits = DecodeLimits(max_seconds=settings.CHAMPION_MAX_DURATION_SECONDS)
    try:
        decoded = decode_audio(storage.media_path(champion.recording), storage.media_path(relative), limits=limits)
    except DecodeLimitExceeded as exc:
        raise RecordingOverLimit(exc.reason) from None
    champion.audio_file, champion.duration_seconds = relative, round(decoded.duration, 3)
    try:
        save_if_current(champion, ["audio_file", "duration_seconds"])
    except Superseded:
        # Deleted while decoding: nothing else will remove the file. (Re-analysed instead, the
        # new run writes the same path, so the file is left to it.)
        if not Champion.objects.filter(pk=champion.pk).exists():
            storage.remove_files(relative)
        raise


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
    # The upload's context (company, product and people's names): the names come out spelled
    # as the user spells them (OpenAI's Whisper also gets it as its prompt).
    transcript = transcriber.transcribe(storage.media_path(champion.audio_file), prompt=champion.context)
    _check_speech_found(len(transcript.text.split()), champion.duration_seconds, transcriber.name)
    champion.set_transcript(transcript)
    champion.transcription_engine = transcriber.name
    save_if_current(champion, ["transcription_engine"], transcript=transcript)


def analyse_voice(champion: Champion) -> None:
    """Who speaks when (champion or the other party), then the champion's voice and metrics."""
    # Read from the WAV a stretch at a time by every engine: a long call is never in memory
    # whole (issue 13); level and pitch are measured once, by the speaker attribution.
    audio = audio_source(storage.media_path(champion.audio_file))
    attribution = assign_speakers(
        champion.parsed_transcript,
        audio,
        champion_speaks_most=champion.champion_speaker == Champion.ChampionSpeaker.MOST_SPEAKING_TIME,
    )
    transcript = attribution.transcript
    speaker = "champion" if attribution.speakers_found > 1 else None
    metrics = call_metrics(transcript, speaker=speaker)
    # Level and pitch per hop, when the speakers came from the vendor and were not measured.
    hops = attribution.hops or level_and_pitch(audio)
    profile = voice_profile(audio, transcript, speaker=speaker, hops=hops)
    champion.set_transcript(transcript)
    champion.voice_profile = asdict(profile)
    champion.call_metrics = {
        **asdict(metrics),
        "speakers_found": attribution.speakers_found,
        "transcribed_share": round(transcribed_share(audio, transcript, energy=hops[0]), 3),
    }
    save_if_current(champion, ["voice_profile", "call_metrics"], transcript=transcript)
    clone_voice(champion, audio, transcript, speaker)


def champion_call_metrics(champion: Champion) -> CallMetrics:
    """The call's metrics as the engines take them (the fields the dataclass knows)."""
    known = set(CallMetrics.__dataclass_fields__)
    return CallMetrics(**{k: v for k, v in champion.call_metrics.items() if k in known})


def extract_patterns(champion: Champion) -> None:
    reasoner = get_reasoner()
    # Either engine's playbook lists a repeated move once, with every time it was said (issue 13).
    patterns = merge_near_duplicates(reasoner.extract_patterns(champion.parsed_transcript), embedder=get_embedder())
    tone = reasoner.describe_tone(champion_call_metrics(champion), VoiceProfile(**champion.voice_profile))
    with transaction.atomic():
        lock_current(champion)
        # Replace, never append: a re-run step leaves exactly one set of patterns.
        champion.patterns.all().delete()
        ChampionPattern.objects.bulk_create(
            ChampionPattern.from_pattern(pattern, champion=champion, position=position)
            for position, pattern in enumerate(patterns)
        )
        champion.tone, champion.reasoning_engine = tone, reasoner.name
        save_if_current(champion, ["tone", "reasoning_engine"])


def embed_and_index(champion: Champion) -> None:
    patterns = list(champion.patterns.order_by("position"))
    vectors = (
        get_embedder().embed([p.text for p in patterns])
        if patterns
        else np.zeros((0, EMBEDDING_DIMENSIONS), np.float32)
    )
    with transaction.atomic():
        lock_current(champion)
        for pattern, vector in zip(patterns, vectors, strict=True):
            pattern.embedding = embedding_blob(vector)
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
    specs = get_reasoner().generate_scenarios(
        champion_patterns(champion_id=champion.pk), champion.parsed_transcript, champion_call_metrics(champion)
    )
    with transaction.atomic():
        lock_current(champion)
        champion.scenarios.all().delete()
        Scenario.objects.bulk_create(
            Scenario(champion=champion, position=position, **scenario_fields(spec))
            for position, spec in enumerate(specs)
        )


def scenario_fields(spec: ScenarioSpec) -> dict[str, object]:
    """A scenario row's fields from the engine's spec: the one mapping, for this step and for
    the scenarios rebuilt after a pattern edit (``champions.team_services``)."""
    return {
        "title": spec.title[:200],
        "persona": spec.persona,
        "context": spec.context,
        "goal": spec.goal,
        "difficulty": spec.difficulty,
        "objections": [asdict(objection) for objection in spec.objections],
    }


def finish(champion: Champion) -> None:
    with transaction.atomic():
        lock_current(champion)
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
