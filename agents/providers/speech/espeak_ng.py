"""espeak-ng through ``espeakng-loader``: the library and its data ship in the wheel and are
driven here with ctypes. Any rate and pitch, male and female variants, about 500 times faster
than real time."""

from __future__ import annotations

import ctypes
import threading
from pathlib import Path
from typing import Any

import numpy as np

from agents.audio.wav import write_wav
from agents.providers.errors import PermanentProviderError
from agents.providers.speech.base import Gender, SpeechSynthesizer, VoiceSettings

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
ESPEAK_NATURAL_RANGE_HZ: dict[Gender, float] = {"male": 33.0, "female": 68.0}
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
        return write_wav(out_path, pcm, engine.sample_rate)
