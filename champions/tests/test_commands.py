from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import UploadedFile
from django.core.management import CommandError, call_command

from accounts.models import User
from champions import services
from champions.management.commands.seed_demo import DEMO_CHAMPION_NAME, DEMO_EMAIL
from champions.models import Champion

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
    assert "Password (shown once)" in first.getvalue() and "Password" not in second.getvalue()
    assert Champion.objects.count() == 1
