from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import UploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import User
from champions import services
from champions.models import Champion
from champions.pipeline.steps import STEPS, progress_at_start
from champions.tests.factories import ChampionFactory, QueuedChampionFactory
from training.management.commands.seed_demo import (
    DEMO_CHAMPION_NAME,
    DEMO_EMAIL,
    DEMO_MANAGER_EMAIL,
    DEMO_REP2_EMAIL,
    DEMO_TEAM_NAME,
)

pytestmark = pytest.mark.django_db


def test_analyze_champion_runs_the_pipeline_in_the_foreground(user, short_call):
    with open(short_call.mp4, "rb") as handle:
        champion = services.champion_create_from_upload(
            owner=user, uploaded_file=UploadedFile(handle, name="call.mp4", size=Path(short_call.mp4).stat().st_size)
        )
    out = StringIO()
    call_command("analyze_champion", str(champion.pk), stdout=out)
    champion.refresh_from_db()
    assert champion.status == "ready" and champion.patterns.exists()
    assert "ready in" in out.getvalue()


def test_analyze_champion_unknown_id_is_a_clear_error():
    with pytest.raises(CommandError, match="No champion"):
        call_command("analyze_champion", "999999")


def test_seed_demo_is_idempotent(monkeypatch):
    queued = []
    monkeypatch.setattr("champions.tasks.analysis_pipeline_start", lambda cid, run: queued.append(cid))
    first, second = StringIO(), StringIO()
    call_command("seed_demo", stdout=first)
    call_command("seed_demo", stdout=second)
    rep = User.objects.get(email=DEMO_EMAIL)
    champion = Champion.objects.get(owner=rep, name=DEMO_CHAMPION_NAME)
    assert champion.status == "queued" and champion.duration_seconds > 90
    assert first.getvalue().count("Password (shown once)") == 3 and "Password" not in second.getvalue()
    assert Champion.objects.count() == 1
    # The team is made at once; the champion, still being analysed, waits as its draft.
    assert champion.team.name == DEMO_TEAM_NAME and champion.published_at is None
    assert "published and assigned once ready" in second.getvalue()


def test_analyze_champion_shows_each_steps_label_and_progress(scripted_steps, capsys):
    champion = ChampionFactory()
    call_command("analyze_champion", str(champion.pk), stdout=StringIO())
    bar = capsys.readouterr().out
    assert all(f"{progress_at_start(step.name):3d}% {step.label}" in bar for step in STEPS)
    assert "100% ready" in bar


def test_analyze_champion_of_a_failing_run_is_an_error_with_its_reason(scripted_steps):
    scripted_steps.fail("patterns", ValueError("nothing to learn"))
    with pytest.raises(CommandError, match="Extracting sales patterns failed: nothing to learn"):
        call_command("analyze_champion", str(ChampionFactory().pk), stdout=StringIO())


def test_analyze_champion_of_a_busy_champion_is_an_error(scripted_steps):
    with pytest.raises(CommandError, match="already being analysed"):
        call_command("analyze_champion", str(QueuedChampionFactory().pk))
    assert scripted_steps.calls == []


def test_seed_demo_in_the_foreground_analyses_here(scripted_steps):
    out = StringIO()
    call_command("seed_demo", "--foreground", stdout=out)
    champion = Champion.objects.get(name=DEMO_CHAMPION_NAME)
    assert champion.status == "ready" and scripted_steps.calls[0] == "decode"
    assert f"Demo champion #{champion.pk} is ready." in out.getvalue()


def test_seed_demo_makes_a_demo_team_with_the_champion_published_and_its_first_scenario_assigned(scripted_steps):
    from champions.tests.factories import ScenarioFactory
    from teams.models import Invitation, Membership
    from training.models import Assignment

    scripted_steps.actions["scenarios"] = lambda champion: [
        ScenarioFactory(champion=champion, position=position, title=title)
        for position, title in ((1, "Second"), (0, "First"))
    ]
    first, second = StringIO(), StringIO()
    call_command("seed_demo", "--foreground", stdout=first)
    call_command("seed_demo", "--foreground", stdout=second)
    champion = Champion.objects.select_related("team").get(name=DEMO_CHAMPION_NAME)
    team = champion.team
    assert team.name == DEMO_TEAM_NAME and champion.published_at is not None
    roles = dict(Membership.objects.filter(team=team).values_list("user__email", "role"))
    assert roles == {DEMO_MANAGER_EMAIL: "manager", DEMO_EMAIL: "rep", DEMO_REP2_EMAIL: "rep"}
    assert Invitation.objects.filter(team=team, accepted_at__isnull=False).count() == 2
    [assignment] = Assignment.objects.filter(team=team)
    assert (assignment.scenario.title, assignment.pass_score, assignment.min_attempts) == ("First", 60, 1)
    assert assignment.created_by.email == DEMO_MANAGER_EMAIL
    assert set(assignment.assignees.values_list("user__email", flat=True)) == {DEMO_EMAIL, DEMO_REP2_EMAIL}
    days = (assignment.due_at - timezone.now()).total_seconds() / 86400
    assert 6.99 < days <= 7
    for email in (DEMO_EMAIL, DEMO_MANAGER_EMAIL, DEMO_REP2_EMAIL):
        assert f"{email} created. Password (shown once): " in first.getvalue()
    assert "Password" not in second.getvalue() and "Demo assignment" not in second.getvalue()
    assert Champion.objects.count() == 1 and Membership.objects.count() == 3
