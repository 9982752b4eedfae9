"""The words of a reply, counted: what sentence embeddings barely see (word order, keyword
runs, repetition, the buyer's words echoed back), measured on the words themselves for
:mod:`.meaning`."""

from __future__ import annotations

import re

_FUNCTION_WORD_LIST = """a an the this that these those some any each every no all both either neither
    i me my mine we us our ours you your yours he him his she her it its they them their
    is am are was were be been being do does did doing have has had having will would shall
    should can could may might must and or but so because if then than though although while
    when where what which who whom whose why how of to in on at for with by from as into onto
    about over under after before through during between against without within up down out off
    not there here just also too very more most less only even still yet again once let let's
    i'm you're we're it's that's there's i'll we'll you'll i'd we'd don't doesn't didn't can't
    won't isn't aren't wasn't haven't hasn't"""
FUNCTION_WORDS = frozenset(_FUNCTION_WORD_LIST.split())
# Words that glue a sentence together without carrying its topic: function words and number
# words ("twenty four hours" is not a list of keywords).
_NUMBER_WORD_LIST = """one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty
    forty fifty sixty seventy eighty ninety hundred thousand million first second third half percent"""
GLUE_WORDS = FUNCTION_WORDS | frozenset(_NUMBER_WORD_LIST.split())
_WORD = re.compile(r"[a-z0-9']+")


def words_of(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def content_pairs(words: list[str]) -> float:
    """Neighbouring pairs of content words over all neighbouring pairs: about a fifth in spoken
    English, half and more in a list of keywords."""
    content = [w not in GLUE_WORDS and not w.isdigit() for w in words]
    pairs = list(zip(content, content[1:], strict=False))
    return sum(a and b for a, b in pairs) / len(pairs) if pairs else 1.0


def champion_word_order(words: list[str], reference_text: str | None) -> dict[str, float]:
    """How much of the reply is the champion's own words and whether they come in the champion's
    phrases: a paraphrase reorders whole clauses, a scrambled copy breaks every phrase (sentence
    embeddings barely see word order, so this is measured on the words). The order is the sum of
    two shares: of the content words used once in both whose next one (in the reply's order)
    follows within four words in the champion's answer, and of the reply's word pairs that are
    word pairs of the champion's answer."""
    content = [w for w in words if w not in GLUE_WORDS]
    champion_words = words_of(reference_text or "")
    champion = [w for w in champion_words if w not in GLUE_WORDS]
    overlap = len([w for w in set(content) if w in champion]) / max(1, len(set(content)))
    shared = [w for w in dict.fromkeys(content) if content.count(w) == 1 and champion.count(w) == 1]
    if len(shared) < 3:
        return {"champion_overlap": overlap, "champion_order": 2.0}
    positions = [champion.index(w) for w in shared]
    kept = sum(1 <= b - a <= 4 for a, b in zip(positions, positions[1:], strict=False)) / (len(positions) - 1)
    champion_pairs = set(zip(champion_words, champion_words[1:], strict=False))
    pairs = list(zip(words, words[1:], strict=False))
    shared_pairs = sum(pair in champion_pairs for pair in pairs) / max(1, len(pairs))
    return {"champion_overlap": overlap, "champion_order": kept + shared_pairs}


def echo_share(words: list[str], line: str) -> float:
    """Share of the reply's content words that the buyer said: an answer brings its own words
    (the champions' at most a third of theirs), an echo of the objection little else."""
    said = {w for w in words_of(line) if w not in GLUE_WORDS}
    content = [w for w in words if w not in GLUE_WORDS]
    return sum(w in said for w in content) / len(content) if content else 0.0


def distinct_share(words: list[str]) -> float:
    content = [w for w in words if w not in GLUE_WORDS]
    return len(set(content)) / len(content) if content else 0.0
