"""Pattern categories, their prototype sentences and the linguistic cues of the offline engine.

The prototypes are generic sales-call sentences written for this purpose; none is taken from the
labelled scripts in ``agents/scripts/`` (the extractor is evaluated on those). The offline engine
compares each utterance with them in embedding space; the cues are the rules that embeddings alone
get wrong (a question is a question whatever its topic; a buyer's "budget" is an objection).
"""

from __future__ import annotations

import re

OPENER = "opener"
DISCOVERY_QUESTION = "discovery_question"
OBJECTION = "objection"
OBJECTION_RESPONSE = "objection_response"
VALUE_STATEMENT = "value_statement"
CLOSING = "closing"
KEY_PHRASE = "key_phrase"

CATEGORIES: tuple[str, ...] = (
    OPENER,
    DISCOVERY_QUESTION,
    OBJECTION,
    OBJECTION_RESPONSE,
    VALUE_STATEMENT,
    CLOSING,
    KEY_PHRASE,
)
# Moves of the champion; an objection is the buyer's.
CHAMPION_CATEGORIES: tuple[str, ...] = tuple(c for c in CATEGORIES if c != OBJECTION)

CATEGORY_LABELS: dict[str, str] = {
    OPENER: "opening",
    DISCOVERY_QUESTION: "discovery question",
    OBJECTION: "objection",
    OBJECTION_RESPONSE: "objection handling",
    VALUE_STATEMENT: "value statement",
    CLOSING: "closing",
    KEY_PHRASE: "key phrase",
}

PROTOTYPES: dict[str, tuple[str, ...]] = {
    OPENER: (
        "Hi, thanks for taking the time to talk with me today.",
        "Good afternoon, my name is Alex and I'm calling from Northwind.",
        "Thank you for joining, I really appreciate you fitting me into your schedule.",
        "Before we dive in, let me share what I'd like to cover in this call.",
        "The purpose of this call is to learn about your business and see if we are a fit.",
        "I'll ask a few questions first, then show you how we work, if that is okay.",
        "Hello, it's great to finally meet you.",
        "We'll keep this short and focused on your priorities.",
    ),
    DISCOVERY_QUESTION: (
        "How does your team handle this process today?",
        "What are the biggest challenges you face with your current setup?",
        "Can you tell me more about how that affects your customers?",
        "How many people work on this every week?",
        "What would success look like for you at the end of the year?",
        "Walk me through what happens when something goes wrong.",
        "What have you tried so far to fix it?",
        "Who else is involved when you make a decision like this?",
        "How much time does your team lose to this each month?",
    ),
    OBJECTION: (
        "That's too expensive for us right now.",
        "We don't have the budget for this this year.",
        "The timing isn't right, maybe come back next quarter.",
        "We're already working with another vendor and we're happy with them.",
        "I'm not sure this is a priority for us.",
        "I need to run this by my boss before I can commit.",
        "I'm worried about how long the implementation will take.",
        "Honestly, I don't think we really need this.",
        "Your competitor offered us a lower price.",
        "We tried something like this before and it didn't work.",
        "How much is this going to cost us every month?",
        "Our current supplier is a lot cheaper than that.",
        "I'd have to get the partners to agree before we change anything.",
        "The last vendor made big promises and did not deliver.",
        "Changing systems would be a huge disruption for my team.",
        "We signed a three year contract with our current provider.",
        "I'm not convinced the results would be the same for us.",
        "Can you send me some information and I'll think about it?",
    ),
    # Not a category: the buyer's plain answers and agreement, the contrast that tells an
    # objection from a buyer who merely talks about prices or vendors.
    "buyer_neutral": (
        "We have about fifty people on the team.",
        "Right now we do most of it by hand.",
        "Yes, that's exactly right.",
        "That sounds good to me.",
        "We use a spreadsheet for that at the moment.",
        "Our main customers are in the food industry.",
        "It usually takes a couple of days.",
        "Thursday afternoon works for me.",
        "That would be really helpful, thanks.",
        "We had a rough quarter because of late orders.",
        "The sales team complains about it all the time.",
        "Sure, go ahead, I have a few minutes.",
    ),
    OBJECTION_RESPONSE: (
        "I completely understand, and many of our clients felt the same way at first.",
        "That's a fair concern, let me explain how we handle it.",
        "I hear you on the price, so let's look at the return you would get.",
        "That makes sense, and we can start small to reduce the risk.",
        "Good question, our team takes care of the whole setup for you.",
        "I understand the timing is tight, which is why we offer a phased rollout.",
    ),
    VALUE_STATEMENT: (
        "Our customers typically save ten hours a week per person.",
        "This reduces your costs by around twenty percent in the first year.",
        "You get everything in one place, so nothing falls through the cracks.",
        "It means your team can focus on selling instead of paperwork.",
        "Clients like you usually see a full return on investment within six months.",
        "The platform automates the manual work and cuts errors in half.",
        "That protects your revenue if something goes wrong.",
        "We include training and support at no extra cost.",
    ),
    CLOSING: (
        "What's the best next step from your side?",
        "Can we schedule a follow up meeting next week?",
        "I'll send over the proposal and a calendar invite today.",
        "Shall we set up a trial for your team starting Monday?",
        "If everything looks good, could we get the contract signed by the end of the month?",
        "Let's book a demo with your manager on Thursday.",
        "Thanks again for your time, I'll follow up by email.",
        "Does it make sense to move forward with a pilot?",
    ),
    KEY_PHRASE: (
        "So if I understand you correctly, the main issue is the time it takes.",
        "What I'm hearing is that your team is stretched too thin.",
        "In other words, the problem costs you customers every month.",
        "Let me summarize what you just told me.",
        "So the real challenge is not the people, it's the process.",
        "Just to check I understood, the delays are hurting your revenue.",
    ),
}

# --- Rules ------------------------------------------------------------------------------------
# Each cue set is a regex of whole words/phrases matched on the lower-cased utterance.


def _words(*phrases: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(phrases) + r")\b")


QUESTION_START = _words(
    "what",
    "how",
    "why",
    "when",
    "where",
    "which",
    "who",
    "whom",
    "whose",
    "can you",
    "could you",
    "would you",
    "will you",
    "do you",
    "does",
    "did you",
    "are you",
    "is it",
    "is there",
    "is that",
    "have you",
    "has your",
    "tell me",
    "walk me through",
    "shall we",
    "should we",
    "may i",
    "could we",
    "can we",
    "would it",
)
# Agenda checks and permission questions belong to the opening, not to discovery.
AGENDA_CHECK = _words(
    "does that sound",
    "sound fair",
    "sound good",
    "is that okay",
    "is that ok",
    "is that all right",
    "do you have a few minutes",
    "is now a good time",
    "okay with you",
)
GREETING = _words(
    "hi",
    "hello",
    "good morning",
    "good afternoon",
    "good evening",
    "thanks for",
    "thank you for",
    "this is",
    "my name is",
    "calling from",
    "here from",
    "from our",
    "nice to meet",
    "appreciate you",
    "making the time",
    "taking my call",
    "plan for today",
    "goal today",
    "my goal",
    "purpose of",
    "agenda",
)
# A closing move proposes an action; the vocabulary below alone ("contract", "sign") also shows
# up in answers and value statements.
ACTION_PROPOSAL = re.compile(
    r"^(?:so |great[.,]? |perfect[.,]? )?(?:i will|i'll|we will|we'll|let's|let us|shall we|"
    r"can we|could we|should we|why don't (?:i|we)|how about|would you be open|are you open|"
    r"would it make sense|as a next step|the next step)|\bnext steps?\b"
)
CLOSING_CUE = _words(
    "next step",
    "next steps",
    "schedule",
    "book",
    "calendar",
    "invite",
    "invitation",
    "send you",
    "send over",
    "i will send",
    "i'll send",
    "proposal",
    "pilot",
    "trial",
    "contract",
    "sign",
    "kickoff",
    "kick off",
    "follow up",
    "set up",
    "set (?:it|that|this|something|a time) up",
    "get started",
    "move forward",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "next week",
    "next month",
)
FAREWELL = _words("thanks again", "thank you again", "talk soon", "speak soon", "bye", "goodbye")
RECAP_CUE = _words(
    "if i heard you",
    "if i understand",
    "if i understood",
    "what i am hearing",
    "what i'm hearing",
    "in other words",
    "to summarize",
    "to summarise",
    "let me make sure",
    "make sure i",
    "have this right",
    "have that right",
    "got this right",
    "got that right",
    "let me summarize",
    "let me summarise",
    "let me recap",
    "so you are saying",
    "so you're saying",
    "the real problem",
    "the real challenge",
    "the real issue",
)
VALUE_CUE = _words(
    "save",
    "saves",
    "saving",
    "savings",
    "cut",
    "cuts",
    "reduce",
    "reduces",
    "lower",
    "lowers",
    "increase",
    "increases",
    "improve",
    "improves",
    "faster",
    "percent",
    "return",
    "roi",
    "in minutes",
    "in seconds",
    "instead of",
    "automatically",
    "covers",
    "include",
    "includes",
    "protects",
    "typically",
    "usually",
    "so that",
    "so you",
    "so your",
    "which means",
    "you get",
    "lets you",
    "helps you",
)
# "Companies like yours ...": social proof, a value statement.
SOCIAL_PROOF = re.compile(r"\b\w+s like (?:you|yours)\b")
# "You get", "your team also gets", "managers get": the buyer's side as the beneficiary.
BENEFICIARY_GETS = re.compile(r"\b(?:you|your \w+|\w+s)(?: also)? gets?\b")
# Buyer objections: topics that are objections whoever mentions them, and markers of
# resistance that make a sentence an objection only together with a topic or a high similarity.
OBJECTION_TOPIC = {
    "price": _words(
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
    "timing": _words(
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
    "competitor": _words(
        "already (?:use|uses|using|have|has|pay|pays|paying|work with|working with|got)",
        "current (?:vendor|provider|supplier|system|tool)",
        "another (?:company|vendor|tool|system)",
        "second (?:system|tool|vendor)",
        "competitors?",
        "happy with",
        "switch(?:ing)?",
    ),
    "authority": _words(
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
    "need": _words(
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
    "risk": _words(
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
RESISTANCE_MARKER = _words(
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
# How a seller opens an answer to a concern. When the champion's turn starts like this, the
# buyer's turn just before it was very likely an objection: the answer reveals the question.
CONCERN_ACKNOWLEDGMENT = re.compile(
    r"^(?:i (?:completely |totally |fully )?(?:understand|get (?:that|it)|hear you)|"
    r"(?:that is|that's|it is|it's) (?:a )?(?:fair|good|great|valid|real|common|reasonable)|"
    r"(?:completely|totally) understandable|that makes (?:total |a lot of )?sense|"
    r"(?:good|fair|great) (?:point|question)|of course|thanks for (?:telling|sharing|raising)|"
    r"(?:that is|that's|that must be) (?:frustrating|tough|hard|annoying)|i can imagine|"
    r"i appreciate (?:that|you)|"
    r"(?:a lot of|many|most) (?:of )?(?:our )?\w+ (?:ask|say|tell|had|felt)|"
    r"we hear (?:that|this))"
)
# "It is not just a paperwork problem": a reframe, the kind of line reps should learn by heart.
REFRAME = re.compile(r"\bnot (?:just|only|really|simply) (?:a|an|about)\b")

FILLER_ACKNOWLEDGMENT = re.compile(
    r"^(?:ok(?:ay)?|sure|right|yes|yeah|great|perfect|excellent|got it|maybe|good|fine|"
    r"of course|absolutely|exactly|i see|thanks?(?: you)?)[.,!]?$"
)
