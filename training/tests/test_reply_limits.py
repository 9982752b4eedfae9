"""A spoken reply's limits held on what decodes (``training.voice``): 3 minutes of decoded audio
whatever its header declares, no more audio than its size can hold, and a time budget for
decoding in the web request. A refused reply is a 400 that keeps no turn and no recording.
The lying recordings are made on the fly, never committed."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from agents.audio.decode import probe
from agents.providers.speech import CHAMPION_VOICE, EspeakSynthesizer
from agents.testing.lying_recordings import LONGEST_FRAME, write_lying_recording
from champions.scripted import champion_from_script
from conftest import authenticated_client
from training.models import SessionMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def session_client(user):
    """The user's client and a session just started (the prospect's opening line only)."""
    client = authenticated_client(user)
    champion = champion_from_script(user)
    response = client.post("/training/start", {"champion_id": champion.pk}, format="json")
    assert response.status_code == 201, response.content
    return client, response.json()["session"]["id"]


def lying(folder: Path, true_seconds: float, **options) -> Path:
    path = Path(write_lying_recording(folder / "reply.mkv", true_seconds=true_seconds, **options))
    assert probe(path).duration == pytest.approx(10.0)  # what the header declares
    return path


def reply(client, session_id: int, path: Path):
    with path.open("rb") as audio:
        return client.post("/training/respond", {"session_id": session_id, "audio": audio}, format="multipart")


def assert_nothing_kept(session_id: int) -> None:
    assert SessionMessage.objects.filter(session_id=session_id).count() == 1
    root = Path(settings.MEDIA_ROOT) / "training"
    assert not root.exists() or not [p for p in root.rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    ("true_seconds", "size_bytes"),
    # As the attack ran: 347 KB really lasting 415 s; 17 minutes (in 850 KB, as densely).
    [(415, 347_000), (17 * 60, 850_000)],
)
def test_a_reply_longer_than_three_minutes_behind_a_ten_second_header_is_refused(
    session_client, tmp_path, true_seconds, size_bytes
):
    client, session_id = session_client

    response = reply(client, session_id, lying(tmp_path, true_seconds, size_bytes=size_bytes))

    assert response.status_code == 400, response.content
    assert response.json()["fields"]["audio"] == ["A spoken reply may last 180 s at most."]
    assert_nothing_kept(session_id)


def test_a_few_kilobytes_that_decode_to_minutes_are_refused(session_client, tmp_path):
    client, session_id = session_client
    bomb = lying(tmp_path, 10 * 60, frame_samples=LONGEST_FRAME)
    assert bomb.stat().st_size < 5_000  # room for 2 min at 30,000 s per MB: under the 3 min limit

    response = reply(client, session_id, bomb)

    assert response.status_code == 400, response.content
    assert "more audio than a recording of its size can hold" in response.json()["fields"]["audio"][0]
    assert_nothing_kept(session_id)


@pytest.mark.slow
def test_a_reply_that_decodes_past_the_time_budget_is_refused(session_client, tmp_path, settings):
    client, session_id = session_client
    settings.TRAINING_REPLY_DECODE_SECONDS = 0
    said = EspeakSynthesizer().synthesize(
        "What would slow replies cost you this year?", CHAMPION_VOICE, tmp_path / "r.wav"
    )

    response = reply(client, session_id, Path(said))

    assert response.status_code == 400, response.content
    assert "decoding its audio took longer than 0 s" in response.json()["fields"]["audio"][0]
    assert_nothing_kept(session_id)
