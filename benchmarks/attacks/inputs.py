"""Mass assignment (fields a client must not set), uploads that are not what they say (a
JPEG, a ZIP, HTML with an audio extension, an empty or 0-second file, a path in the file
name), and the decompression bombs the issue found: a recording whose header claims 10 s."""

from __future__ import annotations

import os
import time
from pathlib import Path

from attacks import media
from attacks.base import Context, Outcome, attack, verdict
from attacks.http import Actor, new_rep, short
from attacks.scene import scene, start_session

MASS = "Mass assignment"
UPLOADS = "Upload polyglots and path traversal"
BOMB = "Finding: decompression bomb"
PRIVILEGED = {
    "role": "admin",
    "is_staff": True,
    "is_superuser": True,
    "subscription_plan": "enterprise",
    "subscription_status": "active",
    "journey_stage": "active_trainee",
    "token_version": 99,
    "login_count": 1000,
    "email_verified": True,
    "email_verified_at": "2020-01-01T00:00:00Z",
}
EXPECTED_PROFILE = {"role": "user", "subscription_plan": "free", "subscription_status": "trialing"}


def _uploader(context: Context) -> Actor:
    return context.shared("uploader", lambda: new_rep(context, "uploader"))


def _profile_subset(actor: Actor) -> dict[str, object]:
    me = actor.api("GET", "/auth/me").json()
    return {key: me.get(key) for key in EXPECTED_PROFILE}


def _privileged_registration(context: Context) -> Actor:
    return context.shared("privileged registration", lambda: new_rep(context, "mass-assign", **PRIVILEGED))


@attack(MASS, "register with role/is_staff/is_superuser/plan/status fields")
def register_privileged(context: Context) -> Outcome:
    profile = _profile_subset(_privileged_registration(context))
    return verdict(profile == EXPECTED_PROFILE, f"profile after registration: {profile}")


@attack(MASS, "the self-made 'admin' logs in to the staff admin")
def register_privileged_admin_login(context: Context) -> Outcome:
    rep = _privileged_registration(context)
    response = Actor(context, "mass-assign-browser").admin_login(rep.email, rep.password)
    return verdict(response.status_code != 302, f"admin login → {response.status_code} (302 would be a session)")


@attack(MASS, "PATCH and PUT /auth/me with role/plan fields")
def me_privileged(context: Context) -> Outcome:
    rep = _privileged_registration(context)
    codes = [rep.api(method, "/auth/me", json=PRIVILEGED).status_code for method in ("PATCH", "PUT")]
    profile = _profile_subset(rep)
    return verdict(profile == EXPECTED_PROFILE and 200 not in codes, f"PATCH/PUT → {codes}; profile {profile}")


@attack(MASS, "upload with owner/status/duration fields")
def upload_privileged(context: Context) -> Outcome:
    uploader, victim = _uploader(context), _privileged_registration(context)
    fields = {"owner": victim.user_id, "owner_id": victim.user_id, "user": victim.user_id, "status": "ready"}
    response = uploader.upload("call.wav", media.tone_wav(), duration_seconds=99999, id=1, **fields)
    if response.status_code != 201:
        return verdict(False, f"a plain upload failed: {short(response)}")
    champion = response.json()
    mine = uploader.api("GET", f"/champions/{champion['id']}").status_code
    theirs = victim.api("GET", f"/champions/{champion['id']}").status_code
    ok = champion["status"] == "uploaded" and champion["duration_seconds"] < 10 and (mine, theirs) == (200, 404)
    return verdict(
        ok, f"status {champion['status']}, {champion['duration_seconds']} s; uploader {mine}, named owner {theirs}"
    )


# --- files that are not what they say ------------------------------------------------------
@attack(UPLOADS, "file named ../../etc/passwd")
def traversal_passwd(context: Context) -> Outcome:
    before = os.stat("/etc/passwd").st_mtime_ns
    response = _uploader(context).upload("../../etc/passwd", media.tone_wav(), "text/plain")
    name = response.json().get("name") if response.status_code == 201 else None
    unchanged = os.stat("/etc/passwd").st_mtime_ns == before
    return verdict(
        unchanged and (name is None or "/" not in name), f"{short(response, 90)}; /etc/passwd unchanged: {unchanged}"
    )


@attack(UPLOADS, "file named with an absolute path (/tmp/…) is not written there")
def traversal_absolute(context: Context) -> Outcome:
    target = Path(f"/tmp/attack-run-{context.run_id}-traversal.wav")  # noqa: S108 - the path the attack aims at
    response = _uploader(context).upload(f"../../../../../..{target}", media.tone_wav())
    champion_id = response.json().get("id") if response.status_code == 201 else None
    detail = _uploader(context).api("GET", f"/champions/{champion_id}").json() if champion_id else {}
    stored = detail.get("original_filename", "")
    return verdict(
        not target.exists() and "/" not in stored,
        f"{response.status_code}; stored name {stored!r}; {target} exists: {target.exists()}",
    )


def _refused(context: Context, filename: str, content: bytes, content_type: str) -> Outcome:
    response = _uploader(context).upload(filename, content, content_type)
    return verdict(response.status_code == 400, short(response, 110))


@attack(UPLOADS, "a JPEG named call.mp3")
def jpeg_as_audio(context: Context) -> Outcome:
    return _refused(context, "call.mp3", media.jpeg(), "audio/mpeg")


@attack(UPLOADS, "a ZIP named call.wav")
def zip_as_audio(context: Context) -> Outcome:
    return _refused(context, "call.wav", media.zip_archive(), "audio/wav")


@attack(UPLOADS, "an HTML page named call.m4a")
def html_as_audio(context: Context) -> Outcome:
    return _refused(context, "call.m4a", media.html_page(), "audio/mp4")


@attack(UPLOADS, "an empty file")
def empty_file(context: Context) -> Outcome:
    return _refused(context, "call.wav", b"", "audio/wav")


@attack(UPLOADS, "a 0-second WAV (valid header, no frames)")
def zero_duration(context: Context) -> Outcome:
    return _refused(context, "call.wav", media.zero_frames_wav(), "audio/wav")


@attack(UPLOADS, "audio+HTML polyglot named page.html is never served back")
def polyglot_not_served(context: Context) -> Outcome:
    uploader = _uploader(context)
    response = uploader.upload("page.html", media.tone_wav() + media.html_page(), "text/html")
    if response.status_code != 201:
        return verdict(response.status_code == 400, f"refused: {short(response, 80)}")
    detail = uploader.api("GET", f"/champions/{response.json()['id']}").json()
    paths = ["/media-private/recordings/", "/media/recordings/", "/static/page.html", "/media-private/page.html"]
    codes = [uploader.api("GET", path).status_code for path in paths]
    leaked = [key for key in ("recording", "file", "url", "path") if key in detail]
    return verdict(
        all(code == 404 for code in codes) and not leaked, f"URLs {codes}; file fields in the detail: {leaked}"
    )


# --- the decompression bombs ---------------------------------------------------------------
def _recording_files(context: Context) -> int | None:
    clone = context.setup.clone_dir
    root = clone / "var" / "media" / "recordings" if clone else None
    return sum(len(files) for _, _, files in os.walk(root)) if root and root.exists() else None


@attack(BOMB, "upload: 3 MB Matroska/FLAC claiming 10 s, decoding to 3 h")
def bomb_upload(context: Context) -> Outcome:
    rep = new_rep(context, "bomb-uploader")
    bomb = media.lying_flac_mkv(3 * 3600, 10)
    files_before = _recording_files(context)
    started = time.monotonic()
    response = rep.upload("call.mkv", bomb, "video/x-matroska")
    elapsed = time.monotonic() - started
    answer = short(response, 90)
    if response.status_code == 201:  # never analysed here: the worker would decode 3 hours
        answer = f"201, accepted as {response.json().get('duration_seconds')} s"
        rep.api("DELETE", f"/champions/{response.json()['id']}")
    left = rep.api("GET", "/champions").json().get("count")
    files = (files_before, _recording_files(context))
    ok = response.status_code == 400 and left == 0 and files[0] == files[1]
    return verdict(ok, f"{len(bomb):,} B: {answer} in {elapsed:.1f} s; rows left {left}; recording files {files}")


def _reply_bomb(context: Context, real_seconds: float) -> Outcome:
    owner = scene(context).a
    session_id = start_session(owner.rep, owner.champion_id)
    turns_before = owner.rep.api("GET", f"/training/sessions/{session_id}").json().get("turn_count")
    bomb = media.lying_flac_mkv(real_seconds, 10)
    started = time.monotonic()
    response = owner.rep.api(
        "POST",
        "/training/respond",
        data={"session_id": session_id},
        files={"audio": ("reply.mkv", bomb, "video/x-matroska")},
        timeout=180,
    )
    elapsed = time.monotonic() - started
    turns = owner.rep.api("GET", f"/training/sessions/{session_id}").json().get("turn_count")
    ok = response.status_code == 400 and elapsed < 10 and turns == turns_before
    return verdict(ok, f"{len(bomb):,} B: {short(response, 80)} in {elapsed:.1f} s; turns {turns_before} → {turns}")


@attack(BOMB, "spoken reply: claims 10 s, decodes to 415 s (limit 180 s)")
def bomb_reply(context: Context) -> Outcome:
    return _reply_bomb(context, 415)


@attack(BOMB, "spoken reply: claims 10 s, decodes to 17 min")
def bomb_reply_long(context: Context) -> Outcome:
    return _reply_bomb(context, 17 * 60)
