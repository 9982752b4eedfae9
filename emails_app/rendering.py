"""Rendering of staff-editable email templates.

Templates are Django template language rendered on a **plain, whitelisted context** (strings
and numbers built by ``context_for``): no model object reaches a template, so a template can
neither walk into the database nor call a method with side effects. A separate template engine
knows no tag library and no template file: ``{% load %}``, ``{% include %}``, ``{% extends %}``,
``{% url %}`` and ``{% debug %}`` are refused when the template is saved. HTML is
auto-escaped, and ``|safe``, ``|safeseq`` and ``{% autoescape off %}`` are refused so it
stays so; the subject and the text body are not escaped (they are not HTML).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from django.template import Context, Engine, Template, TemplateSyntaxError
from django.template.base import VariableNode
from django.template.defaulttags import AutoEscapeControlNode, CsrfTokenNode, DebugNode, LoadNode, URLNode
from django.template.loader_tags import ExtendsNode, IncludeNode

from emails_app.models import Trigger

_ENGINE = Engine(loaders=[("django.template.loaders.locmem.Loader", {})], libraries={}, debug=False)
REFUSED_NODES = {
    DebugNode: "{% debug %}",
    LoadNode: "{% load %}",
    URLNode: "{% url %}",
    IncludeNode: "{% include %}",
    ExtendsNode: "{% extends %}",
    CsrfTokenNode: "{% csrf_token %}",
    # Escaping must stay on: the variables carry text users typed (names of champions).
    # (Django itself refuses {% filter safe %}.)
    AutoEscapeControlNode: "{% autoescape %}",
}
UNESCAPING_FILTERS = {"safe", "safeseq"}

COMMON_VARIABLES = {
    "user_name": "The user's full name (or the start of their email address)",
    "first_name": "The user's first name (or 'there')",
    "user_email": "The user's email address",
    "site_name": "Champion Clone",
    "app_url": "Link to the web app",
}
# What each trigger adds to the common variables.
TRIGGER_VARIABLES: dict[str, dict[str, str]] = {
    Trigger.WELCOME: {"plan": "The user's plan"},
    Trigger.CHAMPION_READY: {
        "champion_name": "The champion's name",
        "champion_url": "Link to the champion in the app",
        "patterns_count": "Number of sales patterns found",
        "scenarios_count": "Number of practice scenarios",
    },
    Trigger.CHAMPION_FAILED: {
        "champion_name": "The champion's name",
        "champion_url": "Link to the champion in the app",
        "error_message": "What went wrong, in words (never a stack trace)",
    },
    Trigger.TRAINING_COMPLETED: {
        "champion_name": "The champion practised against",
        "score": "The overall score, 0 to 100",
        "outcome": "won, lost or empty",
        "session_url": "Link to the session in the app",
    },
    Trigger.SUBSCRIPTION_CHANGED: {
        "from_plan": "The previous plan",
        "to_plan": "The new plan",
        "subscription_status": "The subscription status now",
        "change": "upgrade, downgrade or status_change",
    },
    Trigger.INACTIVE_REMINDER: {"days_inactive": "Days since the user's last activity"},
}

SAMPLE_CONTEXT: dict[str, Any] = {
    "user_name": "Alex Martin",
    "first_name": "Alex",
    "user_email": "alex.martin@example.com",
    "site_name": "Champion Clone",
    "app_url": "https://app.example.com",
    "plan": "Pro",
    "champion_name": "Sarah's discovery call",
    "champion_url": "https://app.example.com/champions/42",
    "patterns_count": 18,
    "scenarios_count": 4,
    "error_message": "The recording has no audio track.",
    "score": 82,
    "outcome": "won",
    "session_url": "https://app.example.com/training/sessions/7",
    "from_plan": "Starter",
    "to_plan": "Pro",
    "subscription_status": "Active",
    "change": "upgrade",
    "days_inactive": 21,
}


class TemplateRefused(ValueError):
    pass


def variables_for(trigger: str) -> dict[str, str]:
    return {**COMMON_VARIABLES, **TRIGGER_VARIABLES.get(trigger, {})}


def compile_source(source: str) -> Template:
    """Compiles a staff-written template or raises TemplateRefused with a readable reason."""
    try:
        template = _ENGINE.from_string(source)
    except TemplateSyntaxError as exc:
        raise TemplateRefused(f"The template does not compile: {exc}") from None
    for node_class, tag in REFUSED_NODES.items():
        if template.nodelist.get_nodes_by_type(node_class):
            raise TemplateRefused(f"{tag} is not available in email templates; use the variables listed below.")
    for node in template.nodelist.get_nodes_by_type(VariableNode):
        for function, _ in node.filter_expression.filters:
            if function.__name__ in UNESCAPING_FILTERS:
                raise TemplateRefused(
                    f"The |{function.__name__} filter is not available in email templates: "
                    "variables hold text that users typed, and must stay escaped."
                )
    return template


def render_source(source: str, context: dict[str, Any], *, autoescape: bool) -> str:
    return compile_source(source).render(Context(context, autoescape=autoescape))


def template_errors(*, subject: str, body_html: str, body_text: str) -> dict[str, str]:
    """Field name → why it is refused. Each part is compiled, then rendered on the sample
    context, so that a template that would fail at send time is refused at save time."""
    errors: dict[str, str] = {}
    for field, source, autoescape in (
        ("subject", subject, False),
        ("body_html", body_html, True),
        ("body_text", body_text, False),
    ):
        try:
            render_source(source, SAMPLE_CONTEXT, autoescape=autoescape)
        except TemplateRefused as exc:
            errors[field] = str(exc)
        except Exception as exc:  # a filter that raises on the sample values, for instance
            errors[field] = f"The template fails to render: {type(exc).__name__}: {exc}"
    return errors


@dataclass(frozen=True)
class RenderedParts:
    subject: str
    html: str  # the template's HTML, before the layout
    text: str  # the template's text, or the text derived from its HTML


def render_parts(*, subject: str, body_html: str, body_text: str, context: dict[str, Any]) -> RenderedParts:
    rendered_subject = " ".join(render_source(subject, context, autoescape=False).split())[:250]
    rendered_html = render_source(body_html, context, autoescape=True)
    if body_text.strip():
        rendered_text = render_source(body_text, context, autoescape=False).strip()
    else:
        rendered_text = html_to_text(rendered_html)
    return RenderedParts(subject=rendered_subject, html=rendered_html, text=rendered_text)


# --- HTML → text ------------------------------------------------------------------------

_BLOCK_TAGS = {
    "p",
    "div",
    "section",
    "article",
    "header",
    "footer",
    "table",
    "tr",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "hr",
}
_SKIPPED_TAGS = {"style", "script", "head", "title"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0
        self._links: list[tuple[str, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skip_depth += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")
        elif tag == "a":
            self._links.append((dict(attrs).get("href") or "", len(self.parts)))
        elif tag == "td":
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")
        elif tag == "a" and self._links:
            href, start = self._links.pop()
            label = "".join(self.parts[start:]).strip()
            if href.startswith(("http://", "https://", "mailto:")) and href != label:
                self.parts.append(f" ({href.removeprefix('mailto:')})" if label else href)

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self.parts.append(re.sub(r"\s+", " ", data))

    def text(self) -> str:
        lines = [line.strip() for line in "".join(self.parts).split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def html_to_text(markup: str) -> str:
    extractor = _TextExtractor()
    extractor.feed(markup)
    extractor.close()
    return extractor.text()


# --- Link rewriting for click tracking ----------------------------------------------------

_ANCHOR_HREF = re.compile(r"""(<a\b[^>]*?\bhref\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)


def rewrite_links(markup: str, *, tracked_url_for, keep: set[str]) -> tuple[str, list[str]]:
    """Replaces each http(s) link of ``<a href>`` with ``tracked_url_for(index)``; returns the
    new markup and the original links in index order. Links in ``keep`` (unsubscribe) stay."""
    links: list[str] = []

    def replace(match: re.Match[str]) -> str:
        url = html.unescape(match.group(3)).strip()
        if not url.lower().startswith(("http://", "https://")) or url in keep:
            return match.group(0)
        if url not in links:
            links.append(url)
        tracked = tracked_url_for(links.index(url))
        return f"{match.group(1)}{match.group(2)}{html.escape(tracked, quote=True)}{match.group(2)}"

    return _ANCHOR_HREF.sub(replace, markup), links
