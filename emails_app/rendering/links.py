"""The links of an email: which ones the template's author wrote, and rewriting those for
click tracking.

A link is the author's when its ``href`` in the template *source* is a literal URL, or literal
text and the variables of links this product made (``LINK_VARIABLES``: ``{{ app_url }}``,
``{{ champion_url }}``, ``{{ session_url }}``). Only those are tracked, so the click redirect
never leads to a URL that came from what a user typed, whatever the template does with the
values; and saving refuses an ``href`` that uses anything else (``href_error``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Collection
from typing import Any

from emails_app.rendering.variables import LINK_VARIABLES

_SOURCE_HREF = re.compile(r"""<a\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE | re.DOTALL)
_VARIABLE = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_TEMPLATE_SYNTAX = ("{{", "}}", "{%", "%}", "{#")


def _source_hrefs(source_html: str) -> list[str]:
    return [
        next(group for group in match.groups() if group is not None) for match in _SOURCE_HREF.finditer(source_html)
    ]


def _authored_url(href: str, context: dict[str, Any]) -> str | None:
    """The URL an href of the source renders to, if it is made of literal text and link
    variables only (None otherwise). Parts alternate: literal, variable, literal..."""
    parts = _VARIABLE.split(href)
    url = []
    for index, part in enumerate(parts):
        if index % 2 == 0:
            if any(marker in part for marker in _TEMPLATE_SYNTAX):
                return None  # a tag, a comment or a broken variable
            url.append(html.unescape(part))
        elif (name := part.strip()) in LINK_VARIABLES and name in context:
            url.append(str(context[name]))
        else:
            return None
    return "".join(url).strip()


def authored_links(source_html: str, context: dict[str, Any]) -> frozenset[str]:
    """The URLs of the links the template's author wrote, as they render with ``context``."""
    urls = (_authored_url(href, context) for href in _source_hrefs(source_html))
    return frozenset(url for url in urls if url)


def href_error(source_html: str) -> str:
    """Why an href of the source is refused ("" if none is)."""
    for href in _source_hrefs(source_html):
        if _authored_url(href, dict.fromkeys(LINK_VARIABLES, "")) is None:
            allowed = ", ".join(f"{{{{ {name} }}}}" for name in sorted(LINK_VARIABLES))
            return (
                f"The link {href!r} is refused: a link is written in the template, and may use only {allowed} "
                "(values that users typed never become links)."
            )
    return ""


_ANCHOR_HREF = re.compile(r"""(<a\b[^>]*?\bhref\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)


def rewrite_links(
    markup: str,
    *,
    tracked_url_for: Callable[[int], str],
    keep: set[str],
    only: Collection[str] | None = None,
) -> tuple[str, list[str]]:
    """Replaces each http(s) link of ``<a href>`` with ``tracked_url_for(index)``; returns the
    new markup and the original links in index order. Links in ``keep`` (unsubscribe) stay;
    with ``only`` (the authored links of an email), so does every link not in it."""
    links: list[str] = []

    def replace(match: re.Match[str]) -> str:
        url = html.unescape(match.group(3)).strip()
        if not url.lower().startswith(("http://", "https://")) or url in keep:
            return match.group(0)
        if only is not None and url not in only:
            return match.group(0)
        if url not in links:
            links.append(url)
        tracked = tracked_url_for(links.index(url))
        return f"{match.group(1)}{match.group(2)}{html.escape(tracked, quote=True)}{match.group(2)}"

    return _ANCHOR_HREF.sub(replace, markup), links
