"""``python manage.py evaluate_judge``: how far the offline judge and extractor can be trusted.

Prints, all offline (:func:`agents.reasoning.evaluation_report.report_lines`):

- the strong-versus-weak pairs of ``agents/scripts/judge_pairs.json`` (the six demo scripts);
- the labelled judge set (``agents/scripts/eval/judge_set.json``), per difficulty and for the
  tuning and the reported evaluation scripts apart: the pass rate of the champion's answers and
  paraphrases, of adversarial replies, and the strong-over-weak ranking;
- the extractor's accuracy on the six demo scripts and on the evaluation scripts, and its
  objection precision and recall on the evaluation scripts, tuning and reported apart.

``--errors tuning`` lists what the engines got wrong on the tuning scripts; ``--errors all`` also
on the reported ones (do not tune on what it shows there).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from agents.reasoning.evaluation_judge_set import REPORTED, TUNING
from agents.reasoning.evaluation_playbooks import EXTRACTED, LABELLED
from agents.reasoning.evaluation_report import report_lines

ERRORS_FOR = {"none": (), TUNING: (TUNING,), "all": (TUNING, REPORTED)}


class Command(BaseCommand):
    help = "Measure the offline judge and the offline pattern extractor on the labelled data."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--playbook",
            choices=(LABELLED, EXTRACTED, "both"),
            default=LABELLED,
            help="the champion's playbook the judge compares with: the scripts' labels (the judge "
            "alone, default), the extractor's output (as in the product), or both",
        )
        parser.add_argument(
            "--errors", choices=tuple(ERRORS_FOR), default="none", help="list misjudged replies and objections"
        )

    def handle(self, *args, **options) -> None:
        playbooks = (LABELLED, EXTRACTED) if options["playbook"] == "both" else (options["playbook"],)
        for line in report_lines(playbooks=playbooks, errors_for=ERRORS_FOR[options["errors"]]):
            self.stdout.write(line)
