"""Every write to champions: upload, analysis requests, deletion. The pipeline's step
writes are in ``champions.pipeline``; its work is started by the tasks' registered names
(``core.tasks``), so this module imports no task."""

from __future__ import annotations

import os
import tempfile
import unicodedata
import uuid
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from agents.audio.decode import (
    DecodeLimits,
    DecodeTooSlow,
    MediaInfo,
    RecordingTooLong,
    UnreadableMedia,
    measure_audio,
)
from champions import signals, storage
from champions.models import Champion
from champions.pipeline.runner import analysis_run
from champions.pipeline.steps import PipelineStep
from champions.pipeline.voice_clone import voice_clone_delete_later
from champions.vector_index import get_vector_index
from core import events, ops
from core.errors import Conflict, InvalidInput
from core.tasks import enqueue_on_commit
from teams.selectors import managed_team

# The upload's description of the call (Champion.context), as the model allows.
UPLOAD_CONTEXT_CHARS = 1000

REANALYZABLE = (Champion.Status.UPLOADED, Champion.Status.READY, Champion.Status.FAILED)


# The time an upload's check may spend decoding it, in the web request: below gunicorn's 30 s
# worker timeout, and over twice what the slowest common format needs for a 2 h recording
# (measured on a busy 2-core machine: MP3 44.1 kHz stereo 14 s, Opus 15 s, AAC 10 s).
UPLOAD_DECODE_SECONDS = 20.0


def _refused(message: str) -> InvalidInput:
    return InvalidInput(message, fields={"file": [message]})


def _probe_upload(path: str, display_name: str) -> MediaInfo:
    """The upload's audio, decoded to the end (nothing kept) and measured: its length is what
    decodes, never what its header declares, and decoding stops at the first limit passed."""
    if os.path.getsize(path) == 0:
        raise _refused("The file is empty.")
    limit = settings.CHAMPION_MAX_DURATION_SECONDS
    budget = getattr(settings, "CHAMPION_UPLOAD_DECODE_SECONDS", UPLOAD_DECODE_SECONDS)
    try:
        info = measure_audio(path, limits=DecodeLimits(max_seconds=limit, max_wall_seconds=budget))
    except RecordingTooLong as exc:
        lasts = f"{exc.seconds / 3600:.1f} h" if exc.declared else f"more than {limit / 3600:g} h"
        raise _refused(f"The recording lasts {lasts}; the limit is {limit / 3600:g} h.") from None
    except DecodeTooSlow:
        raise _refused(
            f"{display_name} could not be checked: decoding its audio took longer than {budget:g} s "
            "(a recording within the limit decodes faster)."
        ) from None
    except UnreadableMedia as exc:
        # The engine's message names the temporary file; the user knows their own file name.
        reason = str(exc).split(": ", 1)[-1]
        raise _refused(f"{display_name} is not a usable recording: {reason}.") from None
    if info.duration < settings.CHAMPION_MIN_DURATION_SECONDS:
        raise _refused(
            f"The recording lasts {info.duration:.1f} s; a sales call to learn from lasts at least "
            f"{settings.CHAMPION_MIN_DURATION_SECONDS:g} s."
        )
    return info


def upload_context(text: str) -> str:
    """What the uploader says of the call, as stored: control and format characters (a bidi
    override, a NUL) become spaces, runs of spaces one, at most ``UPLOAD_CONTEXT_CHARS``."""
    cleaned = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in text or "")
    return " ".join(cleaned.split())[:UPLOAD_CONTEXT_CHARS]


def champion_create_from_upload(
    *,
    owner: User,
    uploaded_file: UploadedFile,
    name: str = "",
    champion_speaker: str = Champion.ChampionSpeaker.MOST_SPEAKING_TIME,
    team_id: int | None = None,
    context: str = "",
) -> Champion:
    """Checks the upload by decoding it, moves it to private media under a server-made name
    and creates the champion: personal, or a draft of ``team_id``, which ``owner`` must manage
    (checked first: a refused upload is never decoded). A refused upload leaves no file and no
    row behind."""
    team = managed_team(owner, team_id) if team_id is not None else None
    display_name = Path(uploaded_file.name or "upload").name[:255]
    own_temp: str | None = None
    if hasattr(uploaded_file, "temporary_file_path"):
        source_path = uploaded_file.temporary_file_path()
    else:  # a small in-memory upload (tests, tiny files): spill it to disk for the decoder
        handle, own_temp = tempfile.mkstemp(prefix="champion-upload-")
        with os.fdopen(handle, "wb") as out:
            for chunk in uploaded_file.chunks():
                out.write(chunk)
        source_path = own_temp
    try:
        info = _probe_upload(source_path, display_name)
        relative = storage.new_recording_name(owner.pk, info.container_format)
        storage.store_recording(source_path, relative)
    finally:
        if own_temp:
            os.unlink(own_temp)
    try:
        with transaction.atomic():
            champion = Champion.objects.create(
                owner=owner,
                team=team,
                context=upload_context(context),
                name=(name.strip() or Path(display_name).stem)[:200],
                recording=relative,
                original_filename=display_name,
                size_bytes=uploaded_file.size or storage.media_path(relative).stat().st_size,
                container_format=info.container_format,
                has_video=info.has_video,
                duration_seconds=round(info.duration, 3),
                champion_speaker=champion_speaker,
            )
            events.publish(
                events.CHAMPION_CREATED,
                data={"champion_id": champion.pk, "name": champion.name, "duration_seconds": champion.duration_seconds},
                user_id=owner.pk,
                resource_type="champion",
                resource_id=champion.pk,
            )
    except BaseException:
        storage.remove_files(relative)
        raise
    return champion


def _analysis_claim(champion: Champion) -> uuid.UUID:
    """Starts a new analysis run with a conditional UPDATE, so that two requests cannot both
    start one; a champion already queued or processing is a conflict."""
    run_id = uuid.uuid4()
    claimed = Champion.objects.filter(pk=champion.pk, status__in=REANALYZABLE).update(
        status=Champion.Status.QUEUED,
        step="",
        progress=0,
        error="",
        analysis_run=run_id,
        step_started_at=None,
        step_attempts=0,
        analysis_started_at=timezone.now(),
        updated_at=timezone.now(),
    )
    if not claimed:
        raise Conflict("This champion is already being analysed.")
    champion.refresh_from_db()
    return run_id


@transaction.atomic
def champion_analysis_request(*, champion: Champion, requested_by: User | None = None) -> Champion:
    """Queues the pipeline on the Celery workers, after commit. A request by staff (the
    admin's "re-run analysis") is written to the audit log."""
    previous_status = champion.status
    run_id = _analysis_claim(champion)
    if requested_by is not None and requested_by.pk != champion.owner_id:
        ops.audit_record(
            champion, action="CHAMPION_REANALYZE", changes={"status": [previous_status, Champion.Status.QUEUED]}
        )
    # On the pipeline queue the run's steps follow (a test worker's own queue, in tests).
    enqueue_on_commit(
        "champions.tasks.start_analysis", champion.pk, str(run_id), queue=settings.CHAMPION_PIPELINE_QUEUE
    )
    return champion


def champion_analysis_run_here(
    *, champion: Champion, on_step: Callable[[PipelineStep], None] | None = None
) -> Champion:
    """Runs the whole pipeline in this process (operators' ``analyze_champion``, the demo, the
    benchmarks), with the worker's runner; ``on_step`` hears of each step as it starts."""
    with transaction.atomic():
        run_id = str(_analysis_claim(champion))
    analysis_run(champion.pk, run_id, on_step=on_step)
    champion.refresh_from_db()
    return champion


@transaction.atomic
def champion_delete(*, champion: Champion) -> None:
    """Removes the rows (its practice sessions go with it), then, after commit, the files (the
    recording and the sessions' audio), the vectors and the voice clone.

    A champion under analysis may be deleted too: its remaining steps find it gone and stop
    (``pipeline.Superseded``), removing what they had written meanwhile.
    """
    files = [champion.recording, champion.audio_file]
    for _receiver, their_files in signals.champion_deleting.send(sender=Champion, champion=champion):
        files.extend(their_files)
    champion_id = champion.pk
    voice_clone_id = champion.voice_clone_id
    champion.delete()
    if voice_clone_id:
        voice_clone_delete_later(voice_clone_id)

    def cleanup() -> None:
        get_vector_index().delete_champion(champion_id)
        storage.remove_files(*files)

    transaction.on_commit(cleanup)
