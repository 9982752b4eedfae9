"""``python manage.py evaluate_judge``: how often the offline judge prefers the strong reply.

The labelled set is ``agents/scripts/judge_pairs.json``: strong and weak replies to the same
prospect moment over six champions' scripts. Also prints the extractor's accuracy on the
labelled scripts.
"""

from __future__ import annotations

from collections import Counter

from django.core.management.base import BaseCommand

from agents.reasoning.evaluation import evaluate_extractor, evaluate_judge


class Command(BaseCommand):
    help = "Measure the offline judge (strong vs weak replies) and the offline pattern extractor."

    def handle(self, *args, **options) -> None:
        judge = evaluate_judge()
        pairs = judge.pairs
        self.stdout.write(
            f"Offline judge: strong reply scored higher in {sum(p.ordered for p in pairs)}/{len(pairs)} pairs "
            f"({judge.pairwise_accuracy:.1%}), mean margin {judge.mean_margin:.1f} points, "
            f"over {len({p.script for p in pairs})} champions' scripts."
        )
        by_stage = Counter(p.stage for p in pairs)
        for stage, total in sorted(by_stage.items()):
            ordered = sum(p.ordered for p in pairs if p.stage == stage)
            self.stdout.write(f"  {stage:<10} {ordered}/{total}")
        for pair in pairs:
            if not pair.ordered:
                self.stdout.write(f"  MISORDERED ({pair.strong_score} vs {pair.weak_score}): {pair.strong[:70]!r}")
        extractor = evaluate_extractor()
        self.stdout.write(
            f"Offline extractor: {extractor.labelled_accuracy:.1%} of {extractor.labelled_segments} labelled segments, "
            f"{extractor.overall_accuracy:.1%} of all turns."
        )
        for label, value in extractor.per_category.items():
            self.stdout.write(f"  {label:<20} {value:.1%}")
