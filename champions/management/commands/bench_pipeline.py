"""``python manage.py bench_pipeline``: the offline pipeline measured on synthesized calls.

For calls of 1, 5 and 10 minutes (labelled scripts spoken in two voices: Piper for the champion
and espeak-ng for the buyer, wrapped into MP4) and of 30 minutes and 2 hours (the 5-minute call
looped with small variations of level and pause, written and encoded a block at a time:
``agents.testing.synth.loop_call``), prints per-step wall time, the real-time factor, the peak RSS of the analysing
process, the word error rate against the script (the whole call, and each speaker's from one
alignment of the transcript against the script: ``agents.testing.synth.wer_by_speaker``),
speaker attribution accuracy over speaking time, and the share of labelled segments given the
right category, and the ratio of the peak RSS of the longest call to the 5-minute one's (issue
13: at most 1.25). ``--lengths`` picks the calls (``--lengths 1 5 30`` skips the 2-hour one). The calls named by ``--context-minutes`` are analysed a second time from the
same recording with an upload ``context`` naming the scripts' companies, people and products
(respelled into the transcript; OpenAI's Whisper prompt), and both word error rates are printed. A benchmark, not a test: figures
depend on the machine (see README, "Benchmarks").
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile

from accounts.models import User
from agents.reasoning.evaluation import NONE_LABEL, predicted_label_for_span
from agents.scripts import SCRIPT_NAMES, load_script
from agents.testing.synth import (
    SynthesizedCall,
    call_voices,
    encode_recording,
    loop_call,
    synthesize_call,
    wer,
    wer_by_speaker,
)
from agents.types import Segment
from champions import services
from champions.models import Champion
from champions.pipeline.steps import STEPS, PipelineStep
from champions.selectors import champion_patterns
from core.commands import DatabaseCommand

MANAGE_PY = Path(__file__).resolve().parents[3] / "manage.py"
BENCH_EMAIL = "bench@bench.championclone.test"
WORDS_PER_MINUTE_SPOKEN = 150  # espeak's default pace, to pick enough turns for a length
# Calls up to this length are spoken turn by turn; longer ones loop the LOOPED_MINUTES call
# (speaking two hours would take the synthesizers most of an hour).
SPOKEN_UP_TO_MINUTES = 10
LOOPED_MINUTES = 5


def _scripts_for(minutes: float) -> list[tuple[str, list[tuple[str, str, str | None]]]]:
    """Whole labelled scripts back to back (then turns of the next) until ~``minutes`` long,
    each script's name with the turns of it that are spoken."""
    spoken: list[tuple[str, list[tuple[str, str, str | None]]]] = []
    target_words = minutes * WORDS_PER_MINUTE_SPOKEN
    words = 0
    while words < target_words:
        for name in SCRIPT_NAMES:
            spoken.append((name, []))
            for turn in load_script(name).turns:
                spoken[-1][1].append((turn.speaker, turn.text, turn.label))
                words += len(turn.text.split())
                if words >= target_words:
                    return spoken
    return spoken


def script_for(minutes: float) -> list[tuple[str, str, str | None]]:
    """The turns of a call ~``minutes`` long (see :func:`_scripts_for`)."""
    return [turn for _, turns in _scripts_for(minutes) for turn in turns]


def context_for(minutes: float) -> str:
    """What an uploader would write in ``context`` for that call: who calls from which company,
    and the product (e.g. "Carlos, sales lead at RouteWise. RouteWise route planning ...")."""
    names = dict.fromkeys(name for name, _ in _scripts_for(minutes))
    return " ".join(f"{load_script(name).champion}. {load_script(name).product}." for name in names)


def peak_rss_mib() -> float:
    """This process's peak resident memory since it started its program: VmHWM, not
    ``ru_maxrss``, which Linux carries over an exec from the process that forked it (the
    benchmark's own, holding the synthesizers)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _analyse_here(champion_id: int) -> dict:
    step_times: dict[str, float] = {}
    step_peaks: dict[str, float] = {}  # the process's peak RSS (MiB) once each step is done
    clock = {"step": None, "started": time.perf_counter()}

    def on_step(step: PipelineStep | None) -> None:
        now = time.perf_counter()
        if clock["step"]:
            step_times[clock["step"]] = now - clock["started"]
            step_peaks[clock["step"]] = peak_rss_mib()
        clock.update(step=step.name if step else None, started=now)

    champion = services.champion_analysis_run_here(champion=Champion.objects.get(pk=champion_id), on_step=on_step)
    on_step(None)
    return {
        "status": champion.status,
        "error": champion.error,
        "steps": step_times,
        "step_peaks": step_peaks,
        "peak_rss_mib": peak_rss_mib(),
    }


class Command(DatabaseCommand):
    help = "Benchmark the offline analysis pipeline on synthesized calls of 1, 5, 10, 30 and 120 minutes."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--lengths",
            "--minutes",
            dest="lengths",
            type=float,
            nargs="+",
            default=[1, 5, 10, 30, 120],
            help="call lengths in minutes; over 10, the 5-minute call looped",
        )
        # The analysis of one champion in this fresh process (the benchmark starts one per call).
        parser.add_argument("--analyse-one", type=int, help=argparse.SUPPRESS)
        parser.add_argument("--result-file", help=argparse.SUPPRESS)
        parser.add_argument(
            "--context-minutes", type=float, nargs="*", default=[5], help="calls analysed again with a context"
        )

    def handle(self, *args, lengths: list[float], context_minutes: list[float], **options) -> None:
        if options.get("analyse_one"):
            Path(options["result_file"]).write_text(json.dumps(_analyse_here(options["analyse_one"])))
            return
        owner, _ = User.objects.get_or_create(email=BENCH_EMAIL, defaults={"full_name": "Benchmark"})
        rows = []
        with tempfile.TemporaryDirectory(prefix="bench-loop-") as loop_scratch:
            self._loop_scratch = Path(loop_scratch)
            self._looped: tuple | None = None
            for length in lengths:
                rows.append(self._bench_one(owner, length, with_context=length in context_minutes))
        owner.delete()
        self._write_tables(rows)

    def _write_tables(self, rows: list[dict]) -> None:
        self.stdout.write("")
        header = (
            f"{'call':>8} {'audio s':>8} {'wall s':>7} {'RTF':>6} {'peak RSS MiB':>12} {'WER %':>6} "
            f"{'champion %':>10} {'buyer %':>7} {'speaker %':>9} {'category %':>10}"
        )
        self.stdout.write(header)
        for row in rows:
            self.stdout.write(
                f"{row['minutes']:>6g} m {row['duration']:>8.1f} {row['wall']:>7.1f} {row['rtf']:>6.3f} "
                f"{row['peak_rss_mib']:>12.0f} {row['wer'] * 100:>6.1f} {row['wer_champion'] * 100:>10.1f} "
                f"{row['wer_buyer'] * 100:>7.1f} {row['speaker_accuracy'] * 100:>9.1f} "
                f"{row['category_accuracy'] * 100:>10.1f}"
            )
        self.stdout.write("\nper step (s): " + ", ".join(step.name for step in STEPS))
        for row in rows:
            self.stdout.write(
                f"{row['minutes']:>6g} m  " + "  ".join(f"{row['steps'].get(step.name, 0):6.2f}" for step in STEPS)
            )
        self.stdout.write("\npeak RSS once each step is done (MiB):")
        for row in rows:
            self.stdout.write(
                f"{row['minutes']:>6g} m  " + "  ".join(f"{row['step_peaks'].get(step.name, 0):6.0f}" for step in STEPS)
            )
        self._write_rss_ratio(rows)
        for row in rows:
            if "with_context" in row:
                self._write_context_comparison(row)

    def _write_rss_ratio(self, rows: list[dict]) -> None:
        base = next((row for row in rows if row["minutes"] == LOOPED_MINUTES), None)
        longest = max(rows, key=lambda row: row["minutes"])
        if base is not None and longest is not base:
            ratio = longest["peak_rss_mib"] / base["peak_rss_mib"]
            self.stdout.write(
                f"\npeak RSS {longest['minutes']:g} min / {LOOPED_MINUTES} min: {ratio:.2f} "
                f"({longest['peak_rss_mib']:.0f} / {base['peak_rss_mib']:.0f} MiB; goal at most 1.25)"
            )

    def _write_context_comparison(self, row: dict) -> None:
        with_context = row["with_context"]
        self.stdout.write(f"\n{row['minutes']:g} min call, the same recording with context {row['context']!r}:")
        self.stdout.write(f"{'':>16} {'WER %':>6} {'champion %':>10} {'buyer %':>7} {'RTF':>6}")
        for label, figures in (("without context", row), ("with context", with_context)):
            self.stdout.write(
                f"{label:>16} {figures['wer'] * 100:>6.1f} {figures['wer_champion'] * 100:>10.1f} "
                f"{figures['wer_buyer'] * 100:>7.1f} {figures['rtf']:>6.3f}"
            )

    def _call_for(self, minutes: float, scratch: Path) -> tuple[SynthesizedCall, list]:
        """The call and its turns (speaker, text, label): spoken, or the 5-minute call looped."""
        if minutes <= SPOKEN_UP_TO_MINUTES:
            turns = script_for(minutes)
            spoken = [(speaker, text) for speaker, text, _ in turns]
            return synthesize_call(spoken, scratch / "call.wav", synthesizer=call_voices()), turns
        if self._looped is None:
            turns = script_for(LOOPED_MINUTES)
            spoken = [(speaker, text) for speaker, text, _ in turns]
            self._looped = synthesize_call(spoken, self._loop_scratch / "loop.wav", synthesizer=call_voices()), turns
        source, turns = self._looped
        # Just under the length: a 2-hour call must stay within the 2-hour upload limit.
        call = loop_call(source, scratch / "call.wav", minutes * 60 - 1)
        return call, [turns[index % len(turns)] for index in range(len(call.turns))]

    def _bench_one(self, owner: User, minutes: float, *, with_context: bool) -> dict:
        with tempfile.TemporaryDirectory(prefix="bench-call-") as scratch:
            call, turns = self._call_for(minutes, Path(scratch))
            mp4 = Path(encode_recording(call.wav_path, Path(scratch) / "call.mp4", video=True))
            self.stdout.write(f"{minutes:g} min call: {call.duration:.0f} s of audio, {len(turns)} turns; analysing...")
            champion, result, wall = self._analyse(owner, mp4, f"bench {minutes:g} min")
            row = self._figures(champion, result, wall, call, turns)
            row["minutes"] = minutes
            champion.delete()
            if with_context:
                row["context"] = context_for(minutes)
                self.stdout.write(f"{minutes:g} min call again, with its context; analysing...")
                champion, result, wall = self._analyse(owner, mp4, f"bench {minutes:g} min", context=row["context"])
                row["with_context"] = self._figures(champion, result, wall, call, turns)
                champion.delete()
        return row

    def _analyse(self, owner: User, mp4: Path, name: str, context: str = "") -> tuple[Champion, dict, float]:
        """Upload ``mp4`` and analyse it in a fresh process (model loading included)."""
        with mp4.open("rb") as handle:
            champion = services.champion_create_from_upload(
                owner=owner,
                uploaded_file=UploadedFile(handle, name=mp4.name, size=mp4.stat().st_size),
                name=name,
                context=context,
            )
        # A fresh interpreter (not a fork of this one, which holds the synthesizers and what
        # they left behind): its peak RSS is the analysis's own, model loading included.
        with tempfile.NamedTemporaryFile(suffix=".json") as result_file:
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, str(MANAGE_PY), "bench_pipeline", "--analyse-one", str(champion.pk)]
                + ["--result-file", result_file.name],
                check=True,
            )
            result = json.loads(Path(result_file.name).read_text())
        wall = time.perf_counter() - started
        champion.refresh_from_db()
        if result["status"] != Champion.Status.READY:
            self.stderr.write(f"analysis failed: {result['error']}")
        return champion, result, wall

    def _figures(self, champion: Champion, result: dict, wall: float, call, turns: list) -> dict:
        spoken = [(speaker, text) for speaker, text, _ in turns]
        transcript = champion.parsed_transcript
        by_speaker = wer_by_speaker(spoken, transcript.text)
        # Every time a merged pattern was said counts, not only its first (a long call repeats).
        patterns = [
            replace(pattern, start=occurrence["start"], end=occurrence["end"])
            for pattern in champion_patterns(champion_id=champion.pk)
            for occurrence in pattern.occurrences or [{"start": pattern.start, "end": pattern.end}]
        ]
        labelled = [
            (turn, (speaker, label)) for turn, (speaker, _, label) in zip(call.turns, turns, strict=True) if label
        ]
        correct = sum(
            predicted_label_for_span(patterns, turn.start, turn.end) == label for turn, (_, label) in labelled
        )
        return {
            "duration": call.duration,
            "wall": wall,
            "rtf": wall / call.duration,
            "peak_rss_mib": result["peak_rss_mib"],
            "steps": result["steps"],
            "step_peaks": result["step_peaks"],
            "wer": wer(" ".join(text for _, text in spoken), transcript.text),
            "wer_champion": by_speaker.get("champion", 0.0),
            "wer_buyer": by_speaker.get("other", 0.0),
            "speaker_accuracy": speaker_time_accuracy(transcript.segments, call.turns),
            "category_accuracy": correct / len(labelled) if labelled else 0.0,
            "none_label": NONE_LABEL,
        }


def speaker_time_accuracy(segments: list[Segment], turns: list) -> float:
    """Share of the true speaking time attributed to the right speaker (overlap of segments
    labelled X with turns spoken by X, over all speaking time)."""
    total = sum(turn.end - turn.start for turn in turns)
    right = 0.0
    for turn in turns:
        for segment in segments:
            if segment.speaker == turn.speaker:
                right += max(0.0, min(turn.end, segment.end) - max(turn.start, segment.start))
    return right / total if total else 0.0
