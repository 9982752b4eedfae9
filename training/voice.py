"""Voice practice: a spoken reply is transcribed by the pipeline's transcription provider;
the prospect's line and the champion's reference phrase can be returned as speech.

Files live in private media (``training/<user>/<session>/...``) and are served only to the
session's user (the ``audio`` action of ``training.api.views.TrainingSessionViewSet``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from agents.audio.decode import DecodeLimits, RecordingTooLong, UnreadableMedia, decode_audio
from agents.providers.speech import PROSPECT_VOICE, VoiceSettings, get_synthesizer, voice_settings_from_profile
from agents.providers.transcription import get_transcriber
from agents.types import DecodedAudio, VoiceProfile
from champions.storage import media_path
from core.errors import InvalidInput
from training.models import TrainingSession

MAX_REPLY_SECONDS = 180
# The time a reply may spend decoding in the web request: a 3-minute reply decodes in under a
# second in the slowest common format (MP3), so only a file built to be slow takes longer.
REPLY_DECODE_SECONDS = 5.0


@dataclass(frozen=True)
class SpokenReply:
    text: str
    audio_file: str  # relative to MEDIA_ROOT
    seconds: float


def _folder(session: TrainingSession) -> str:
    return f"training/{session.user_id}/{session.pk}"


def _decoded_reply(source: str, relative: str) -> DecodedAudio:
    """The reply decoded to its WAV, stopping as soon as it passes ``MAX_REPLY_SECONDS`` of
    decoded audio (whatever its header declares), the size-to-audio bound or the time budget."""
    budget = getattr(settings, "TRAINING_REPLY_DECODE_SECONDS", REPLY_DECODE_SECONDS)
    try:
        return decode_audio(
            source, media_path(relative), limits=DecodeLimits(max_seconds=MAX_REPLY_SECONDS, max_wall_seconds=budget)
        )
    except RecordingTooLong:
        message = f"A spoken reply may last {MAX_REPLY_SECONDS} s at most."
        raise InvalidInput(message, fields={"audio": [message]}) from None
    except UnreadableMedia as exc:
        message = f"The audio reply is not a usable recording: {str(exc).split(': ', 1)[-1]}."
        raise InvalidInput(message, fields={"audio": [message]}) from None


def transcribe_reply(session: TrainingSession, audio: UploadedFile) -> SpokenReply:
    """Checks the upload by decoding it, keeps it privately, and transcribes it."""
    handle, temp_path = tempfile.mkstemp(prefix="reply-")
    with os.fdopen(handle, "wb") as out:
        for chunk in audio.chunks():
            out.write(chunk)
    relative = f"{_folder(session)}/{uuid.uuid4().hex}.wav"
    try:
        decoded = _decoded_reply(temp_path, relative)
    finally:
        os.unlink(temp_path)
    try:
        text = get_transcriber().transcribe(media_path(relative)).text.strip()
    except Exception:
        media_path(relative).unlink(missing_ok=True)  # a failed request keeps no recording
        raise
    if not text:
        media_path(relative).unlink(missing_ok=True)
        raise InvalidInput("No speech was recognised in the audio reply.", fields={"audio": ["No speech recognised."]})
    return SpokenReply(text=text, audio_file=relative, seconds=round(decoded.duration, 2))


def prospect_voice(champion_voice: VoiceSettings) -> VoiceSettings:
    """A voice distinct from the champion's: the other gender of the offline engine."""
    gender = "male" if champion_voice.gender == "female" else "female"
    return VoiceSettings(gender=gender, rate_wpm=PROSPECT_VOICE.rate_wpm)


def champion_voice_for(voice_profile: dict, *, voice_clone_id: str = "") -> VoiceSettings:
    """The champion's voice: their clone at the speech vendor when one was made, with pitch
    and rate from their profile for the offline engines."""
    known = set(VoiceProfile.__dataclass_fields__)
    if not voice_profile or not known <= set(voice_profile):
        return VoiceSettings(voice_id=voice_clone_id or None)
    profile = VoiceProfile(**{k: voice_profile[k] for k in known})
    return voice_settings_from_profile(profile, voice_id=voice_clone_id or None)


def speak(session: TrainingSession, text: str, voice: VoiceSettings) -> str:
    relative = f"{_folder(session)}/{uuid.uuid4().hex}.wav"
    destination = media_path(relative)
    destination.parent.mkdir(parents=True, exist_ok=True)
    produced = Path(get_synthesizer().synthesize(text, voice, destination))
    if produced != destination:
        shutil.move(produced, destination)
    return relative
