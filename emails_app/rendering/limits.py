"""What one render of a staff-written template may cost, so that a template cannot tie up the
web process that saves it or the worker that sends it.

At compile time, tags nest at most ``MAX_NESTING_DEPTH`` deep and loops ``MAX_LOOP_NESTING``
deep (each nested loop multiplies the work by the length of what it loops over). At render
time a ``RenderBudget`` counts steps (every variable lookup and assignment, every loop turn,
every piece of output and every filter call), the characters produced on the way (output and
the values filters build, even those thrown away) and the time spent; the first limit passed
stops the render with ``RenderLimitExceeded``. The budget is sticky: Django's ``{% if %}``
swallows exceptions in its conditions, so once passed, every later step fails too, and
``budgeted_render`` raises at the end whatever happened in between.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.template import Context
from django.template.base import Node, NodeList
from django.template.defaulttags import ForNode

MAX_SOURCE_CHARS = 50_000
MAX_NESTING_DEPTH = 8
MAX_LOOP_NESTING = 2
MAX_RENDER_STEPS = 100_000
MAX_RENDERED_CHARS = 1_000_000  # produced while rendering, output and intermediate values
MAX_OUTPUT_CHARS = 100_000  # the rendered part itself (mail clients clip HTML past ~100 kB)
MAX_RENDER_SECONDS = 1.0
_CLOCK_EVERY = 64  # steps between two looks at the clock


class TemplateRefused(Exception):
    """Why a staff-written template cannot be used, in words for the admin form. Not a
    ValueError: Django's variable lookup swallows those."""


class RenderLimitExceeded(TemplateRefused):
    pass


class RenderBudget:
    def __init__(self) -> None:
        # Read when a render starts, so that a test can lower a limit.
        self.steps_left = MAX_RENDER_STEPS
        self.chars_left = MAX_RENDERED_CHARS
        self.deadline = time.monotonic() + MAX_RENDER_SECONDS
        self.exceeded = ""

    def spend(self, chars: int = 0) -> None:
        """One step that produced ``chars`` characters."""
        if self.exceeded:
            raise RenderLimitExceeded(self.exceeded)
        self.steps_left -= 1
        self.chars_left -= chars
        if self.steps_left < 0:
            self._exceed(f"The template takes too many steps to render (more than {MAX_RENDER_STEPS:,}).")
        if self.chars_left < 0:
            self._exceed(
                f"The template produces too much text while rendering (more than {MAX_RENDERED_CHARS:,} characters)."
            )
        if self.steps_left % _CLOCK_EVERY == 0 and time.monotonic() > self.deadline:
            self._exceed(f"The template takes too long to render (more than {MAX_RENDER_SECONDS:g} s).")

    def require(self, chars: int) -> None:
        """Refuses to start work that would produce ``chars`` characters past the budget."""
        if chars > self.chars_left:
            self._exceed(
                f"The template produces too much text while rendering (more than {MAX_RENDERED_CHARS:,} characters)."
            )

    def _exceed(self, reason: str) -> None:
        self.exceeded = reason
        raise RenderLimitExceeded(reason)


_ACTIVE_BUDGET: ContextVar[RenderBudget | None] = ContextVar("email_render_budget", default=None)


def _spend(chars: int = 0) -> None:
    if (budget := _ACTIVE_BUDGET.get()) is not None:
        budget.spend(chars)


def require_chars(chars: int) -> None:
    if (budget := _ACTIVE_BUDGET.get()) is not None:
        budget.require(chars)


class BudgetedContext(Context):
    """A Context whose lookups and assignments (a loop assigns its variable on every turn)
    are steps of the active budget."""

    def __getitem__(self, key: str) -> Any:
        _spend()
        return super().__getitem__(key)

    def __setitem__(self, key: str, value: Any) -> None:
        _spend()
        super().__setitem__(key, value)

    def update(self, other_dict: Any) -> Any:
        _spend()
        return super().update(other_dict)


@contextmanager
def budgeted_render() -> Iterator[RenderBudget]:
    budget = RenderBudget()
    token = _ACTIVE_BUDGET.set(budget)
    try:
        yield budget
    finally:
        _ACTIVE_BUDGET.reset(token)
    if budget.exceeded:  # passed inside an {% if %} condition, which swallowed the error
        raise RenderLimitExceeded(budget.exceeded)


def _size(value: Any) -> int:
    if isinstance(value, str | bytes):
        return len(value)
    if isinstance(value, list | tuple):
        return sum(len(str(item)) for item in value)
    return 0


def metered_filter(function: Callable[..., Any], *, before: Callable[..., None] | None = None) -> Callable[..., Any]:
    """``function`` as a filter whose every call is a step charged with the size of its
    result; ``before(value, *args)`` may refuse a call before it starts (a result whose size
    depends on an argument). Keeps the filter's flags and signature (functools.wraps)."""

    @functools.wraps(function)
    def filter_function(value: Any, *args: Any, **kwargs: Any) -> Any:
        if before is not None:
            before(value, *args)
        result = function(value, *args, **kwargs)
        _spend(_size(result))
        return result

    return filter_function


def _metered_render(render: Callable[[Context], str]) -> Callable[[Context], str]:
    def render_annotated(context: Context) -> str:
        output = render(context)
        _spend(_size(output))
        return output

    return render_annotated


def _has_children(node: Node) -> bool:
    return any(getattr(node, attr, None) is not None for attr in node.child_nodelists)


def nodes_checked(nodelist: NodeList, *, depth: int = 1, loops: int = 0) -> Iterator[Node]:
    """Every node of the tree, parents first; refuses a tree whose tags nest too deep (the
    top level is depth 1) before going deeper."""
    for node in nodelist:
        inner_loops = loops + isinstance(node, ForNode)
        if inner_loops > MAX_LOOP_NESTING:
            raise TemplateRefused(
                f"{{% for %}} loops nest {inner_loops} deep here; at most {MAX_LOOP_NESTING} are allowed "
                "(each nested loop multiplies the work)."
            )
        if depth > MAX_NESTING_DEPTH and _has_children(node):
            raise TemplateRefused(f"Tags nest more than {MAX_NESTING_DEPTH} deep; simplify the template.")
        yield node
        for attr in node.child_nodelists:
            if children := getattr(node, attr, None):
                yield from nodes_checked(children, depth=depth + 1, loops=inner_loops)


def meter_output(node: Node) -> None:
    """Charges what a leaf node (text, a variable, a tag without a body) renders to the
    active budget. Containers (if, for, with...) only join what their leaves render, so the
    leaves are where output comes from: a loop repeating 100 kB of text is stopped too."""
    if not _has_children(node):
        # An attribute of the instance: Django's NodeList and loops call render_annotated.
        node.render_annotated = _metered_render(node.render_annotated)
