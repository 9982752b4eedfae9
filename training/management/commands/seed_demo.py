"""``python manage.py seed_demo``: a demo rep with a ready champion to practise against.

Synthesizes a two-voice sales call from a script shipped in the repository (a clear opening,
discovery questions, three objections with the champion's answers and a close), wraps it into
an MP4, uploads it for the demo rep and runs the real pipeline: on the Celery worker by
default (``make run`` starts one), or here with ``--foreground``. Idempotent.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.core.management.base import BaseCommand

from accounts import services as account_services
from accounts.models import User
from accounts.passwords import generate_password
from agents.scripts import load_script
from agents.testing.synth import call_voices, encode_recording, synthesize_call
from champions import services
from champions.models import Champion

DEMO_EMAIL = "rep@demo.championclone.test"
DEMO_SCRIPT = "saas_helpdesk"
DEMO_CHAMPION_NAME = "Maya, FlowDesk (demo call)"


class Command(BaseCommand):
    help = "Create the demo rep and a demo champion from a synthesized sales call (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--foreground", action="store_true", help="Run the analysis here instead of on a worker.")

    def handle(self, *args, foreground: bool, **options) -> None:
        rep = User.objects.filter(email=DEMO_EMAIL).first()
        if rep is None:
            password = generate_password()
            rep = account_services.user_register(email=DEMO_EMAIL, password=password, full_name="Demo Rep")
            # A reserved .test address nobody can confirm: marked verified here, so that the demo
            # shows the emails a verified rep receives (the welcome, "champion ready").
            account_services.user_mark_email_verified(user=rep)
            self.stdout.write(f"Demo rep {DEMO_EMAIL} created. Password (shown once): {password}")
        champion = Champion.objects.filter(owner=rep, name=DEMO_CHAMPION_NAME).first()
        if champion is not None and champion.status in (
            Champion.Status.READY,
            Champion.Status.QUEUED,
            Champion.Status.PROCESSING,
        ):
            self.stdout.write(f"Demo champion #{champion.pk} is {champion.status}.")
            return
        if champion is None:
            champion = self._upload_demo_call(rep)
            self.stdout.write(f"Demo champion #{champion.pk} uploaded ({champion.duration_seconds:.0f} s).")
        if foreground:
            champion = services.champion_analysis_run_here(champion=champion)
            self.stdout.write(f"Demo champion #{champion.pk} is {champion.status}. {champion.error}".strip())
        else:
            services.champion_analysis_request(champion=champion)
            self.stdout.write(f"Demo champion #{champion.pk} queued: the worker analyses it in about a minute.")

    def _upload_demo_call(self, rep: User) -> Champion:
        script = load_script(DEMO_SCRIPT)
        with tempfile.TemporaryDirectory(prefix="demo-call-") as scratch:
            call = synthesize_call(
                [(turn.speaker, turn.text) for turn in script.turns],
                Path(scratch) / "call.wav",
                synthesizer=call_voices(),
            )
            mp4 = Path(encode_recording(call.wav_path, Path(scratch) / "flowdesk-demo-call.mp4", video=True))
            with mp4.open("rb") as handle:
                upload = UploadedFile(handle, name=mp4.name, size=mp4.stat().st_size)
                return services.champion_create_from_upload(owner=rep, uploaded_file=upload, name=DEMO_CHAMPION_NAME)
