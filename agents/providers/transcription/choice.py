"""Which transcriber the settings ask for."""

from __future__ import annotations

from agents.providers.transcription.base import Transcriber
from agents.providers.transcription.offline_whisper import OfflineWhisperTranscriber, WhisperOptions
from agents.providers.transcription.openai_whisper import OpenAITranscriber
from agents.settings import setting


def get_transcriber() -> Transcriber:
    """OpenAI when ``OPENAI_API_KEY`` is set, the offline Whisper otherwise. The settings are read
    through :func:`agents.settings.setting`, the engines' one door to Django's."""
    api_key = setting("OPENAI_API_KEY", "")
    if api_key:
        return OpenAITranscriber(
            api_key=api_key,
            base_url=setting("OPENAI_BASE_URL", None) or None,
            timeout=float(setting("VENDOR_TIMEOUT_SECONDS", 60.0)),
            max_retries=int(setting("VENDOR_MAX_RETRIES", 2)),
            model=setting("OPENAI_TRANSCRIPTION_MODEL", "whisper-1") or "whisper-1",
        )
    return OfflineWhisperTranscriber(
        model_path=setting("WHISPER_MODEL_PATH", "") or None,
        expected_sha256=setting("WHISPER_MODEL_SHA256", "") or None,
        cpu_threads=int(setting("WHISPER_CPU_THREADS", 0) or 0),
        options=WhisperOptions(beam_size=int(setting("WHISPER_BEAM_SIZE", 1) or 1)),
    )
