"""Speaker attribution on synthesized calls whose true turns are known."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.audio.speakers.attribution import assign_speakers
from agents.providers.speech import CHAMPION_VOICE, PROSPECT_VOICE, VoiceSettings
from agents.testing.fixtures import session_bundle
from agents.testing.synth import SAMPLE_CALL, SynthesizedCall, synthesize_call
from agents.types import Segment, Transcript

pytestmark = pytest.mark.slow


def attributed_accuracy(call: SynthesizedCall, transcript: Transcript) -> float:
    """Share of the true speaking time (overlap of segments with script turns) that is
    attributed to the speaker who really spoke it."""
    correct = total = 0.0
    for segment in transcript.segments:
        for turn in call.turns:
            overlap = max(0.0, min(segment.end, turn.end) - max(segment.start, turn.start))
            total += overlap
            correct += overlap if segment.speaker == turn.speaker else 0.0
    return correct / total


def transcript_from_turns(call: SynthesizedCall) -> Transcript:
    """A transcript with one segment per scripted turn, to test clustering without Whisper."""
    segments = [Segment(i, t.start, t.end, t.text) for i, t in enumerate(call.turns)]
    return Transcript(call.text, "en", call.duration, segments)


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory):
    return session_bundle(tmp_path_factory.getbasetemp())


def test_two_voice_call_is_attributed_right_for_90_percent_of_speaking_time(bundle) -> None:
    result = assign_speakers(bundle.transcript, bundle.decoded.wav_path)

    assert result.speakers_found == 2
    assert attributed_accuracy(bundle.call, result.transcript) >= 0.90
    # The champion talks most in the script (61 % of speaking time), so he is "champion".
    assert result.champion_seconds > result.other_seconds
    assert {s.speaker for s in result.transcript.segments} == {"champion", "other"}
    # No words lost or duplicated by splitting segments.
    before = [w for s in bundle.transcript.segments for w in s.words]
    after = [w for s in result.transcript.segments for w in s.words]
    assert after == before


def test_the_uploader_can_name_the_shorter_speaker_champion(bundle) -> None:
    default = assign_speakers(bundle.transcript, bundle.decoded.wav_path)
    swapped = assign_speakers(bundle.transcript, bundle.decoded.wav_path, champion_speaks_most=False)

    flipped = {"champion": "other", "other": "champion"}
    assert [s.speaker for s in swapped.transcript.segments] == [flipped[s.speaker] for s in default.transcript.segments]
    assert swapped.champion_seconds == pytest.approx(default.other_seconds)


def test_attribution_is_deterministic(bundle) -> None:
    first = assign_speakers(bundle.transcript, bundle.decoded.wav_path)
    second = assign_speakers(bundle.transcript, bundle.decoded.wav_path)
    assert first == second


def test_a_segment_spanning_two_speakers_is_split_at_the_turn(bundle) -> None:
    """Whisper sometimes runs a short reply and the next turn into one segment."""
    segments = bundle.transcript.segments
    # Merge the first pair of neighbouring segments that belong to different true speakers.
    for index in range(len(segments) - 1):
        a, b = segments[index], segments[index + 1]
        if bundle.call.speaker_at((a.start + a.end) / 2) != bundle.call.speaker_at((b.start + b.end) / 2):
            break
    merged = Segment(a.id, a.start, b.end, f"{a.text} {b.text}", [*a.words, *b.words])
    transcript = Transcript(
        bundle.transcript.text,
        "en",
        bundle.transcript.duration,
        [*segments[:index], merged, *segments[index + 2 :]],
    )

    result = assign_speakers(transcript, bundle.decoded.wav_path)

    pieces = [s for s in result.transcript.segments if a.start <= s.start < b.end]
    assert [p.text for p in pieces] == [a.text, b.text]
    assert pieces[0].speaker != pieces[1].speaker
    assert attributed_accuracy(bundle.call, result.transcript) >= 0.90


def test_a_single_voice_recording_is_all_champion(tmp_path: Path) -> None:
    call = synthesize_call(
        SAMPLE_CALL[:6], tmp_path / "mono.wav", voices={"champion": CHAMPION_VOICE, "other": CHAMPION_VOICE}
    )

    result = assign_speakers(transcript_from_turns(call), call.wav_path)

    assert result.speakers_found == 1
    assert {s.speaker for s in result.transcript.segments} == {"champion"}
    assert result.other_seconds == 0


def test_two_male_voices_of_different_pitch_are_told_apart(tmp_path: Path) -> None:
    voices = {"champion": CHAMPION_VOICE, "other": VoiceSettings(gender="male", pitch_hz=140.0)}
    call = synthesize_call(SAMPLE_CALL, tmp_path / "two-men.wav", voices=voices)

    result = assign_speakers(transcript_from_turns(call), call.wav_path)

    assert result.speakers_found == 2
    assert attributed_accuracy(call, result.transcript) >= 0.90


def test_vendor_speaker_labels_are_kept(bundle) -> None:
    labelled = Transcript(
        "x",
        "en",
        10.0,
        [Segment(0, 0.0, 4.0, "Hello.", speaker="other"), Segment(1, 4.5, 9.0, "Hi.", speaker="champion")],
    )
    result = assign_speakers(labelled, bundle.decoded.wav_path)
    assert result.transcript is labelled
    assert (result.champion_seconds, result.other_seconds) == (4.5, 4.0)


def test_female_champion_with_male_prospect(tmp_path: Path) -> None:
    voices = {"champion": PROSPECT_VOICE, "other": CHAMPION_VOICE}
    call = synthesize_call(SAMPLE_CALL, tmp_path / "swapped.wav", voices=voices)

    result = assign_speakers(transcript_from_turns(call), call.wav_path)

    assert attributed_accuracy(call, result.transcript) >= 0.90
