"""The template language of staff-written emails: the one library built into their engine,
in place of Django's default tags and filters (``rendering.render``).

What is left out cannot be used at all, whatever the tag it hides in: tags that load other
templates or libraries, Django's ``|safe``, ``|safeseq`` and ``{% autoescape %}`` (variables
hold text that users typed, and must stay escaped), filters that make links out of values
(``|urlize``), and tags and filters whose output grows with a number the template chooses
(``{% lorem %}``, ``|ljust``, ``|rjust``, ``|center``, ``|stringformat``). Refused names are
registered as stand-ins so the admin says why: a refused tag fails when the template
compiles, and a refused filter (a harmless identity, marking nothing safe) is found in every
filter expression of every tag (``refused_filter``) and refused then.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from django.template import Library, TemplateSyntaxError, defaultfilters, defaulttags
from django.template.base import FilterExpression, Node, NodeList
from django.template.smartif import TokenBase

from emails_app.rendering.limits import RenderLimitExceeded, TemplateRefused, metered_filter, require_chars

register = Library()

TAGS = (
    "comment",
    "cycle",
    "filter",
    "firstof",
    "for",
    "if",
    "ifchanged",
    "now",
    "resetcycle",
    "spaceless",
    "templatetag",
    "verbatim",
    "widthratio",
    "with",
)
FILTERS = (
    "add",
    "addslashes",
    "capfirst",
    "cut",
    "date",
    "default",
    "default_if_none",
    "divisibleby",
    "escape",
    "escapejs",
    "escapeseq",
    "filesizeformat",
    "first",
    "force_escape",
    "get_digit",
    "iriencode",
    "last",
    "length",
    "linebreaks",
    "linebreaksbr",
    "linenumbers",
    "lower",
    "make_list",
    "phone2numeric",
    "pluralize",
    "random",
    "slice",
    "slugify",
    "striptags",
    "time",
    "timesince",
    "timeuntil",
    "title",
    "truncatechars",
    "truncatechars_html",
    "truncatewords",
    "truncatewords_html",
    "unordered_list",
    "upper",
    "urlencode",
    "wordcount",
    "wordwrap",
    "yesno",
)
# Refused tags, with why when it is not just "use the variables".
REFUSED_TAGS = {
    "autoescape": "escaping stays on, as variables hold text that users typed",
    "block": "",
    "csrf_token": "",
    "debug": "",
    "extends": "",
    "include": "",
    "lorem": "",
    "querystring": "",
    "regroup": "",
    "url": "",
}
_UNESCAPING = "variables hold text that users typed, and must stay escaped."
_LINKING = "links are written in the template, never made out of what users typed."
REFUSED_FILTERS = {"safe": _UNESCAPING, "safeseq": _UNESCAPING, "urlize": _LINKING, "urlizetrunc": _LINKING}
MAX_DECIMAL_PLACES = 20
MAX_NUMBER_DIGITS = 100


def _refused_tag(name: str, reason: str):
    def compile_function(parser, token):
        why = f": {reason}." if reason else "; use the variables listed below."
        raise TemplateRefused(f"{{% {name} %}} is not available in email templates{why}")

    return compile_function


def _load_refused(parser, token):
    raise TemplateSyntaxError("{% load %} is not available: email templates have no tag library to load.")


def _join_bounded(value: Any, arg: Any) -> None:
    """|join's result grows with the product of its operands: counted before it is built."""
    try:
        items = [str(item) for item in value]
    except TypeError:
        return
    require_chars(sum(map(len, items)) + len(str(arg)) * max(len(items) - 1, 0))


def _floatformat_bounded(value: Any, arg: Any = -1) -> None:
    """|floatformat writes as many digits as the number and the argument ask for."""
    places = re.sub(r"\D", "", str(arg))
    if places and int(places[:6]) > MAX_DECIMAL_PLACES:
        raise RenderLimitExceeded(f"|floatformat shows at most {MAX_DECIMAL_PLACES} decimal places.")
    try:
        magnitude = abs(Decimal(str(value)).adjusted())
    except (InvalidOperation, ValueError):
        return
    if magnitude > MAX_NUMBER_DIGITS:
        raise RenderLimitExceeded(f"|floatformat formats numbers of at most {MAX_NUMBER_DIGITS} digits.")


for _name in TAGS:
    register.tag(_name, defaulttags.register.tags[_name])
for _name, _reason in REFUSED_TAGS.items():
    register.tag(_name, _refused_tag(_name, _reason))
register.tag("load", _load_refused)
for _name in FILTERS:
    register.filter(_name, metered_filter(defaultfilters.register.filters[_name]))
register.filter("join", metered_filter(defaultfilters.register.filters["join"], before=_join_bounded))
register.filter(
    "floatformat", metered_filter(defaultfilters.register.filters["floatformat"], before=_floatformat_bounded)
)
# One identity function per refused name, so that the name is known from the function; no
# flag is set, so even a stand-in that were applied would mark nothing safe.
_REFUSED_FUNCTIONS = {register.filter(_name, lambda value, arg=None: value): _name for _name in REFUSED_FILTERS}


def _filter_expressions(value: Any) -> Iterator[FilterExpression]:
    """The filter expressions held by a node's attributes: a variable's, a loop's sequence,
    {% with %}'s values, {% firstof %}'s and {% cycle %}'s candidates, {% if %}'s conditions
    (operator trees), and any other tag's. Child nodes are walked by the caller."""
    if isinstance(value, FilterExpression):
        yield value
    elif isinstance(value, Node | NodeList):
        return
    elif isinstance(value, dict):
        for item in value.values():
            yield from _filter_expressions(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _filter_expressions(item)
    elif isinstance(value, TokenBase):
        yield from _filter_expressions(vars(value))


def refused_filter(node: Node) -> str:
    """The name of a refused filter used anywhere in ``node``'s own tag ("" if none)."""
    for expression in _filter_expressions(vars(node)):
        for function, _args in expression.filters:
            if function in _REFUSED_FUNCTIONS:
                return _REFUSED_FUNCTIONS[function]
    return ""
