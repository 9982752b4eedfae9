"""The decode limits (``agents/audio/limits.py``), held on what decodes: recordings whose
header lies about their length (made on the fly, never committed) stop decoding at the limit,
a few kilobytes cannot expand to hours, a time budget stops a slow decode, and memory stays
bounded by the limit."""

from __future__ import annotations

import itertools
import os
import tracemalloc
from pathlib import Path

import av
import numpy as np
import pytest

from agents.audio import limits
from agents.audio.decode import (
    DecodeLimits,
    DecodeTooSlow,
    RecordingTooDense,
    RecordingTooLong,
    decode_audio,
    load_audio,
    measure_audio,
    probe,
    write_wav,
)
from agents.audio.limits import MAX_SECONDS_PER_MB
from agents.testing.lying_recordings import FRAME_SAMPLES, LONGEST_FRAME, SAMPLE_RATE, write_lying_recording
from agents.testing.synth import synthesize_call

# The longest a decode may run past a limit: one FLAC frame of the lying recording.
ONE_FRAME = FRAME_SAMPLES / SAMPLE_RATE


def lying(tmp_path: Path, true_seconds: float, **options) -> Path:
    path = Path(write_lying_recording(tmp_path / f"lies-{true_seconds:g}.mkv", true_seconds=true_seconds, **options))
    assert probe(path).duration == pytest.approx(options.get("declared_seconds", 10.0))  # the header lies
    return path


class TestLength:
    def test_the_duration_measured_is_what_decodes_not_what_the_header_declares(self, tmp_path):
        info = measure_audio(lying(tmp_path, 600), limits=DecodeLimits(max_seconds=3600))

        assert info.duration == pytest.approx(600, abs=ONE_FRAME)
        assert (info.has_audio, info.container_format, info.audio_codec) == (True, "matroska,webm", "flac")

    @pytest.mark.parametrize("decode", ["measure", "wav", "samples"])
    def test_decoding_stops_as_soon_as_the_decoded_audio_passes_the_limit(self, tmp_path, decode):
        source, target = lying(tmp_path, 3 * 3600), tmp_path / "out.wav"
        run = {
            "measure": lambda: measure_audio(source, limits=DecodeLimits(max_seconds=120)),
            "wav": lambda: decode_audio(source, target, limits=DecodeLimits(max_seconds=120)),
            "samples": lambda: load_audio(source, limits=DecodeLimits(max_seconds=120)),
        }[decode]

        with pytest.raises(RecordingTooLong, match="lasts more than 2 min; the limit is 2 min") as refused:
            run()

        assert 120 < refused.value.seconds <= 120 + ONE_FRAME  # stopped at the frame that passed it
        assert not refused.value.declared and refused.value.limit == 120
        assert not target.exists()  # no WAV left behind

    def test_a_header_that_declares_more_than_the_limit_is_refused_before_decoding(self, tmp_path):
        source = lying(tmp_path, 20, declared_seconds=3 * 3600)

        with pytest.raises(RecordingTooLong, match="lasts 3 h; the limit is 2 h") as refused:
            measure_audio(source, limits=DecodeLimits(max_seconds=2 * 3600))
        assert refused.value.declared and refused.value.seconds == pytest.approx(3 * 3600)

    def test_without_limits_the_configured_recording_limit_holds(self, tmp_path, settings):
        settings.CHAMPION_MAX_DURATION_SECONDS = 60
        with pytest.raises(RecordingTooLong, match="the limit is 1 min"):
            decode_audio(lying(tmp_path, 300), tmp_path / "out.wav")
        assert not (tmp_path / "out.wav").exists()

    def test_a_wav_is_held_to_the_limit_on_what_it_holds(self, tmp_path):
        wav = Path(write_wav(tmp_path / "long.wav", np.zeros(16_000 * 3, dtype=np.float32), 16_000))

        with pytest.raises(RecordingTooLong, match="the limit is 2 s"):
            load_audio(wav, limits=DecodeLimits(max_seconds=2))
        assert load_audio(wav, limits=DecodeLimits(max_seconds=4)).size == 16_000 * 3
        # A header declaring far more than the file holds (as a WAV streamed to a pipe does)
        # is not read by its word: decoded, it is the 3 s it holds.
        content = bytearray(wav.read_bytes())
        at = content.index(b"data") + 4
        content[at : at + 4] = (0xFFFFFFF0).to_bytes(4, "little")
        wav.write_bytes(bytes(content))
        assert load_audio(wav, limits=DecodeLimits(max_seconds=4)).size == pytest.approx(16_000 * 3, abs=160)


class TestDensity:
    def test_a_few_kilobytes_cannot_expand_to_hours(self, tmp_path):
        # FLAC's longest frames: two hours of audio in under 50 KB, ~150,000 s per MB.
        source = lying(tmp_path, 2 * 3600, frame_samples=LONGEST_FRAME)
        size_mb = os.path.getsize(source) / 2**20
        assert size_mb < 0.05

        with pytest.raises(RecordingTooDense, match="more audio than a recording of its size can hold") as refused:
            measure_audio(source, limits=DecodeLimits(max_seconds=3 * 3600))

        # Stopped as soon as its size allowed no more: a fifth of the two hours.
        allowed = MAX_SECONDS_PER_MB * size_mb
        assert allowed < refused.value.seconds <= allowed + LONGEST_FRAME / SAMPLE_RATE < 1500
        unbounded = DecodeLimits(max_seconds=3 * 3600, max_seconds_per_mb=1e9)
        assert measure_audio(source, limits=unbounded).duration == pytest.approx(2 * 3600, abs=10)

    @pytest.mark.slow
    @pytest.mark.parametrize(
        ("name", "codec", "rate", "bitrate"),
        [("call.amr", "libopencore_amrnb", 8000, 4750), ("call.ogg", "libopus", 48000, 6000)],
    )
    def test_real_speech_codecs_at_their_lowest_bitrates_stay_far_below_the_bound(
        self, tmp_path, short_speech, name, codec, rate, bitrate
    ):
        # AMR-NB at 4.75 kbit/s is the densest codec ffmpeg encodes here (1,613 s/MB on a 77 s call).
        path = encode_low_bitrate(short_speech, tmp_path / name, codec, rate, bitrate)
        info = measure_audio(path, limits=DecodeLimits())
        assert info.duration / (os.path.getsize(path) / 2**20) < MAX_SECONDS_PER_MB / 10


class TestTimeBudget:
    def test_a_decode_past_its_time_budget_stops_between_packets(self, tmp_path, monkeypatch):
        clock = itertools.count(start=1000.0, step=1.0)  # each reading one second later
        monkeypatch.setattr(limits.time, "monotonic", lambda: next(clock))
        target = tmp_path / "out.wav"

        with pytest.raises(DecodeTooSlow, match="decoding its audio took longer than 5 s"):
            decode_audio(lying(tmp_path, 60), target, limits=DecodeLimits(max_seconds=3600, max_wall_seconds=5))
        assert not target.exists()


class TestMemory:
    def test_decoding_to_a_wav_keeps_one_frame_in_memory_whatever_the_length(self, tmp_path):
        source = lying(tmp_path, 3 * 3600)
        tracemalloc.start()
        try:
            with pytest.raises(RecordingTooLong):
                decode_audio(source, tmp_path / "out.wav", limits=DecodeLimits(max_seconds=1800))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert peak < 5 * 2**20  # 30 min at 16 kHz would be 115 MB as float32

    def test_samples_in_memory_follow_what_decodes_not_the_limit(self, tmp_path):
        source = lying(tmp_path, 300)
        tracemalloc.start()
        try:
            samples = load_audio(source, limits=DecodeLimits(max_seconds=3 * 3600))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert samples.size == pytest.approx(300 * 16_000, abs=16_000 * ONE_FRAME) and samples.dtype == np.float32
        # Blocks of a minute (the last one partly filled), then the one array handed back: at
        # most twice the 300 s decoded (19 MB), never the limit's worth (3 h: 691 MB).
        block = 60 * 16_000 * 4
        assert peak < 2 * samples.nbytes + 2 * block


@pytest.fixture(scope="module")
def short_speech(tmp_path_factory) -> Path:
    script = (
        ("champion", "Thanks for joining the call today, I know your week is busy."),
        ("other", "Happy to be here. What did you want to show me about the helpdesk?"),
    )
    return Path(synthesize_call(script, tmp_path_factory.mktemp("speech") / "speech.wav").wav_path)


def encode_low_bitrate(wav: Path, out: Path, codec: str, rate: int, bitrate: int) -> Path:
    """The speech re-encoded mono at ``rate`` Hz and ``bitrate`` bit/s into ``out``'s container."""
    samples = load_audio(wav, sample_rate=rate)
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    with av.open(str(out), mode="w") as container:
        stream = container.add_stream(codec, rate=rate)
        stream.layout, stream.bit_rate = "mono", bitrate
        resampler = av.AudioResampler(format=stream.format.name, layout="mono", rate=rate)
        for start in range(0, pcm.size, rate // 10):
            frame = av.AudioFrame.from_ndarray(
                pcm[start : start + rate // 10].reshape(1, -1), format="s16", layout="mono"
            )
            frame.sample_rate = rate
            for resampled in resampler.resample(frame):
                container.mux(stream.encode(resampled))
        container.mux(stream.encode(None))
    return out
