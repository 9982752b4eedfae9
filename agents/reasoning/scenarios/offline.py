"""The offline scenarios: one per difficulty, each a longer stretch of the call's objections."""

from __future__ import annotations

from agents.reasoning import categories as cat
from agents.reasoning.categories.topics import objection_topic_of
from agents.reasoning.scenarios.call_facts import (
    closing_ask,
    company_name,
    detect_buyer_role,
    detect_industry,
    pain_quote,
    recording_objections,
)
from agents.types import CallMetrics, Objection, Pattern, ScenarioSpec, Transcript

_DIFFICULTY_PERSONA = {
    "easy": "open and friendly, willing to be convinced by a clear answer",
    "medium": "busy and direct, expects concrete answers before moving on",
    "hard": "skeptical and guarded, pushes back before giving ground on each concern",
}


def generate_scenarios_offline(
    patterns: list[Pattern], transcript: Transcript, metrics: CallMetrics
) -> list[ScenarioSpec]:
    objections = recording_objections(patterns)
    role, buyer_company = _buyer(transcript)
    context = _context(patterns, transcript, metrics, role=role, buyer_company=buyer_company)
    next_step = _next_step(patterns)
    if not objections:
        # A call without objections still teaches discovery and closing.
        return [
            ScenarioSpec(
                title=f"Discovery call with the {role}",
                persona=f"The {role} of {buyer_company}, {_DIFFICULTY_PERSONA['easy']}.",
                context=context,
                goal="Uncover the buyer's situation with open questions and present the value "
                "in their terms." + next_step,
                objections=[],
                difficulty="easy",
            )
        ]
    subsets = {
        "easy": objections[:1],
        "medium": objections[:2] if len(objections) > 2 else objections,
        "hard": objections,
    }
    return [
        _objection_scenario(
            difficulty, subset, role=role, buyer_company=buyer_company, context=context, next_step=next_step
        )
        for difficulty, subset in subsets.items()
    ]


def _buyer(transcript: Transcript) -> tuple[str, str]:
    """The buyer's role and company ("the operations director" of "a logistics company")."""
    # The buyer's own words say what their business is; the seller's describe the product.
    buyer_text = " ".join(s.text for s in transcript.segments if s.speaker == "other")
    industry = detect_industry(buyer_text) or detect_industry(transcript.text)
    role = detect_buyer_role(transcript) or "decision maker"
    article = "an" if industry and industry[0] in "aeiou" else "a"
    buyer_company = f"{article} {industry} company" if industry else "a prospective customer"
    return role, buyer_company


def _context(
    patterns: list[Pattern], transcript: Transcript, metrics: CallMetrics, *, role: str, buyer_company: str
) -> str:
    """Who the rep calls on behalf of whom, the buyer's pain and the champion's pitch, in the
    call's own words, and how the champion's call went."""
    seller = company_name(patterns) or "the seller"
    pain = pain_quote(transcript)
    value = next((p.text for p in patterns if p.category == cat.VALUE_STATEMENT), None)
    context_parts = [f"You are calling the {role} of {buyer_company} on behalf of {seller}."]
    if pain:
        context_parts.append(f'In the champion\'s call the buyer said: "{pain}"')
    if value:
        context_parts.append(f'The champion\'s pitch: "{value}"')
    if metrics.duration_seconds > 0:
        context_parts.append(
            f"The champion asked {_count(metrics.question_count, 'question')} in {_call_length(metrics.duration_seconds)}."
        )
    return " ".join(context_parts)


def _next_step(patterns: list[Pattern]) -> str:
    ask = closing_ask(patterns)
    return f' Aim for the same next step as the champion: "{ask}"' if ask else " Secure a concrete next step."


def _objection_scenario(
    difficulty: str, subset: list[Objection], *, role: str, buyer_company: str, context: str, next_step: str
) -> ScenarioSpec:
    topics = _topic_phrase(subset)
    count = len(subset)
    title = (
        f"{topics[4:].capitalize()} from the {role}"
        if count == 1
        else f"{count} objections from the {role}: {topics[4:]}"
    )
    return ScenarioSpec(
        title=f"{title} ({difficulty})",
        persona=f"The {role} of {buyer_company}, {_DIFFICULTY_PERSONA[difficulty]}.",
        context=context,
        goal=f"Handle {topics} the way the champion did, in order." + next_step,
        objections=[Objection(o.text, o.champion_response, o.start) for o in subset],
        difficulty=difficulty,
    )


def objection_topic_names(objections: list[Objection]) -> list[str]:
    """The topic name of each objection as titles say it, by best match over the objection's whole
    line (the extractor's topic of the same text): a risk or an unknown topic is a "concern"."""
    topics = [objection_topic_of(o.text) for o in objections]
    return ["concern" if topic in (None, "risk") else topic for topic in topics]


def _topic_phrase(objections: list[Objection]) -> str:
    names = list(dict.fromkeys(objection_topic_names(objections)))
    if not names:
        return "the buyer's questions"
    if len(names) == 1:
        return f"the {names[0]} objection"
    return "the " + ", ".join(names[:-1]) + f" and {names[-1]} objections"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _call_length(seconds: float) -> str:
    """ "45 seconds", "1 minute", "12 minutes": a short call is not rounded up to a minute."""
    if seconds < 90:
        return _count(round(seconds), "second")
    return _count(round(seconds / 60), "minute")
