"""A transcribed line made fit for the prospect to say: no hesitations, no sound tags, sentences
that start with a capital and end with a stop.

The prospect quotes the buyer's own words from the champion's call; a recogniser hands them
over as spoken ("um, so, like, we build the routes by hand"), lower-cased where it lost track,
with "[Music]" where it heard something else. Only the form changes here: the words the buyer
chose stay, so the line still sounds like them.
"""

from __future__ import annotations

import re

from agents.audio.voice.metrics import CONTEXTUAL_FILLERS, FILLER_WORDS

# "[Music]", "(laughs)", "*sighs*": what the recogniser heard, never something the buyer says.
_SOUND_TAG = re.compile(r"\[[^\]]*\]|\([^)]*\)|\*[^*]*\*")
# With the comma before it: "and, uh, three" is "and three".
_FILLER = re.compile(rf",?\s*(?<![\w'])(?:{'|'.join(FILLER_WORDS)})(?![\w'])[,…-]*", re.IGNORECASE)
# A contextual filler only where punctuation sets it off as a hesitation ("it's, like, a lot",
# "You know, we tried"), never "I like it" or "you know the price".
_CONTEXTUAL = re.compile(
    rf"(?:,\s*|^\s*|(?<=[;…-])\s*)(?:{'|'.join(CONTEXTUAL_FILLERS)})\s*[,…-]+", re.IGNORECASE | re.MULTILINE
)
_STUTTER = re.compile(r"\b(\w+)(?:,?\s+\1\b)+", re.IGNORECASE)
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([,.;:?!])")
# A trailing-off ("we tried... it failed") is a pause inside the sentence, not its end.
_ELLIPSIS = re.compile(r"\s*(?:\.{2,}|…)\s*")
_REPEATED_PUNCTUATION = re.compile(r"([,;:])(?:\s*[,;:])+")
_COMMA_BEFORE_STOP = re.compile(r"[,;:]+\s*([.?!])")
_SENTENCE_SPLIT = re.compile(r"(?<=[.?!])\s+")
_LONE_I = re.compile(r"\bi\b(?=(?:'[a-z]+)?\b)")


def clean_line(text: str) -> str:
    """``text`` without fillers, stutters and sound tags; each sentence capitalised and ended
    with a full stop unless it already ends with ``.``, ``?`` or ``!``. Empty when nothing said
    is left."""
    line = _SOUND_TAG.sub(" ", text)
    line = _CONTEXTUAL.sub(" ", line)
    line = _FILLER.sub(" ", line)
    line = _STUTTER.sub(r"\1", line)
    line = _ELLIPSIS.sub(", ", line)
    line = _REPEATED_PUNCTUATION.sub(r"\1", line)
    line = " ".join(line.split())
    line = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", line)
    line = _COMMA_BEFORE_STOP.sub(r"\1", line)
    sentences = [_sentence_form(part) for part in _SENTENCE_SPLIT.split(line)]
    return " ".join(sentence for sentence in sentences if sentence)


def _sentence_form(sentence: str) -> str:
    sentence = sentence.strip(" ,;:-")
    if not any(character.isalnum() for character in sentence):
        return ""
    sentence = _LONE_I.sub("I", sentence)
    sentence = sentence[0].upper() + sentence[1:]
    return sentence if sentence[-1] in ".?!" else sentence + "."


def sentences_of(text: str) -> list[str]:
    """The sentences of an already cleaned line."""
    return [part for part in _SENTENCE_SPLIT.split(text.strip()) if part]


def normalized(text: str) -> str:
    """Lower-case words only: for comparing lines whatever their punctuation."""
    return " ".join(re.findall(r"[\w']+", text.lower()))
