"""Cues of the buyer's objections: topics that are objections whoever mentions them (a buyer's
"budget"), markers of resistance, and the seller's acknowledgment that reveals one. Each is
matched on the lower-cased utterance."""

from __future__ import annotations

import re

from agents.reasoning.categories.phrases import phrase_pattern

# Buyer objections: topics that are objections whoever mentions them, and markers of
# resistance that make a sentence an objection only together with a topic or a high similarity.
OBJECTION_TOPIC = {
    "price": phrase_pattern(
        "price",
        "prices",
        "pricing",
        "cost",
        "costs",
        "expensive",
        "cheaper",
        "budget",
        "afford",
        "money",
        "premium",
        "too much",
        "discount",
        "margins?",
        "pay for",
        "per (?:user|seat|month|employee|year)",
    ),
    "timing": phrase_pattern(
        "timing",
        "right now",
        "not now",
        "next quarter",
        "next year",
        "busy season",
        "too busy",
        "bad time",
        "later",
        "wait until",
    ),
    "competitor": phrase_pattern(
        "already (?:use|uses|using|have|has|pay|pays|paying|work with|working with|got)",
        "current (?:vendor|provider|supplier|system|tool)",
        "another (?:company|vendor|tool|system)",
        "second (?:system|tool|vendor)",
        "competitors?",
        "happy with",
        "switch(?:ing)?",
    ),
    "authority": phrase_pattern(
        "sign off",
        "approve",
        "approval",
        "my boss",
        "our owner",
        "the board",
        "our board",
        "finance director",
        "take this to",
        "run this by",
        "check with",
        "not my decision",
        "decision maker",
        "committee",
        "before we commit",
        "cannot commit",
        "can't commit",
        "on board",
    ),
    "need": phrase_pattern(
        "do not need",
        "don't need",
        "do not think we need",
        "don't think we need",
        "not a priority",
        "do not see why",
        "don't see why",
        "works fine",
        "good enough",
        "why would (?:i|we)",
        "why should (?:i|we)",
    ),
    "risk": phrase_pattern(
        "worr(?:y|ies|ied|ying)",
        "concern(?:s|ed)?",
        "risks?",
        "risky",
        "refuse",
        "not sure",
        "doubts?",
        "doubtful",
        "skeptical",
        "afraid",
        "scar(?:e|es|ed|y)",
        "nervous",
        "hesitant",
        "tried before",
        "did not work",
        "didn't work",
    ),
}
RESISTANCE_MARKER = phrase_pattern(
    "but",
    "however",
    "honestly",
    "even so",
    "still",
    "though",
    "not",
    "cannot",
    "can't",
    "won't",
    "do not",
    "don't",
    "too",
    "also",
)
# An objection phrased as a condition: what must happen before the buyer says yes ("I would need
# to run this by our CFO", "unless it integrates with our ERP"). Grammar, not topic: evidence only
# together with a sentence that is closer to the objections than to the buyer's plain answers.
CONDITION_MARKER = phrase_pattern(
    "unless",
    "only if",
    r"only (?:makes sense|works|helps) if",
    "as long as",
    r"(?:would|will|'d) (?:need|have) to",
    r"(?:have|need) to see",
    "before anything else",
)
# A buyer asking the seller for something (material, a demo, a reference): a request, not an
# objection, even when it names the price ("Can you send me the pricing?", "A clear cost
# comparison would help."). Grammar of the speech act, not topic words.
REQUEST_FORM = phrase_pattern(
    r"(?:can|could|would|will) you (?:send|share|show|email|give|include|prepare|bring|put|get)",
    r"(?:please )?send (?:me|us|over)",
    r"would (?:really |also |definitely |certainly )?(?:help|be (?:useful|helpful|great|good))",
    r"(?:i|we)(?:'d| would) (?:like|love) to (?:see|get|have|talk|hear)",
    r"put (?:that|it) in",
)
# How a seller opens an answer to a concern. When the champion's turn starts like this, the
# buyer's turn just before it was very likely an objection: the answer reveals the question.
CONCERN_ACKNOWLEDGMENT = re.compile(
    r"^(?:i (?:completely |totally |fully )?(?:understand|get (?:that|it)|hear you)|"
    r"(?:that is|that's|it is|it's) (?:a )?(?:fair|good|great|valid|real|common|reasonable)|"
    r"(?:completely|totally|entirely|very) fair|"
    r"(?:completely|totally) understandable|that makes (?:total |a lot of )?sense|"
    r"(?:good|fair|great) (?:point|question)|of course|thanks for (?:telling|sharing|raising)|"
    r"(?:that is|that's|that must be) (?:frustrating|tough|hard|annoying)|i can imagine|"
    r"i appreciate (?:that|you)|"
    r"(?:a lot of|many|most) (?:of )?(?:our )?\w+ (?:ask|say|tell|had|felt)|"
    r"we hear (?:that|this))"
)
