"""Offline practice scenarios, drawn from the champion's own call.

The objections of every scenario are the buyer's real objections from the recording, in the order
they were raised, each with the champion's answer attached (the training judge scores a rep
against it). Persona, context and goal come from what the call says: the buyer's role, the
industry's vocabulary, the seller's company, the buyer's pains and the champion's closing ask.
Difficulties differ by how much of the call the rep must get through:

- easy: the first objection, with a cooperative buyer;
- medium: the first two objections in order (all of them when there are two or fewer), with a
  busy buyer;
- hard: every objection in order, with a skeptical buyer who pushes back before giving ground.
"""

from __future__ import annotations

import re
from collections import Counter

from agents.reasoning import categories as cat
from agents.reasoning.extraction import objection_topic
from agents.types import CallMetrics, Objection, Pattern, ScenarioSpec, Transcript

# Keyword lists per industry, matched on the transcript; the best-scoring industry names the
# buyer's company. Broad on purpose: a wrong guess only colours the persona.
INDUSTRY_KEYWORDS: dict[str, tuple[str, ...]] = {
    "logistics": (
        "truck",
        "trucks",
        "driver",
        "drivers",
        "delivery",
        "deliveries",
        "fleet",
        "warehouse",
        "warehouses",
        "route",
        "routes",
        "shipment",
        "shipping",
        "freight",
    ),
    "insurance": (
        "policy",
        "policies",
        "premium",
        "claim",
        "claims",
        "coverage",
        "cover",
        "deductible",
        "insured",
        "uninsured",
        "renewal",
        "liability",
    ),
    "software": (
        "software",
        "platform",
        "app",
        "integration",
        "users",
        "licence",
        "license",
        "dashboard",
        "tickets",
        "ticket",
        "crm",
        "cloud",
        "module",
        "data",
    ),
    "retail and e-commerce": ("store", "online store", "shop", "customers", "orders", "returns"),
    "manufacturing": ("plant", "factory", "production", "machines", "manufacturer", "parts"),
    "healthcare": ("patients", "clinic", "hospital", "doctors", "nurses", "medical"),
    "education": ("school", "schools", "students", "teachers", "district", "classroom"),
    "hospitality": ("hotel", "hotels", "guests", "housekeeping", "restaurant", "restaurants"),
    "energy": ("solar", "electricity", "energy", "panels", "power", "utility"),
    "professional services": ("firm", "partners", "clients", "law", "legal", "accounting"),
}
_ROLE = re.compile(
    r"\b((?:head of [a-z]+(?: [a-z]+)?)|(?:(?:chief|managing) [a-z]+ (?:officer|partner|director))"
    r"|(?:[a-z]+ (?:manager|director|officer|lead|partner))|cfo|ceo|coo|cto|owner|founder)\b"
)
_PAIN = re.compile(
    r"(?<!no )\b(?:lost|lose|losing|late|delay|delays|mistakes?|errors?|complain\w*|dropped|problem|"
    r"mess|chaotic|wait|waiting|stop|manual|by hand|leave|left)\b"
)
_DIFFICULTY_PERSONA = {
    "easy": "open and friendly, willing to be convinced by a clear answer",
    "medium": "busy and direct, expects concrete answers before moving on",
    "hard": "skeptical and guarded, pushes back before giving ground on each concern",
}


def recording_objections(patterns: list[Pattern]) -> list[Objection]:
    """The buyer's objections in time order, each with the champion's answer when there is one."""
    ordered = sorted(patterns, key=lambda p: (p.start, p.end))
    objections: list[Objection] = []
    for index, pattern in enumerate(ordered):
        if pattern.category != cat.OBJECTION:
            continue
        response = next(
            (
                later.text
                for later in ordered[index + 1 :]
                if later.category == cat.OBJECTION_RESPONSE and later.responds_to == pattern.text
            ),
            None,
        )
        objections.append(Objection(text=pattern.text, champion_response=response, start=pattern.start))
    return objections


def detect_industry(text: str) -> str | None:
    lowered = text.lower()
    counts = Counter(
        {
            industry: sum(len(re.findall(rf"\b{re.escape(word)}\b", lowered)) for word in words)
            for industry, words in INDUSTRY_KEYWORDS.items()
        }
    )
    industry, count = max(counts.items(), key=lambda item: (item[1], item[0]), default=(None, 0))
    return industry if count >= 2 else None


def detect_buyer_role(transcript: Transcript) -> str | None:
    """The buyer's job title: said by the buyer first ("I'm the operations director"), else by the
    champion ("your role as head of support")."""
    other_text = " ".join(s.text for s in transcript.segments if s.speaker == "other").lower()
    for match in _ROLE.finditer(other_text):
        # "our finance director" is someone else; "I am the ... director" is the buyer.
        before = other_text[max(0, match.start() - 12) : match.start()]
        if re.search(r"\b(?:i am|i'm|as)(?: the| a)? ?$", before):
            return match.group(1)
    champion_text = " ".join(s.text for s in transcript.segments if s.speaker == "champion").lower()
    for match in _ROLE.finditer(champion_text):
        before = champion_text[max(0, match.start() - 16) : match.start()]
        if re.search(r"\byou(?:r role)? as(?: the| a)? ?$|\byou are the ?$", before):
            return match.group(1)
    # "How your support team works": the buyer runs that team.
    team = re.search(r"\byour ([a-z]+) team\b", champion_text)
    if team and team.group(1) not in ("whole", "entire", "own", "current", "new"):
        return f"head of {team.group(1)}"
    return None


def _pain_quote(transcript: Transcript) -> str | None:
    for segment in transcript.segments:
        if segment.speaker == "other" and _PAIN.search(segment.text.lower()):
            return segment.text.strip()
    return None


def _closing_ask(patterns: list[Pattern]) -> str | None:
    closings = [p for p in patterns if p.category == cat.CLOSING]
    return closings[0].text if closings else None


def _company_name(patterns: list[Pattern]) -> str | None:
    for pattern in patterns:
        if pattern.category == cat.OPENER:
            match = re.search(r"\b(?:from|at|with) ((?:[A-Z][\w'-]+)(?: [A-Z][\w'-]+){0,2})", pattern.text)
            if match:
                return match.group(1)
    return None


def _topic_phrase(objections: list[Objection]) -> str:
    topics = [objection_topic(o.text) or "general" for o in objections]
    names = list(dict.fromkeys("concern" if t in ("general", "risk") else t for t in topics))
    if not names:
        return "the buyer's questions"
    if len(names) == 1:
        return f"the {names[0]} objection"
    return "the " + ", ".join(names[:-1]) + f" and {names[-1]} objections"


def generate_scenarios_offline(
    patterns: list[Pattern], transcript: Transcript, metrics: CallMetrics
) -> list[ScenarioSpec]:
    objections = recording_objections(patterns)
    # The buyer's own words say what their business is; the seller's describe the product.
    buyer_text = " ".join(s.text for s in transcript.segments if s.speaker == "other")
    industry = detect_industry(buyer_text) or detect_industry(transcript.text)
    role = detect_buyer_role(transcript) or "decision maker"
    company = _company_name(patterns)
    seller = company or "the seller"
    article = "an" if industry and industry[0] in "aeiou" else "a"
    buyer_company = f"{article} {industry} company" if industry else "a prospective customer"
    pain = _pain_quote(transcript)
    value = next((p.text for p in patterns if p.category == cat.VALUE_STATEMENT), None)
    ask = _closing_ask(patterns)

    context_parts = [f"You are calling the {role} of {buyer_company} on behalf of {seller}."]
    if pain:
        context_parts.append(f'In the champion\'s call the buyer said: "{pain}"')
    if value:
        context_parts.append(f'The champion\'s pitch: "{value}"')
    if metrics.duration_seconds > 0:
        context_parts.append(
            f"The champion asked {_count(metrics.question_count, 'question')} in {_call_length(metrics.duration_seconds)}."
        )
    context = " ".join(context_parts)
    next_step = f' Aim for the same next step as the champion: "{ask}"' if ask else (" Secure a concrete next step.")

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
    scenarios: list[ScenarioSpec] = []
    for difficulty, subset in subsets.items():
        topics = _topic_phrase(subset)
        count = len(subset)
        title = (
            f"{topics[4:].capitalize()} from the {role}"
            if count == 1
            else f"{count} objections from the {role}: {topics[4:]}"
        )
        scenarios.append(
            ScenarioSpec(
                title=f"{title} ({difficulty})",
                persona=f"The {role} of {buyer_company}, {_DIFFICULTY_PERSONA[difficulty]}.",
                context=context,
                goal=f"Handle {topics} the way the champion did, in order." + next_step,
                objections=[Objection(o.text, o.champion_response, o.start) for o in subset],
                difficulty=difficulty,
            )
        )
    return scenarios


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _call_length(seconds: float) -> str:
    """ "45 seconds", "1 minute", "12 minutes": a short call is not rounded up to a minute."""
    if seconds < 90:
        return _count(round(seconds), "second")
    return _count(round(seconds / 60), "minute")
