"""The names of the upload's context spelled the way the user spells them in the transcript.

Whisper hears a coined name as the words it sounds like: "RouteWise" as "route wise",
"BrightRoof" as "Bright roof", "FlowDesk" as "Flowdesk". The prompt makes the right spelling
likelier but not certain (and tiny.en sometimes drops a line when prompted: README,
"Benchmarks"). Here a run of one to three transcribed words whose letters are exactly a
context name's, in order and whatever the case, becomes that name: "route wise" becomes
"RouteWise", "Route-Wise" too. Nothing else changes: a word that merely sounds like the name
("Quillo" for "Kwyllo") stays as heard, and a capitalised word like "Carlos" is not recased.
"""

from __future__ import annotations

import dataclasses
import re

from agents.types import Transcript, Word

# A name worth respelling: a capitalised word of 4+ characters, or one with a capital inside.
_NAME = re.compile(r"\b[A-Z][\w'&]{3,}|\b\w+[A-Z]\w*")
_MAX_PARTS = 3
_EDGE_PUNCTUATION = re.compile(r"^[^\w]+|[^\w]+$")


def context_names(context: str) -> list[str]:
    """The names of ``context`` that may be heard split or recased, longest first."""
    names = dict.fromkeys(match.group(0) for match in _NAME.finditer(context or ""))
    return sorted(names, key=len, reverse=True)


def _needs_respelling(heard: str, name: str, parts: int) -> bool:
    """Split ("route wise") always; one word only when the name has a capital inside that the
    recogniser lost ("Flowdesk" for "FlowDesk")."""
    if heard == name:
        return False
    return parts > 1 or any(character.isupper() for character in name[1:])


def _letters(text: str) -> str:
    return re.sub(r"[\W_]", "", text).casefold()


def _respell_text(text: str, names: list[str]) -> str:
    for name in names:
        # The name's characters in order, with at most a space or hyphen between any two.
        pattern = r"\b" + r"[\s-]?".join(re.escape(character) for character in name) + r"\b"

        def replace(match: re.Match[str], name: str = name) -> str:
            heard = match.group(0)
            parts = len(re.split(r"[\s-]+", heard))
            return name if parts <= _MAX_PARTS and _needs_respelling(heard, name, parts) else heard

        text = re.sub(pattern, replace, text, flags=re.IGNORECASE)
    return text


def _respell_words(words: list[Word], names: list[str]) -> list[Word]:
    by_letters = {_letters(name): name for name in names}
    respelled: list[Word] = []
    index = 0
    while index < len(words):
        for parts in range(min(_MAX_PARTS, len(words) - index), 0, -1):
            run = words[index : index + parts]
            name = by_letters.get(_letters("".join(word.text for word in run)))
            heard = _EDGE_PUNCTUATION.sub("", " ".join(word.text for word in run))
            if name and _needs_respelling(heard, name, len(heard.replace("-", " ").split())):
                trailing = run[-1].text[len(run[-1].text.rstrip(".,;:?!")) :]
                probability = min(word.probability for word in run)
                respelled.append(Word(name + trailing, run[0].start, run[-1].end, probability))
                index += parts
                break
        else:
            respelled.append(words[index])
            index += 1
    return respelled


def respell_names(transcript: Transcript, context: str) -> Transcript:
    """``transcript`` with the context's names spelled as the context spells them, in each
    segment's text and its words (a split name becomes one word spanning its parts)."""
    names = context_names(context)
    if not names:
        return transcript
    segments = [
        dataclasses.replace(
            segment, text=_respell_text(segment.text, names), words=_respell_words(segment.words, names)
        )
        for segment in transcript.segments
    ]
    return dataclasses.replace(transcript, text=" ".join(s.text for s in segments), segments=segments)


__all__ = ["context_names", "respell_names"]
