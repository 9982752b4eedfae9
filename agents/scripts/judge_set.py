"""The judge's labelled evaluation set: ``eval/judge_set.json`` beside this module.

One moment per objection of each evaluation script (:data:`agents.scripts.EVAL_SCRIPT_NAMES`):
the buyer's objection as said in the call and labelled replies to it. The champion's own answer
and paraphrases of it must pass at every difficulty; every other kind must fail, and a cheating
rep would try each of them (see the file's description for what each kind is).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from agents.scripts import EVAL_DIRECTORY

CHAMPION = "champion"
PARAPHRASE = "paraphrase"
# Replies as good as the champion's: they must pass.
STRONG_KINDS: tuple[str, ...] = (CHAMPION, PARAPHRASE)
# Replies a cheating or careless rep would try: they must fail.
ADVERSARIAL_KINDS: tuple[str, ...] = ("nonsense", "salad", "off_topic", "filler", "pushy", "dismissive")
# Relevant but without substance: must fail too, reported apart from the adversarial kinds.
WEAK = "weak"
REPLY_KINDS: tuple[str, ...] = (*STRONG_KINDS, *ADVERSARIAL_KINDS, WEAK)
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
