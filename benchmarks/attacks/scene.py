"""The objects several attacks aim at, made once over the public API as two ordinary reps
would make them: a champion analysed from a real sales call each, practice sessions, a
reply with speech (so that message audio exists)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from attacks.base import Context, SceneError, wait_for
from attacks.http import Actor, new_rep, short

ANALYSIS_TIMEOUT = 420.0
REPLY = "I understand the budget concern. What would it cost you to keep losing those deals each quarter?"


@dataclass
class RepWithChampion:
    rep: Actor
    champion_id: int
    scenario_id: int
    session_id: int = 0
    message_ids: list[int] = field(default_factory=list)
    audio_paths: list[str] = field(default_factory=list)


@dataclass
class Scene:
    a: RepWithChampion  # the victim: every object-level attack aims at A's objects
    b: RepWithChampion  # the attacker: a rep of the same product with objects of their own


def scene(context: Context) -> Scene:
    return context.shared("two reps with ready champions", lambda: _build(context))


def _build(context: Context) -> Scene:
    call_file = context.setup.call_file
    if call_file is None or not call_file.is_file():
        raise SceneError("no sales-call recording to analyse (setup call_file)")
    content = call_file.read_bytes()
    reps = [new_rep(context, "rep-a", full_name="Alice Victim"), new_rep(context, "rep-b", full_name="Bob Attacker")]
    champion_ids = [_upload_and_analyze(rep, content, call_file.name) for rep in reps]
    for rep, champion_id in zip(reps, champion_ids):
        _wait_ready(rep, champion_id)
    a, b = (RepWithChampion(rep, cid, _first_scenario(rep, cid)) for rep, cid in zip(reps, champion_ids))
    for owner in (a, b):
        owner.session_id = start_session(owner.rep, owner.champion_id)
    _reply_with_speech(a)
    return Scene(a=a, b=b)


def _upload_and_analyze(rep: Actor, content: bytes, filename: str) -> int:
    response = rep.upload(filename, content, "video/mp4", name=f"{rep.label}'s champion")
    if response.status_code != 201:
        raise SceneError(f"upload of the sales call by {rep.label}: {short(response)}")
    champion_id = response.json()["id"]
    response = rep.api("POST", f"/analyze/{champion_id}")
    if response.status_code != 202:
        raise SceneError(f"analyze by {rep.label}: {short(response)}")
    return champion_id


def _wait_ready(rep: Actor, champion_id: int) -> None:
    def status() -> str:
        value = rep.api("GET", f"/champions/{champion_id}").json().get("status", "")
        return value if value in ("ready", "failed") else ""

    started = time.monotonic()
    final = wait_for(status, timeout=ANALYSIS_TIMEOUT, interval=2.0)
    if final != "ready":
        detail = rep.api("GET", f"/champions/{champion_id}").json()
        raise SceneError(
            f"champion {champion_id} is {detail.get('status')!r} after {time.monotonic() - started:.0f} s "
            f"(is a Celery worker running?): {detail.get('error', '')}"
        )


def _first_scenario(rep: Actor, champion_id: int) -> int:
    response = rep.api("GET", f"/scenarios/{champion_id}")
    if response.status_code != 200 or not response.json():
        raise SceneError(f"scenarios of {champion_id}: {short(response)}")
    return response.json()[0]["id"]


def start_session(rep: Actor, champion_id: int) -> int:
    response = rep.api("POST", "/training/start", json={"champion_id": champion_id})
    if response.status_code != 201:
        raise SceneError(f"training start by {rep.label}: {short(response)}")
    return response.json()["session"]["id"]


def _reply_with_speech(owner: RepWithChampion) -> None:
    response = owner.rep.api(
        "POST",
        "/training/respond",
        json={"session_id": owner.session_id, "message": REPLY, "speech": True},
        timeout=120,
    )
    if response.status_code != 200:
        raise SceneError(f"training respond by {owner.rep.label}: {short(response)}")
    detail = owner.rep.api("GET", f"/training/sessions/{owner.session_id}").json()
    for message in detail["messages"]:
        owner.message_ids.append(message["id"])
        evaluation = message.get("evaluation") or {}
        owner.audio_paths += [url for url in (message.get("audio_url"), evaluation.get("reference_audio_url")) if url]
    if not owner.audio_paths:
        raise SceneError("the reply with speech: true left no message audio to aim at")
