"""Spoken turns: a reply typed or spoken (transcribed by ``training.voice``), and the
prospect's line and the champion's reference phrase returned as speech."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile

from accounts.models import User
from agents.providers.errors import ProviderError
from agents.providers.speech import VoiceSettings
from champions import storage
from core import ops
from core.errors import Conflict, NotFound
from training import voice
from training.models import SessionMessage, TrainingSession
from training.services.sessions import RespondResult, session_respond, validate_reply


def session_respond_from_input(
    *, user: User, session_id: int, message: str | None, audio: UploadedFile | None = None, speech: bool = False
) -> RespondResult:
    """A typed or spoken reply; with ``speech`` (or a spoken reply) the prospect's line comes
    back as audio too, and the champion's reference phrase in a voice set from their profile."""
    if audio is None:
        text, input_audio, seconds = validate_reply(message or ""), "", None
    else:
        session = TrainingSession.objects.filter(pk=session_id, user=user).first()
        if session is None:
            raise NotFound("No such training session.")
        if session.status != TrainingSession.Status.ACTIVE or session.outcome:
            raise Conflict(f"This session is {session.outcome or session.status}.")
        spoken = voice.transcribe_reply(session, audio)
        text, input_audio, seconds = spoken.text, spoken.audio_file, spoken.seconds
    try:
        result = session_respond(
            user=user, session_id=session_id, message=text, input_audio=input_audio, audio_seconds=seconds
        )
    except Exception:
        storage.remove_files(input_audio)  # the turn was refused: keep no recording of it
        raise
    if speech or audio is not None:
        _speak_turn(result)
    return result


def _speak_turn(result: RespondResult) -> None:
    """The prospect's line and the champion's reference phrase as speech. Best effort: the turn
    is already saved, so a speech vendor that fails leaves that line without audio (and staff
    with one alert) rather than failing a reply the rep would then send twice."""
    session = result.session
    champion = session.champion
    champion_voice = voice.champion_voice_for(champion.voice_profile, voice_clone_id=champion.voice_clone_id)
    reference = result.trainee_message.champion_reference
    lines: list[tuple[SessionMessage, str, str, VoiceSettings]] = [
        (result.prospect_message, "speech_audio", result.prospect_message.content, voice.prospect_voice(champion_voice))
    ]
    if reference:
        lines.append((result.trainee_message, "reference_audio", reference["text"], champion_voice))
    for message, field, text, speaker in lines:
        try:
            setattr(message, field, voice.speak(session, text, speaker))
        except ProviderError as exc:
            ops.alert_raise(
                type="training.speech_failed",
                severity=ops.AlertSeverity.WARNING,
                message=f"Speech for training replies failed, so some lines have no audio: {str(exc)[:500]}",
                resource_type="vendor",
                resource_id=exc.provider,
            )
            continue
        message.save(update_fields=[field])
