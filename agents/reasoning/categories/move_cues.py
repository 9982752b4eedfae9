"""Cues of the champion's moves, the rules that embeddings alone get wrong: a question is a
question whatever its topic, a greeting opens, a proposed action closes, figures and a
beneficiary make a value statement. Each is matched on the lower-cased utterance."""

from __future__ import annotations

import re

from agents.reasoning.categories.phrases import phrase_pattern

QUESTION_START = phrase_pattern(
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
AGENDA_CHECK = phrase_pattern(
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
GREETING = phrase_pattern(
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
CLOSING_CUE = phrase_pattern(
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
FAREWELL = phrase_pattern("thanks again", "thank you again", "talk soon", "speak soon", "bye", "goodbye")
RECAP_CUE = phrase_pattern(
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
VALUE_CUE = phrase_pattern(
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

# "It is not just a paperwork problem": a reframe, the kind of line reps should learn by heart.
REFRAME = re.compile(r"\bnot (?:just|only|really|simply) (?:a|an|about)\b")

# A bare acknowledgment ("Okay.", "Sure, yes."): a sentence that is no move at all.
FILLER_ACKNOWLEDGMENT = re.compile(
    r"^(?:ok(?:ay)?|sure|right|yes|yeah|great|perfect|excellent|got it|maybe|good|fine|"
    r"of course|absolutely|exactly|i see|thanks?(?: you)?)[.,!]?$"
)
