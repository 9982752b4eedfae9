"""``python manage.py seed_demo``: a demo rep with a ready champion to practise against, and a
demo team around it (README.md, "Teams").

Synthesizes a two-voice sales call from a script shipped in the repository (a clear opening,
discovery questions, three objections with the champion's answers and a close), wraps it into
an MP4, uploads it for the demo rep and runs the real pipeline: on the Celery worker by
default (``make run`` starts one), or here with ``--foreground``.

The demo team: the demo manager, the demo rep and a second one; the demo champion moves into
it, and once its analysis is ready it is published and its first scenario assigned to both
reps. Everything goes through the product's services (invitations accepted with their
tokens, the move by the champion's owner). Idempotent: a re-run completes what the worker had
not finished, and prints each password once, when its account is made.

It lives in ``training`` because the assignment is training's (champions may not import it).
"""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from accounts import services as account_services
from accounts.models import User
from accounts.passwords import generate_password
from agents.scripts import load_script
from agents.testing.synth import call_voices, encode_recording, synthesize_call
from champions import services
from champions import team_services as champion_team_services
from champions.models import Champion
from core.commands import DatabaseCommand
from teams import invitations
from teams import services as team_services
from teams.models import Membership, Role, Team
from training import services as training_services
from training.models import Assignment

DEMO_EMAIL = "rep@demo.championclone.test"
DEMO_SCRIPT = "saas_helpdesk"
DEMO_CHAMPION_NAME = "Maya, FlowDesk (demo call)"
DEMO_MANAGER_EMAIL = "manager@demo.championclone.test"
DEMO_REP2_EMAIL = "rep2@demo.championclone.test"
DEMO_TEAM_NAME = "FlowDesk demo team"
ASSIGNMENT_DAYS, ASSIGNMENT_PASS_SCORE, ASSIGNMENT_MIN_ATTEMPTS = 7, 60, 1


class Command(DatabaseCommand):
    help = "Create the demo rep, a demo champion from a synthesized sales call and a demo team (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--foreground", action="store_true", help="Run the analysis here instead of on a worker.")

    def handle(self, *args, foreground: bool, **options) -> None:
        rep = self._demo_user(DEMO_EMAIL, "Demo Rep", "rep")
        champion = self._demo_champion(rep, foreground=foreground)
        self._demo_team(rep, champion)

    def _demo_user(self, email: str, full_name: str, label: str) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            password = generate_password()
            user = account_services.user_register(email=email, password=password, full_name=full_name)
            # A reserved .test address nobody can confirm: marked verified here, so that the demo
            # shows the emails a verified rep receives (the welcome, "champion ready").
            account_services.user_mark_email_verified(user=user)
            self.stdout.write(f"Demo {label} {email} created. Password (shown once): {password}")
        return user

    def _demo_champion(self, rep: User, *, foreground: bool) -> Champion:
        # Its owner stays the demo rep once it is the demo team's.
        champion = Champion.objects.filter(owner=rep, name=DEMO_CHAMPION_NAME).first()
        if champion is not None and champion.status in (
            Champion.Status.READY,
            Champion.Status.QUEUED,
            Champion.Status.PROCESSING,
        ):
            self.stdout.write(f"Demo champion #{champion.pk} is {champion.status}.")
            return champion
        if champion is None:
            champion = self._upload_demo_call(rep)
            self.stdout.write(f"Demo champion #{champion.pk} uploaded ({champion.duration_seconds:.0f} s).")
        if foreground:
            champion = services.champion_analysis_run_here(champion=champion)
            self.stdout.write(f"Demo champion #{champion.pk} is {champion.status}. {champion.error}".strip())
        else:
            services.champion_analysis_request(champion=champion)
            self.stdout.write(f"Demo champion #{champion.pk} queued: the worker analyses it in about a minute.")
        return champion

    def _demo_team(self, rep: User, champion: Champion) -> None:
        manager = self._demo_user(DEMO_MANAGER_EMAIL, "Demo Manager", "manager")
        rep2 = self._demo_user(DEMO_REP2_EMAIL, "Demo Rep Two", "rep")
        team = Team.objects.filter(name=DEMO_TEAM_NAME, memberships__user=manager).first()
        if team is None:
            team = self._create_team(rep, manager, rep2, champion)
            self.stdout.write(f"Demo team #{team.pk} {DEMO_TEAM_NAME!r}: {DEMO_MANAGER_EMAIL} manages it.")
        champion.refresh_from_db()
        if champion.team_id != team.pk:
            self.stdout.write(f"Demo champion #{champion.pk} is not the demo team's: left as it is.")
            return
        if champion.status != Champion.Status.READY:
            self.stdout.write(
                "The demo team's champion is published and assigned once ready: run seed_demo again then."
            )
            return
        champion_team_services.champion_publish(champion=champion, by=manager)
        self._assign_first_scenario(team, manager, champion, [rep.pk, rep2.pk])

    def _create_team(self, rep: User, manager: User, rep2: User, champion: Champion) -> Team:
        """The champion's owner makes the team and moves the champion into it (only an owner
        who manages the team may), the manager and the second rep join by invitation, then the
        owner steps down to rep: the team is the manager's."""
        team = team_services.team_create(user=rep, name=DEMO_TEAM_NAME)
        if champion.team_id is None:
            champion_team_services.champion_move(champion=champion, by=rep, team_id=team.pk)
        for user, role in ((manager, Role.MANAGER), (rep2, Role.REP)):
            invitation = team_services.invitation_create(team=team, invited_by=rep, email=user.email, role=role)
            team_services.invitation_accept(
                user=user, token=invitations.invitation_token(invitation.pk, invitation.nonce)
            )
        team_services.member_change_role(team=team, user_id=rep.pk, role=Role.REP)
        return team

    def _assign_first_scenario(self, team: Team, manager: User, champion: Champion, rep_ids: list[int]) -> None:
        if Assignment.objects.filter(team=team, champion=champion, cancelled_at__isnull=True).exists():
            return
        scenario = champion.scenarios.order_by("position").first()
        members = set(Membership.objects.filter(team=team, user_id__in=rep_ids).values_list("user_id", flat=True))
        if scenario is None or not members:
            return
        assignment = training_services.assignment_create(
            team=team,
            created_by=manager,
            scenario_id=scenario.pk,
            assignee_ids=[user_id for user_id in rep_ids if user_id in members],
            due_at=timezone.now() + timedelta(days=ASSIGNMENT_DAYS),
            pass_score=ASSIGNMENT_PASS_SCORE,
            min_attempts=ASSIGNMENT_MIN_ATTEMPTS,
        )
        self.stdout.write(
            f"Demo assignment #{assignment.pk}: {scenario.title!r}, due in {ASSIGNMENT_DAYS} days, "
            f"pass {ASSIGNMENT_PASS_SCORE}, {ASSIGNMENT_MIN_ATTEMPTS} attempt."
        )

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
