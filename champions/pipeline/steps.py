"""The registry of the analysis steps: the one place that says which steps run, in which order,
what the user reads while each runs and how much of the progress bar each takes.

The worker's task, the foreground runner, the progress bar, the error messages and the
``Champion.step`` choices all read this tuple. Adding a step is one entry here and its
function (taking the ``Champion``, idempotent, writing through ``runs.save_if_current`` or
under ``runs.lock_current``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from champions import pipeline
from champions.models import Champion


@dataclass(frozen=True)
class PipelineStep:
    name: str  # stored in Champion.step while the step runs (at most 16 characters)
    label: str  # what the user reads while it runs, and in "<label> failed: ..."
    share: int  # its weight in the progress bar (about its share of a run's time)
    run: Callable[[Champion], None]


STEPS: tuple[PipelineStep, ...] = (
    PipelineStep("decode", "Decoding audio", 8, pipeline.decode),
    PipelineStep("transcribe", "Transcribing", 45, pipeline.transcribe),
    PipelineStep("voice", "Voice profile and call metrics", 10, pipeline.analyse_voice),
    PipelineStep("patterns", "Extracting sales patterns", 15, pipeline.extract_patterns),
    PipelineStep("index", "Embedding and indexing", 10, pipeline.embed_and_index),
    PipelineStep("scenarios", "Generating scenarios", 7, pipeline.generate_scenarios),
    PipelineStep("finish", "Finishing", 3, pipeline.finish),
)
FIRST_STEP = STEPS[0].name
# Progress once the run is claimed, before its first step starts: the bar moves at once.
PROGRESS_QUEUED = 2

# The helpers below read STEPS when called (seven entries: a scan costs nothing), so that a
# test can run the real runner and task over steps of its own.


def step_named(name: str) -> PipelineStep:
    """The step called ``name``; a KeyError for a name that is no step."""
    for step in STEPS:
        if step.name == name:
            return step
    raise KeyError(name)


def step_label(name: str) -> str:
    """The step's label, or the name itself for one that is no longer a step."""
    try:
        return step_named(name).label
    except KeyError:
        return name


def steps_from(name: str) -> tuple[PipelineStep, ...]:
    """The step called ``name`` and every step after it, in order."""
    return STEPS[STEPS.index(step_named(name)) :]


def step_after(name: str) -> PipelineStep | None:
    """The step that follows ``name``, or None after the last one."""
    later = steps_from(name)[1:]
    return later[0] if later else None


def progress_at_start(name: str) -> int:
    """Percent reached when the step starts: the shares of the steps before it, spread over
    what is left after ``PROGRESS_QUEUED`` (the whole analysis ends at 100)."""
    done = sum(step.share for step in STEPS[: STEPS.index(step_named(name))])
    total = sum(step.share for step in STEPS)
    return PROGRESS_QUEUED + (100 - PROGRESS_QUEUED) * done // total
