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
        "no room",
        r"not the (?:moment|right time)",
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
        "procurement",
        "tenders?",
        "general manager",
        r"final (?:word|say)",
        r"vot(?:e|ed|ing) on",
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
        # A doubt asked as a question: "what happens if your company goes under?", "how would I
        # know the figures are right?", "how would a shop like ours ever get those results?"
        "what happens (?:if|when|to)",
        "what if",
        r"how (?:would|do|can|could|will) (?:i|we) (?:know|be sure|trust)",
        r"how (?:would|could|can) [\w' ]+ ever",
        r"(?:can|will|does|do|is) (?:you|it|this|that) really",
        r"(?:isn't|is not) (?:this|it|that) just",
        r"how (?:secure|safe|reliable)",
        "bad experience",
        "burned",
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
    r"\w+n't",
    "too",
    "also",
)
# Resistance words that also just describe ("print still brings in most of the money", "we also
# sell online"): in the buyer's answer to a question they are not resistance on their own.
DESCRIPTIVE_RESISTANCE = phrase_pattern("still", "also")
# The buyer opening with agreement ("Okay, that makes sense, the cost is reasonable.", "Fine,
# offline mode covers most of it.") or approving ("the price seems fair"): not an objection unless
# the sentence also resists or states a condition, however many topic words follow.
AGREEMENT_OPENING = re.compile(
    r"^(?:okay|ok|yes|yeah|sure|fine|alright|all right|fair enough|great|good|perfect|right|exactly|"
    r"absolutely|true|(?:that is|that's) (?:true|right|exactly (?:it|right))|"
    r"that makes sense|makes sense|that sounds (?:good|great|fair|right))\b"
)
APPROVAL = phrase_pattern(
    r"(?:seems?|looks?|sounds?|is) (?:fair|reasonable|fine|doable|realistic|affordable)",
    r"(?:is|sounds|looks) (?:a lot |much |far )?(?:better|easier) than",
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
    r"(?:have|need|want) to see",
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
    r"(?:completely|totally) understandable|that makes (?:total |complete |perfect |a lot of )?sense|"
    r"(?:that is|that's) (?:completely |totally )?understandable|you(?: are|'re) (?:right|not wrong)|"
    r"i (?:completely |totally |fully )?agree|i(?: am|'m) sorry|"
    r"(?:that is|that's) (?:exactly )?the right thing to|"
    r"(?:good|fair|great) (?:point|question)|of course|thanks for (?:telling|sharing|raising)|"
    r"(?:that is|that's|that must be) (?:frustrating|tough|hard|annoying)|i can imagine|"
    r"i appreciate (?:that|you)|understood|"
    r"(?:that is|that's) (?:exactly )?the right (?:worry|question|concern)|"
    r"(?:a lot of|many|most) (?:of )?(?:our )?(?:\w+ ){1,2}(?:ask|say|tell|had|felt)|"
    r"we hear (?:that|this))"
)
