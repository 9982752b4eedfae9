"""The judge's labelled evaluation set: ``eval/judge_set.json`` beside this module.

One moment per objection of each evaluation script (:data:`agents.scripts.EVAL_SCRIPT_NAMES`):
the buyer's objection as said in the call and labelled replies to it. The champion's own answer
and paraphrases of it must pass at every difficulty; alternatives (a different but sound answer
to the same concern, not the champion's) must pass at easy and medium, where a buyer takes any
good answer; every other kind must fail, and a cheating rep would try each of them (see the
file's description for what each kind is).

Part of the must-fail replies are not written by hand but derived from the hand-written ones by
:func:`derived_replies` (``python -m agents.scripts.judge_set`` writes them into the file, and a
test checks the file holds exactly what it derives): the champion's answer or a paraphrase with
nonsense or an unrelated paragraph appended, the champion's words interleaved with nonsense words,
the champion's answer with every other sentence replaced by nonsense, the champion's answer to
another objection of the same call, and the objection said back to the buyer with a call proposed.
The nonsense and the unrelated paragraphs come from other scripts of the same split, so that no
reported script's text ever lands in the tuning split or the other way round.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np

from agents.reasoning.listening.clean import sentences_of
from agents.scripts import EVAL_DIRECTORY, EVAL_REPORTED_SCRIPT_NAMES, EVAL_TUNING_SCRIPT_NAMES

CHAMPION = "champion"
PARAPHRASE = "paraphrase"
# Replies as good as the champion's: they must pass.
STRONG_KINDS: tuple[str, ...] = (CHAMPION, PARAPHRASE)
# A sound answer to the same concern by another technique than the champion's (the cost of the
# status quo asked as a question, a proof point, an offer that lowers the risk, a discovery
# question on the concern): written by hand, never a paraphrase of the champion's answer. It must
# pass at easy and medium; at hard the buyer may hold out for the champion's own approach.
ALTERNATIVE = "alternative"
PASSING_KINDS: tuple[str, ...] = (*STRONG_KINDS, ALTERNATIVE)
# Replies a cheating or careless rep would try: they must fail.
HAND_WRITTEN_ADVERSARIAL_KINDS: tuple[str, ...] = ("nonsense", "salad", "off_topic", "filler", "pushy", "dismissive")
# Derived from the hand-written replies (:func:`derived_replies`): a good answer padded with what
# makes no sense here, or a relevant-sounding reply that answers nothing on the table.
APPENDED_NONSENSE = "appended_nonsense"  # the champion's answer, then a nonsense sentence
APPENDED_UNRELATED = "appended_unrelated"  # a paraphrase, then another call's champion answer
INTERLEAVED = "interleaved"  # the champion's words with nonsense words between every two
ALTERNATING = "alternating"  # the champion's answer, every other sentence replaced by nonsense
OTHER_OBJECTION = "other_objection"  # the champion's answer to another objection of the call
ECHO_BOOKING = "echo_booking"  # the objection said back to the buyer, and "let's book a call"
DERIVED_KINDS: tuple[str, ...] = (
    APPENDED_NONSENSE,
    APPENDED_UNRELATED,
    INTERLEAVED,
    ALTERNATING,
    OTHER_OBJECTION,
    ECHO_BOOKING,
)
ADVERSARIAL_KINDS: tuple[str, ...] = (*HAND_WRITTEN_ADVERSARIAL_KINDS, *DERIVED_KINDS)
# Relevant but without substance: must fail too, reported apart from the adversarial kinds.
WEAK = "weak"
REPLY_KINDS: tuple[str, ...] = (*PASSING_KINDS, *ADVERSARIAL_KINDS, WEAK)
EXPECTED = ("pass", "fail")

JUDGE_SET_FILE = f"{EVAL_DIRECTORY}/judge_set.json"


@dataclass(frozen=True)
class LabelledReply:
    kind: str  # one of REPLY_KINDS
    text: str
    expected: str  # "pass" | "fail"


@dataclass(frozen=True)
class LabelledMoment:
    """One objection of an evaluation script and the labelled replies to it."""

    script: str
    stage: str  # "objection"
    objection_index: int  # the objection's position among the script's objections
    objection: str  # the buyer's objection, verbatim from the script
    prospect_line: str  # what the prospect just said
    replies: tuple[LabelledReply, ...]

    def of_kind(self, *kinds: str) -> list[LabelledReply]:
        return [reply for reply in self.replies if reply.kind in kinds]


@cache
def load_judge_set() -> tuple[LabelledMoment, ...]:
    """Every labelled moment, in file order; raises ValueError on an unknown kind or label."""
    raw = json.loads(resources.files("agents.scripts").joinpath(JUDGE_SET_FILE).read_text("utf-8"))
    moments = []
    for entry in raw["moments"]:
        replies = tuple(LabelledReply(kind=r["kind"], text=r["text"], expected=r["expected"]) for r in entry["replies"])
        for reply in replies:
            if reply.kind not in REPLY_KINDS or reply.expected not in EXPECTED:
                raise ValueError(f"judge set, {entry['script']}: bad reply label {reply.kind!r}/{reply.expected!r}")
        moments.append(
            LabelledMoment(
                script=entry["script"],
                stage=entry["stage"],
                objection_index=entry["objection_index"],
                objection=entry["objection"],
                prospect_line=entry["prospect_line"],
                replies=replies,
            )
        )
    return tuple(moments)


def judge_set_for(script_names: tuple[str, ...]) -> list[LabelledMoment]:
    """The labelled moments of the scripts ``script_names``, in file order."""
    return [moment for moment in load_judge_set() if moment.script in script_names]


# ---------------------------------------------------------------------------------------------
# The derived replies. Plain string work on the hand-written texts: deterministic, no model.

_WORD = re.compile(r"[A-Za-z']+")
# How the buyer's words are said back to them ("our software" -> "your software").
_SAID_BACK = {
    "i": "you",
    "me": "you",
    "my": "your",
    "mine": "yours",
    "we": "you",
    "us": "you",
    "our": "your",
    "ours": "yours",
    "myself": "yourself",
    "ourselves": "yourselves",
    "am": "are",
    "i'm": "you're",
    "we're": "you're",
    "i've": "you've",
    "we've": "you've",
    "i'd": "you'd",
    "we'd": "you'd",
    "i'll": "you'll",
    "we'll": "you'll",
}
# A nonsense word is put after every this many words of the champion's answer.
_INTERLEAVE_EVERY = 2
_MIN_NONSENSE_WORD = 4
# Texts of other moments one moment borrows (see derived_replies).
_DONORS_PER_MOMENT = 4


def _group(script: str) -> str:
    """The split a script's texts may be mixed within."""
    if script in EVAL_TUNING_SCRIPT_NAMES:
        return "tuning"
    return "reported" if script in EVAL_REPORTED_SCRIPT_NAMES else script


def _text_of(entry: dict, kind: str, nth: int = 0) -> str:
    return [r["text"] for r in entry["replies"] if r["kind"] == kind][nth]


def _nonsense_sentence(entry: dict) -> str:
    """The sense-free part of a hand-written nonsense reply: its first sentence (the rest is the
    topic's hook and a next step)."""
    return sentences_of(_text_of(entry, "nonsense"))[0]


def _donors(entries: list[dict], position: int) -> list[dict]:
    """The moments of other scripts of the same split, in file order, starting further on for
    each objection of a call (so that its moments do not all borrow the same texts)."""
    own = entries[position]
    after = entries[position + 1 :] + entries[:position]
    donors = [e for e in after if e["script"] != own["script"] and _group(e["script"]) == _group(own["script"])]
    start = (_DONORS_PER_MOMENT * own["objection_index"]) % len(donors)
    return donors[start:] + donors[:start]


def _interleaved(answer: str, nonsense: str, known: str) -> str:
    """``answer`` with a word of ``nonsense`` (one the moment does not use) after every two words."""
    used = {w.lower() for w in _WORD.findall(known)}
    fillers = [w.lower() for w in _WORD.findall(nonsense) if len(w) >= _MIN_NONSENSE_WORD and w.lower() not in used]
    words = answer.split()
    mixed: list[str] = []
    for index, word in enumerate(words):
        mixed.append(word)
        if index % _INTERLEAVE_EVERY == _INTERLEAVE_EVERY - 1 and index < len(words) - 1 and fillers:
            mixed.append(fillers[(index // _INTERLEAVE_EVERY) % len(fillers)])
    return " ".join(mixed)


def _alternating(answer: str, nonsense: list[str]) -> str:
    """``answer`` with its first, third, ... sentence replaced by the sentences of ``nonsense``."""
    sentences = sentences_of(answer)
    return " ".join(nonsense[(i // 2) % len(nonsense)] if i % 2 == 0 else s for i, s in enumerate(sentences))


def _said_back(objection: str) -> str:
    """The objection turned to the buyer ("I do not see" -> "you do not see"), with a call proposed."""

    def swap(match: re.Match) -> str:
        return _SAID_BACK.get(match.group(0).lower(), match.group(0))

    sentences = [_WORD.sub(swap, s).rstrip(".?!") for s in sentences_of(objection)]
    said = "; ".join(s[:1].lower() + s[1:] for s in sentences)
    return f"So what I hear is that {said}. I totally get that. Let's book a call to talk it through."


def _unrelated(entries: list[dict], position: int, embed: Callable[[list[str]], np.ndarray]) -> dict:
    """The moment of another script of the same split whose champion answer is furthest in meaning
    from this moment's objection and champion answer: an unrelated paragraph (another call's
    answer on the same topic, such as another product's price, would be a fair answer here)."""
    entry = entries[position]
    donors = _donors(entries, position)
    own = embed([entry["objection"], _text_of(entry, CHAMPION)])
    theirs = embed([_text_of(d, CHAMPION) for d in donors])
    return donors[int(np.argmin((theirs @ own.T).max(axis=1)))]


def derived_replies(
    entries: list[dict], position: int, embed: Callable[[list[str]], np.ndarray] | None = None
) -> list[dict]:
    """The derived must-fail replies of the moment ``entries[position]`` (entries as in the file,
    hand-written replies present), as the file stores them. ``embed``: the sentence embedder that
    picks the unrelated paragraph (the product's, by default)."""
    if embed is None:
        from agents.providers.embeddings import get_embedder

        # One text at a time: a batch pads its texts to the longest, which moves vectors a little.
        embedder = get_embedder()
        embed = lambda texts: np.stack([embedder.embed([text])[0] for text in texts])  # noqa: E731
    entry = entries[position]
    champion = _text_of(entry, CHAMPION)
    donors = _donors(entries, position)
    same_call = [e for e in entries[position + 1 :] + entries[:position] if e["script"] == entry["script"]]
    texts = {
        APPENDED_NONSENSE: f"{champion} {_nonsense_sentence(donors[0])}",
        APPENDED_UNRELATED: f"{_text_of(entry, PARAPHRASE)} {_text_of(_unrelated(entries, position, embed), CHAMPION)}",
        INTERLEAVED: _interleaved(champion, _nonsense_sentence(donors[3]), f"{champion} {entry['objection']}"),
        ALTERNATING: _alternating(champion, [_nonsense_sentence(d) for d in donors[1:3]]),
        OTHER_OBJECTION: _text_of(same_call[0], CHAMPION),
        ECHO_BOOKING: _said_back(entry["objection"]),
    }
    return [{"kind": kind, "expected": "fail", "text": texts[kind]} for kind in DERIVED_KINDS]


def with_derived_replies(raw: dict, embed: Callable[[list[str]], np.ndarray] | None = None) -> dict:
    """The file's data with every moment's derived replies (re)made from its hand-written ones."""
    entries = [
        {**entry, "replies": [r for r in entry["replies"] if r["kind"] not in DERIVED_KINDS]}
        for entry in raw["moments"]
    ]
    moments = [
        {**entry, "replies": entry["replies"] + derived_replies(entries, i, embed)} for i, entry in enumerate(entries)
    ]
    return {**raw, "moments": moments}


def judge_set_json(raw: dict) -> str:
    """The file's text for ``raw``: indented, one reply a line (so a diff shows replies)."""
    text = json.dumps(raw, indent=1, ensure_ascii=False)
    for entry in raw["moments"]:
        for reply in entry["replies"]:
            indented = json.dumps(reply, indent=1, ensure_ascii=False).replace("\n", "\n    ")
            text = text.replace(indented, json.dumps(reply, ensure_ascii=False), 1)
    return text + "\n"


def main() -> None:  # pragma: no cover - writes the package's data file
    path = Path(str(resources.files("agents.scripts").joinpath(JUDGE_SET_FILE)))
    path.write_text(judge_set_json(with_derived_replies(json.loads(path.read_text("utf-8")))), "utf-8")


if __name__ == "__main__":  # pragma: no cover
    main()
