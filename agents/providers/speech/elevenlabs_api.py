"""ElevenLabs text to speech and instant voice cloning through the ``elevenlabs`` SDK."""

from __future__ import annotations

import io
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from agents.audio.wav import write_wav
from agents.http import retry_after_seconds
from agents.providers.errors import PermanentProviderError, ProviderError, TransientProviderError
from agents.providers.speech.base import Gender, SpeechSynthesizer, VoiceSettings

ELEVENLABS_DEFAULT_VOICES: dict[Gender, str] = {
    # ElevenLabs' premade voices, available to every account.
    "male": "JBFqnCBsd6RMkjVDRZzb",  # George
    "female": "21m00Tcm4TlvDq1ZgNLr",  # Rachel
}
_ELEVENLABS_SAMPLE_RATE = 22_050

# The longest Retry-After honoured between two attempts: a reply waits on the synthesis.
_MAX_RETRY_AFTER_SECONDS = 30.0


def _map_elevenlabs_error(exc: Exception) -> ProviderError:
    import httpx
    from elevenlabs.core.api_error import ApiError

    if isinstance(exc, ApiError):
        status = exc.status_code or 0
        detail = str(exc.body)[:300]
        if status in (408, 409, 425, 429) or status >= 500:
            return TransientProviderError(f"HTTP {status}: {detail}", provider="elevenlabs", status_code=status)
        return PermanentProviderError(f"HTTP {status}: {detail}", provider="elevenlabs", status_code=status)
    if isinstance(exc, httpx.TimeoutException):
        return TransientProviderError(f"timed out: {exc}", provider="elevenlabs")
    if isinstance(exc, httpx.TransportError):
        return TransientProviderError(f"connection failed: {exc}", provider="elevenlabs")
    return PermanentProviderError(f"{type(exc).__name__}: {exc}", provider="elevenlabs")


class ElevenLabsSynthesizer(SpeechSynthesizer):
    """ElevenLabs text to speech, 22.05 kHz PCM (available on every plan) written as WAV."""

    name = "elevenlabs"

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str | None = None,
        timeout: float = 60.0,
        max_retries: int = 2,
        model_id: str = "eleven_multilingual_v2",
    ) -> None:
        from elevenlabs.client import ElevenLabs

        kwargs: dict[str, Any] = {"api_key": api_key, "timeout": timeout}
        if base_url:
            kwargs["base_url"] = base_url
        self.client = ElevenLabs(**kwargs)
        self.model_id = model_id
        self.max_retries = max_retries

    def _voice_settings(self, voice: VoiceSettings) -> Any:
        from elevenlabs import VoiceSettings as ElevenVoiceSettings

        # ElevenLabs has no pitch control; its speed runs 0.7-1.2 around a natural ~160 wpm.
        return ElevenVoiceSettings(speed=float(np.clip(voice.rate_wpm / 160.0, 0.7, 1.2)))

    def synthesize(self, text: str, voice: VoiceSettings, out_path: str | Path) -> str:
        voice_id = voice.voice_id or ELEVENLABS_DEFAULT_VOICES[voice.gender]
        # The SDK retries plain requests but not streamed ones, and text_to_speech.convert
        # streams: the retries (429, 5xx, timeouts) are done here, honouring Retry-After.
        for attempt in range(self.max_retries + 1):
            try:
                stream: Iterable[bytes] = self.client.text_to_speech.convert(
                    voice_id,
                    text=text,
                    model_id=self.model_id,
                    output_format=f"pcm_{_ELEVENLABS_SAMPLE_RATE}",
                    voice_settings=self._voice_settings(voice),
                )
                audio = b"".join(stream)
                break
            except Exception as exc:  # the SDK raises ApiError or httpx errors; all are mapped
                error = _map_elevenlabs_error(exc)
                if not isinstance(error, TransientProviderError) or attempt == self.max_retries:
                    raise error from exc
                delay = _retry_after(exc)
                time.sleep(delay if delay is not None else min(0.5 * 2**attempt, 8.0))
        if not audio:
            raise TransientProviderError("empty audio in the response", provider="elevenlabs")
        return _audio_bytes_to_wav(audio, out_path)

    def clone_voice(self, name: str, sample_paths: Iterable[str | Path], *, description: str = "") -> str:
        """Create an instant voice clone from recordings of the champion; returns its voice id."""
        handles = [open(path, "rb") for path in sample_paths]  # noqa: SIM115 - closed below
        try:
            extra = {"description": description} if description else {}
            response = self.client.voices.ivc.create(
                name=name,
                files=handles,
                request_options={"max_retries": self.max_retries},
                **extra,
            )
        except Exception as exc:
            raise _map_elevenlabs_error(exc) from exc
        finally:
            for handle in handles:
                handle.close()
        return str(response.voice_id)

    def delete_voice(self, voice_id: str) -> None:
        """Delete a voice clone. One that is already gone (404) counts as deleted."""
        try:
            self.client.voices.delete(voice_id, request_options={"max_retries": self.max_retries})
        except Exception as exc:
            error = _map_elevenlabs_error(exc)
            if error.status_code == 404:
                return
            raise error from exc


def _retry_after(exc: Exception) -> float | None:
    headers = getattr(exc, "headers", None) or {}
    value = {k.lower(): v for k, v in headers.items()}.get("retry-after")
    return retry_after_seconds(value, cap=_MAX_RETRY_AFTER_SECONDS)


def _audio_bytes_to_wav(audio: bytes, out_path: str | Path) -> str:
    """Raw PCM as requested, or a container if the vendor sent one anyway (WAV, MP3)."""
    if audio[:4] == b"RIFF" or audio[:3] == b"ID3" or audio[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        import av

        chunks: list[np.ndarray] = []
        with av.open(io.BytesIO(audio)) as container:
            resampler = av.AudioResampler(format="flt", layout="mono", rate=_ELEVENLABS_SAMPLE_RATE)
            for frame in container.decode(audio=0):
                frame.pts = None
                chunks.extend(f.to_ndarray().reshape(-1) for f in resampler.resample(frame))
        return write_wav(out_path, np.concatenate(chunks) if chunks else np.zeros(0), _ELEVENLABS_SAMPLE_RATE)
    usable = len(audio) - len(audio) % 2
    return write_wav(out_path, np.frombuffer(audio[:usable], dtype="<i2"), _ELEVENLABS_SAMPLE_RATE)
