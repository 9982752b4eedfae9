"""What the champion's call says about the buyer and the deal: the objections in order, the
buyer's industry and role, their pain, the seller's company and the champion's closing ask."""

from __future__ import annotations

import re
from collections import Counter

from agents.reasoning import categories as cat
from agents.reasoning.extraction import COMPANY_INTRO
from agents.reasoning.listening.clean import clean_line
from agents.types import Objection, Pattern, Transcript

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


def pain_quote(transcript: Transcript) -> str | None:
    """The buyer's first line that names a pain, cleaned as the prospect would say it (no
    hesitations, stutters or sound tags): the scenario quotes it to the rep and the prospect."""
    for segment in transcript.segments:
        if segment.speaker == "other" and _PAIN.search(segment.text.lower()):
            line = clean_line(segment.text)
            if line:
                return line
    return None


def closing_ask(patterns: list[Pattern]) -> str | None:
    closings = [p for p in patterns if p.category == cat.CLOSING]
    return closings[0].text if closings else None


def company_name(patterns: list[Pattern]) -> str | None:
    """The seller's company, as the champion names it in the opening."""
    for pattern in patterns:
        if pattern.category == cat.OPENER:
            match = COMPANY_INTRO.search(pattern.text)
            if match:
                return match.group(1)
    return None
