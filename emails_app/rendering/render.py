"""Compiling, checking and rendering staff-written templates, with their own engine: its only
built-in library is ``rendering.language`` (not Django's defaults), it knows no other library
and no template file, and every render runs on a budget (``rendering.limits``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.template import Engine, Template, TemplateSyntaxError

from emails_app.rendering import language, limits
from emails_app.rendering.limits import RenderLimitExceeded, TemplateRefused
from emails_app.rendering.links import authored_links, href_error
from emails_app.rendering.text import html_to_text, subject_line
from emails_app.rendering.variables import SAMPLE_CONTEXT


class _EmailTemplateEngine(Engine):
    # Django adds its default tags and filters (and {% include %}, {% extends %}) to every
    # engine's builtins: this one has none of them, only the library it is given.
    default_builtins: list[str] = []


ENGINE = _EmailTemplateEngine(
    loaders=[("django.template.loaders.locmem.Loader", {})],
    libraries={},
    builtins=["emails_app.rendering.language"],
    debug=False,
)


def compile_source(source: str) -> Template:
    """Compiles a staff-written template or raises TemplateRefused with a readable reason."""
    if len(source) > limits.MAX_SOURCE_CHARS:
        raise TemplateRefused(f"The template is too long: at most {limits.MAX_SOURCE_CHARS:,} characters.")
    try:
        template = ENGINE.from_string(source)
    except TemplateSyntaxError as exc:
        raise TemplateRefused(f"The template does not compile: {exc}") from None
    except RecursionError:
        raise TemplateRefused(f"Tags nest more than {limits.MAX_NESTING_DEPTH} deep; simplify the template.") from None
    for node in limits.nodes_checked(template.nodelist):
        if name := language.refused_filter(node):
            raise TemplateRefused(
                f"The |{name} filter is not available in email templates: {language.REFUSED_FILTERS[name]}"
            )
        limits.meter_output(node)
    return template


def render_source(source: str, context: dict[str, Any], *, autoescape: bool) -> str:
    template = compile_source(source)
    with limits.budgeted_render():
        output = template.render(limits.BudgetedContext(context, autoescape=autoescape))
    if len(output) > limits.MAX_OUTPUT_CHARS:
        raise RenderLimitExceeded(
            f"The template renders {len(output):,} characters: at most {limits.MAX_OUTPUT_CHARS:,} are allowed."
        )
    return output


def template_errors(*, subject: str, body_html: str, body_text: str) -> dict[str, str]:
    """Field name → why it is refused. Each part is compiled, then rendered on the sample
    context, so that a template that would fail at send time is refused at save time."""
    errors: dict[str, str] = {}
    for field_name, source, autoescape in (
        ("subject", subject, False),
        ("body_html", body_html, True),
        ("body_text", body_text, False),
    ):
        try:
            render_source(source, SAMPLE_CONTEXT, autoescape=autoescape)
        except TemplateRefused as exc:
            errors[field_name] = str(exc)
        except Exception as exc:  # a filter that raises on the sample values, for instance
            errors[field_name] = f"The template fails to render: {type(exc).__name__}: {exc}"
    if "body_html" not in errors and (refused_link := href_error(body_html)):
        errors["body_html"] = refused_link
    return errors


@dataclass(frozen=True)
class RenderedParts:
    subject: str
    html: str  # the template's HTML, before the layout
    text: str  # the template's text, or the text derived from its HTML
    # The links the template's author wrote (``rendering.links``): the only ones tracked.
    links: frozenset[str] = field(default_factory=frozenset)


def render_parts(*, subject: str, body_html: str, body_text: str, context: dict[str, Any]) -> RenderedParts:
    rendered_subject = subject_line(render_source(subject, context, autoescape=False))
    rendered_html = render_source(body_html, context, autoescape=True)
    if body_text.strip():
        rendered_text = render_source(body_text, context, autoescape=False).strip()
    else:
        rendered_text = html_to_text(rendered_html)
    return RenderedParts(
        subject=rendered_subject,
        html=rendered_html,
        text=rendered_text,
        links=authored_links(body_html, context),
    )
