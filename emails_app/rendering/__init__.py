"""Rendering of staff-editable email templates.

Templates are Django template language rendered on a **plain, whitelisted context** (strings
and numbers built by ``context_for``): no model object reaches a template, so a template can
neither walk into the database nor call a method with side effects. Their engine has one
built-in library of its own (``language``) instead of Django's defaults: no tag loads another
template or library, and ``|safe``, ``|safeseq``, ``{% autoescape %}`` and ``|urlize`` are
refused wherever they appear, so HTML stays escaped (the subject and the text body are not
escaped: they are not HTML). Every render is bounded in nesting, steps, size and time
(``limits``); only the links the author wrote are tracked (``links``); the subject carries
no link and no control character (``text.subject_line``).

``variables``: what a template may show. ``render``: compiling, checking, rendering.
"""

from emails_app.rendering.limits import RenderLimitExceeded, TemplateRefused
from emails_app.rendering.links import authored_links, href_error, rewrite_links
from emails_app.rendering.render import (
    ENGINE,
    RenderedParts,
    compile_source,
    render_parts,
    render_source,
    template_errors,
)
from emails_app.rendering.text import SUBJECT_MAX_CHARS, html_to_text, subject_line, without_links
from emails_app.rendering.variables import (
    COMMON_VARIABLES,
    LINK_VARIABLES,
    SAMPLE_CONTEXT,
    TRIGGER_VARIABLES,
    variables_for,
)

__all__ = [
    "COMMON_VARIABLES",
    "ENGINE",
    "LINK_VARIABLES",
    "SAMPLE_CONTEXT",
    "SUBJECT_MAX_CHARS",
    "TRIGGER_VARIABLES",
    "RenderLimitExceeded",
    "RenderedParts",
    "TemplateRefused",
    "authored_links",
    "compile_source",
    "href_error",
    "html_to_text",
    "render_parts",
    "render_source",
    "rewrite_links",
    "subject_line",
    "template_errors",
    "variables_for",
    "without_links",
]
