"""A pipeline worker killed with SIGKILL in the middle of each step, then a new one started
(README.md, "Faults"). On this machine's PostgreSQL and Redis, with real worker and beat
processes and the default heartbeat settings.

For each step of the registry: a champion is uploaded and analysed by a worker; as soon as
that step is claimed, the worker and its pool are SIGKILLed (a very short step may end first:
then it is tried again, up to ``--tries`` times); a new worker starts. Printed per step: whether
the kill landed inside the step, seconds from the new worker's start until the step was
claimed again and until the champion was ready, its final status, whether its patterns,
vectors and scenarios equal those of a clean run of the same recording, and how many
``champion.analyzed`` events, webhook deliveries and emails it caused (1 each is right).

    .venv/bin/python chaos/kill_pipeline_worker.py [--steps decode,transcribe] [--tries 4]
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chaos import common


def options_parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", default="")  # every step of the registry
    parser.add_argument("--tries", type=int, default=4, help="attempts to land the kill inside a very short step")
    return parser.parse_args()


# Before configure(), which makes the script's database again: --help leaves everything alone.
OPTIONS = options_parse()
VAR_DIR = common.configure(database="chaos_kill_worker", redis_db=13)
common.django_ready()

from champions.models import Champion  # noqa: E402
from champions.pipeline.steps import STEPS  # noqa: E402
from chaos.runs import analysis_start, claimed, ended, notices, playbook, row, webhook_endpoint_add  # noqa: E402


@dataclass
class Outcome:
    step: str
    landed: bool
    tries: int
    reclaimed_after: float | None
    ready_after: float | None
    status: str
    same_playbook: bool
    analyzed_events: int
    webhooks: int
    emails: int


def kill_once(step: str, mp4: Path, attempt: int) -> tuple[int, bool, float, float]:
    """(champion id, whether the kill landed inside ``step``, seconds from the new worker's
    start until the step was claimed again, and until the analysis ended)."""
    worker = common.start_worker(f"doomed-{step}-{attempt}", log_dir=VAR_DIR)
    try:
        champion_id = analysis_start(mp4)
        common.wait_for(lambda: claimed(champion_id, step) or ended(champion_id), timeout=300, interval=0.002)
    finally:
        common.kill_hard(worker)
    landed = claimed(champion_id, step)
    attempts_at_kill = row(champion_id).step_attempts
    rescuer = common.start_worker(f"rescuer-{step}-{attempt}", log_dir=VAR_DIR)
    started = time.monotonic()
    try:
        common.wait_for(
            lambda: row(champion_id).step_attempts > attempts_at_kill or ended(champion_id), timeout=300, interval=0.1
        )
        reclaimed_after = time.monotonic() - started
        common.wait_for(lambda: ended(champion_id), timeout=600)
        ready_after = time.monotonic() - started
        notices(champion_id)  # the light queue's work done before its worker stops
    finally:
        common.stop(rescuer)
    return champion_id, landed, reclaimed_after, ready_after


def kill_during(step: str, mp4: Path, clean: tuple[list, list], tries: int) -> Outcome:
    for attempt in range(1, tries + 1):
        champion_id, landed, reclaimed_after, ready_after = kill_once(step, mp4, attempt)
        if landed or attempt == tries:
            break
    return Outcome(
        step,
        landed,
        attempt,
        round(reclaimed_after, 1) if landed else None,
        round(ready_after, 1),
        row(champion_id).status,
        playbook(champion_id) == clean,
        *notices(champion_id),
    )


def clean_run(mp4: Path) -> tuple[tuple[list, list], tuple[int, int, int], float]:
    worker = common.start_worker("clean", log_dir=VAR_DIR)
    started = time.monotonic()
    champion_id = analysis_start(mp4)
    common.wait_for(lambda: ended(champion_id), timeout=600)
    seconds = time.monotonic() - started
    counts = notices(champion_id)
    common.stop(worker)
    status = row(champion_id).status
    if status != "ready":
        raise SystemExit(f"the clean run ended {status}: {Champion.objects.get(pk=champion_id).error}")
    return playbook(champion_id), counts, seconds


HEADER = (
    f"{'step':<11}{'kill landed':<13}{'tries':<7}{'reclaimed s':<13}{'ready s':<9}{'status':<8}"
    f"{'same playbook':<15}{'events':<8}{'webhooks':<10}emails"
)


def report_line(o: Outcome) -> None:
    reclaimed = "-" if o.reclaimed_after is None else f"{o.reclaimed_after:.1f}"
    print(
        f"{o.step:<11}{'yes' if o.landed else 'no':<13}{o.tries:<7}{reclaimed:<13}{o.ready_after:<9.1f}"
        f"{o.status:<8}{'yes' if o.same_playbook else 'NO':<15}{o.analyzed_events:<8}{o.webhooks:<10}{o.emails}",
        flush=True,
    )


def main() -> None:
    steps = OPTIONS.steps.split(",") if OPTIONS.steps else [step.name for step in STEPS]
    webhook_endpoint_add()
    mp4 = common.short_call(VAR_DIR)
    beat = common.start_beat(log_dir=VAR_DIR)
    outcomes = []
    try:
        clean, clean_counts, clean_seconds = clean_run(mp4)
        print(f"clean run: ready in {clean_seconds:.1f} s; analyzed events / webhooks / emails = {clean_counts}")
        print(HEADER, flush=True)
        for step in steps:
            outcomes.append(kill_during(step, mp4, clean, OPTIONS.tries))
            report_line(outcomes[-1])
    finally:
        common.stop(beat)
    duplicates = sum(max(0, n - 1) for o in outcomes for n in (o.analyzed_events, o.webhooks, o.emails))
    print(f"duplicate events + webhooks + emails over all steps: {duplicates}")
    print(f"logs: {VAR_DIR}")


if __name__ == "__main__":
    main()
