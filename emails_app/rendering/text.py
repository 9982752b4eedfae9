"""Text made from rendered templates: the text version derived from the HTML, and the
subject line, which carries no link and no control character whatever the values in it."""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

SUBJECT_MAX_CHARS = 120

# Anything a mail client could turn into a link: a scheme (https://, hxxp://), www., or a
# bare host with a path, port, query or fragment (evil.example/verify, 10.0.0.1:8080/x). A
# dot may be the ideographic one, which IDNA reads as a dot (full-width ones are folded first).
_URL_LIKE = re.compile(
    r"""
    \b[a-z][a-z0-9+.\-]*://\S*
    | \bwww[.\u3002]\S*
    | \b(?:[\w-]+[.\u3002])+[^\W\d_][\w-]+(?::\d+)?[/?#]\S*
    | \b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?[/?#]\S*
    """,
    re.IGNORECASE | re.VERBOSE,
)


def _without_control_characters(text: str) -> str:
    """Control characters (CR, LF, tab...) become spaces; invisible format characters
    (zero-width spaces, bidirectional overrides), private and unassigned ones go, so they
    cannot hide a link from the pattern above or reorder what the reader sees."""
    kept = []
    for character in text:
        category = unicodedata.category(character)
        if category == "Cc" or category in ("Zl", "Zp"):
            kept.append(" ")
        elif not category.startswith("C"):
            kept.append(character)
    return "".join(kept)


def subject_line(rendered: str) -> str:
    """The rendered subject as it may leave: compatibility forms folded (full-width
    letters), control characters and anything URL-like removed, one line, at most
    SUBJECT_MAX_CHARS. Applied to the whole rendered subject, so that no filter or tag can
    put a link back together from pieces of values."""
    text = _without_control_characters(unicodedata.normalize("NFKC", rendered))
    text = " ".join(_URL_LIKE.sub("", text).split())
    if len(text) > SUBJECT_MAX_CHARS:
        text = text[: SUBJECT_MAX_CHARS - 1].rstrip() + "…"
    return text


# A host name alone, without a path ("evil.example", "pay.evil.example"): many mail clients
# link it too. Too broad for a whole subject line ("e.g." or "v2.0" are no hosts, but
# "Acme.io" is), right for a short name that a user typed.
_BARE_HOST = re.compile(r"(?:[\w-]+[.\u3002])+[^\W\d_][\w-]*", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>?")


def without_links(name: str, *, max_chars: int = 120) -> str:
    """A name a user typed (a team's, a champion's) as an email may show it to someone else:
    HTML tags dropped, and every word that holds a URL, a host name or an address removed, so
    no mail client can make a link of it. Auto-escaping still applies where it is shown."""
    text = _without_control_characters(unicodedata.normalize("NFKC", name))
    text = _TAG.sub(" ", text)
    words = [
        word
        for word in text.split()
        if not (_URL_LIKE.search(word) or _BARE_HOST.search(word) or "@" in word or "://" in word)
    ]
    text = " ".join(words)
    return text if len(text) <= max_chars else text[: max_chars - 1].rstrip() + "…"


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
