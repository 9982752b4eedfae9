"""The concern an objection actually raises, in the buyer's own words: what a push-back names.

"We already pay for a telematics system from our truck leasing company. I do not see why we
would need another tool." raises one concern, said in its second sentence; "That sounds good,
but honestly the price you sent over is a lot higher than what we pay" raises it after the
"but". The prospect repeats that part, not a line chosen by a topic keyword (which called the
first one a price objection because it says "pay").
"""

from __future__ import annotations

import re

from agents.reasoning import categories as cat
from agents.reasoning.listening.clean import clean_line, sentences_of

# Words that carry a buyer's doubt; the sentence with the most of them states the concern.
_DOUBT = re.compile(
    r"\b(?:not|no|never|n't|cannot|can't|won't|worr\w*|concern\w*|afraid|scar\w*|risk\w*|expensive|cost\w*|"
    r"price|budget|money|afford\w*|cheap\w*|premium|tight|margins?|doubt\w*|sure|need|why|already|burned|"
    r"alone|sign off|approv\w*|owner|board|partner|boss|director|finance|timing|right now|busy|later|"
    r"switch\w*|refuse|problem|hard|difficult|too)\b"
)
# The buyer saying how they feel about it counts double: "rolling out new software scares me".
_FEELING = re.compile(
    r"\b(?:scares? me|worr(?:y|ies) me|i am worried|i'm worried|i do not see|i don't see|i am not sure|"
    r"i'm not sure|i doubt|i am not (?:changing|going to)|i'm not (?:changing|going to)|my (?:real |bigger )?worry)\b"
)
_BUT = re.compile(r",?\s+\bbut\b\s+")
_LEAD_IN = re.compile(
    r"^(?:honestly|frankly|still|also|and|but|so|well|even so|to be honest|to be frank|the thing is|"
    r"the other thing is|look|i mean)[,\s]+",
    re.IGNORECASE,
)
_MIN_CLAUSE_WORDS = 4


def concern_clause(objection: str) -> str:
    """The sentence (or the part after its "but") of ``objection`` that states the concern,
    cleaned, as the buyer would repeat it."""
    cleaned = clean_line(objection)
    sentences = [s for s in sentences_of(cleaned) if not _is_bare(s)] or [cleaned]
    # The most doubtful sentence; on a tie the later one, where a buyer lands their point.
    best = max(reversed(range(len(sentences))), key=lambda i: _doubt(sentences[i].lower()))
    sentence = sentences[best]
    parts = _BUT.split(sentence)
    if len(parts) > 1 and len(parts[-1].split()) >= _MIN_CLAUSE_WORDS:
        sentence = parts[-1]
    return _sentence_case(_strip_lead_ins(sentence))


def _doubt(lowered: str) -> int:
    return len(_DOUBT.findall(lowered)) + 2 * len(_FEELING.findall(lowered))


def _is_bare(sentence: str) -> bool:
    return len(sentence.split()) < 3 or bool(cat.FILLER_ACKNOWLEDGMENT.match(sentence.lower()))


def _strip_lead_ins(sentence: str) -> str:
    previous = None
    while previous != sentence:
        previous, sentence = sentence, _LEAD_IN.sub("", sentence)
    return sentence


def _sentence_case(sentence: str) -> str:
    sentence = sentence.strip()
    if not sentence:
        return sentence
    sentence = sentence[0].upper() + sentence[1:]
    return sentence if sentence[-1] in ".?!" else sentence + "."
