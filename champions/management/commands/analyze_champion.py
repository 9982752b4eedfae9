"""``python manage.py analyze_champion ID``: run the analysis in the foreground, for operators."""

from __future__ import annotations

import sys
import time

from django.core.management.base import CommandError

from champions import services
from champions.models import Champion
from champions.pipeline.steps import PipelineStep, progress_at_start
from core.commands import DatabaseCommand
from core.errors import Conflict


def progress_bar(percent: int, label: str, width: int = 30) -> str:
    filled = int(width * percent / 100)
    return f"[{'#' * filled}{'.' * (width - filled)}] {percent:3d}% {label}"


class Command(DatabaseCommand):
    help = "Analyse a champion in this process (no worker needed), showing progress."

    def add_arguments(self, parser) -> None:
        parser.add_argument("champion_id", type=int)

    def handle(self, *args, champion_id: int, **options) -> None:
        champion = Champion.objects.filter(pk=champion_id).first()
        if champion is None:
            raise CommandError(f"No champion with id {champion_id}.")
        started = time.monotonic()

        def show(step: PipelineStep) -> None:
            sys.stdout.write("\r" + progress_bar(progress_at_start(step.name), step.label).ljust(80))
            sys.stdout.flush()

        try:
            champion = services.champion_analysis_run_here(champion=champion, on_step=show)
        except Conflict as exc:
            raise CommandError(exc.message) from None
        sys.stdout.write("\r" + progress_bar(champion.progress, champion.status).ljust(80) + "\n")
        if champion.status != Champion.Status.READY:
            raise CommandError(champion.error)
        self.stdout.write(
            self.style.SUCCESS(
                f"{champion.name}: ready in {time.monotonic() - started:.1f} s, "
                f"{champion.patterns.count()} patterns, {champion.scenarios.count()} scenarios."
            )
        )
