"""Delivery metrics of a speaker in a call, from the transcript: pace, questions, fillers, talk
ratio, longest monologue."""

from __future__ import annotations

import re
from collections import Counter

from agents.audio.voice.spans import segments_of, speaking_seconds, words_of
from agents.types import CallMetrics, Transcript

# Consecutive turns of one speaker separated by less than this form one monologue.
MONOLOGUE_BRIDGE_SECONDS = 2.0

FILLER_WORDS = ("um", "uh", "er", "erm", "ah", "hmm", "mm", "umm", "uhm")
# Fillers that are also ordinary words ("I like it", "you know the price"): counted only
# where punctuation marks them as a hesitation, e.g. "it's, like, expensive".
CONTEXTUAL_FILLERS = ("like", "you know", "i mean", "kind of", "sort of", "basically", "literally")


def count_questions(text: str) -> int:
    """Sentences ending in a question mark (Whisper punctuates questions reliably)."""
    return len(re.findall(r"\?+", text))


def count_fillers(text: str) -> Counter[str]:
    normalized = " " + re.sub(r"\s+", " ", text.lower()) + " "
    counts: Counter[str] = Counter()
    for filler in FILLER_WORDS:
        found = len(re.findall(rf"(?<![\w']){filler}(?![\w'])", normalized))
        if found:
            counts[filler] += found
    for filler in CONTEXTUAL_FILLERS:
        # A hesitation is set off by punctuation on at least one side ("so, like, we" /
        # "it's like, a lot"), or opens a sentence with a comma ("Basically, ...").
        pattern = rf"(?:[,.;!?…-]\s*{filler}(?![\w'])|(?<![\w']){filler}\s*[,…-])"
        found = len(re.findall(pattern, normalized))
        if found:
            counts[filler] += found
    return counts


def call_metrics(transcript: Transcript, *, speaker: str | None = "champion") -> CallMetrics:
    """Delivery metrics of ``speaker`` (the champion by default) in a call.

    With speaker turns unknown, every segment counts as the champion's and the talk ratio is
    None. Rates are per minute of the speaker's own speaking time, except questions per
    minute, which is per minute of call: a coach reads "asks a question every two minutes".
    """
    mine = segments_of(transcript, speaker)
    speakers_known = speaker is not None and any(s.speaker for s in transcript.segments)
    text = " ".join(s.text.strip() for s in mine)
    words = words_of(mine)
    word_count = len(words) if words else len(re.findall(r"[\w']+", text))
    talking = speaking_seconds(mine)
    talking_minutes = talking / 60.0
    duration = transcript.duration or (max((s.end for s in transcript.segments), default=0.0))
    call_minutes = duration / 60.0
    questions = count_questions(text)
    fillers = count_fillers(text)
    filler_total = sum(fillers.values())

    talk_ratio: float | None = None
    if speakers_known:
        others = [s for s in transcript.segments if s.speaker and s.speaker != speaker]
        everyone = talking + speaking_seconds(others)
        talk_ratio = round(talking / everyone, 4) if everyone > 0 else None

    return CallMetrics(
        duration_seconds=round(duration, 3),
        words_per_minute=round(word_count / talking_minutes, 2) if talking_minutes > 0 else 0.0,
        questions_per_minute=round(questions / call_minutes, 3) if call_minutes > 0 else 0.0,
        filler_words=filler_total,
        filler_words_per_minute=round(filler_total / talking_minutes, 3) if talking_minutes > 0 else 0.0,
        longest_monologue_seconds=round(longest_monologue(transcript, speaker if speakers_known else None), 3),
        talk_ratio=talk_ratio,
        question_count=questions,
        filler_word_counts=dict(sorted(fillers.items())),
    )


def longest_monologue(transcript: Transcript, speaker: str | None) -> float:
    """Longest stretch in which ``speaker`` talks with no turn of anyone else in between.

    Without speaker turns, the longest stretch of speech without a pause over 2 s.
    """
    longest = 0.0
    run_start: float | None = None
    run_end = 0.0
    for segment in sorted(transcript.segments, key=lambda s: s.start):
        ours = speaker is None or segment.speaker == speaker
        if ours and run_start is not None and segment.start - run_end <= MONOLOGUE_BRIDGE_SECONDS:
            run_end = max(run_end, segment.end)
        elif ours:
            run_start, run_end = segment.start, segment.end
        else:
            run_start = None
        if run_start is not None:
            longest = max(longest, run_end - run_start)
    return longest
