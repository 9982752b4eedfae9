"""Cut a transcript into utterances: sentences located in time, with their speaker and turn.

Whisper's segments are chunks of about thirty seconds of decoding, not sentences: one may hold
several sentences, and a sentence may straddle two segments. The pattern extractor works on
sentences, so we rebuild them from the words: a sentence ends at end punctuation, at a long pause
(speech recognisers drop punctuation, pauses do not lie), at a change of speaker, or when it grows
past a length that no spoken sentence reaches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agents.types import Transcript, Word

# A silence this long between two words ends a sentence even without punctuation.
PAUSE_SPLIT_SECONDS = 0.8
# Without speaker labels, a new transcript segment after a silence this long starts a new turn
# (recognisers start segments at pauses, and turn changes are pauses), and so does any silence
# twice as long.
TURN_PAUSE_SECONDS = 0.6
MAX_WORDS_PER_UTTERANCE = 45

_SENTENCE_END = re.compile(r"[.?!][\"')\]]*$")


@dataclass(frozen=True)
class Utterance:
    index: int
    text: str
    start: float
    end: float
    speaker: str | None
    # Consecutive utterances of the same speaker share a turn; see utterances_from_transcript.
    turn: int

    @property
    def word_count(self) -> int:
        return len(self.text.split())


def _clean(word: str) -> str:
    return word.strip()


def _words_with_speaker(transcript: Transcript) -> list[tuple[Word, str | None, int]]:
    """Every word with its segment's speaker and id; segments without word timings get words
    spread evenly over the segment (some vendors return segment times only)."""
    result: list[tuple[Word, str | None, int]] = []
    for segment in transcript.segments:
        words = [w for w in segment.words if _clean(w.text)]
        if not words:
            tokens = segment.text.split()
            if not tokens:
                continue
            step = (segment.end - segment.start) / len(tokens)
            words = [
                Word(text=token, start=segment.start + i * step, end=segment.start + (i + 1) * step)
                for i, token in enumerate(tokens)
            ]
        result.extend((word, segment.speaker, segment.id) for word in words)
    return result


def utterances_from_transcript(transcript: Transcript) -> list[Utterance]:
    """The transcript's sentences in time order. Deterministic: only the words and their times."""
    words = _words_with_speaker(transcript)
    utterances: list[Utterance] = []
    current: list[Word] = []
    current_speaker: str | None = None
    current_segment: int | None = None
    turn = -1
    previous_end: float | None = None
    previous_speaker: str | None = None
    previous_segment: int | None = None

    def flush() -> None:
        nonlocal current, turn, previous_end, previous_speaker, previous_segment
        if not current:
            return
        text = " ".join(_clean(w.text) for w in current)
        start, end = current[0].start, current[-1].end
        silence = start - previous_end if previous_end is not None else 0.0
        new_turn = (
            turn < 0
            or current_speaker != previous_speaker
            or (
                current_speaker is None
                and (
                    (current_segment != previous_segment and silence >= TURN_PAUSE_SECONDS)
                    or silence >= 2 * TURN_PAUSE_SECONDS
                )
            )
        )
        if new_turn:
            turn += 1
        utterances.append(
            Utterance(
                index=len(utterances),
                text=text,
                start=round(start, 3),
                end=round(end, 3),
                speaker=current_speaker,
                turn=turn,
            )
        )
        previous_end, previous_speaker, previous_segment = end, current_speaker, current_segment
        current = []

    for position, (word, speaker, segment_id) in enumerate(words):
        if current and speaker != current_speaker:
            flush()
        if not current:
            current_segment = segment_id
        current_speaker = speaker
        current.append(word)
        next_word = words[position + 1][0] if position + 1 < len(words) else None
        ends_sentence = bool(_SENTENCE_END.search(_clean(word.text)))
        long_pause = next_word is not None and next_word.start - word.end >= PAUSE_SPLIT_SECONDS
        if ends_sentence or long_pause or len(current) >= MAX_WORDS_PER_UTTERANCE:
            flush()
    flush()
    return utterances
