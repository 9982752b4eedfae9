"""Object-level authorization: rep B, a customer of the same product, aims at every route with
rep A's ids. Each answer must be a 404 (never A's data, never a change to A's objects); where
it matters, A's own request is the control that shows the object is there."""

from __future__ import annotations

from collections.abc import Callable

from attacks.base import Context, Outcome, attack, verdict
from attacks.http import short
from attacks.scene import REPLY, Scene, scene

GROUP = "Object-level authorization"


def _foreign(control_status: int, attack_status: int, what: str) -> Outcome:
    return verdict(
        control_status == 200 and attack_status == 404, f"owner {control_status}, other rep {attack_status} ({what})"
    )


# Attack name → the path of one of A's objects; A gets 200 (the control), B must get 404.
READS = {
    "another rep's champion: GET /champions/{id}": lambda s: f"/champions/{s.a.champion_id}",
    "another rep's scenarios: GET /scenarios/{id}": lambda s: f"/scenarios/{s.a.champion_id}",
    "another rep's session: GET /training/sessions/{id}": lambda s: f"/training/sessions/{s.a.session_id}",
}


def _read(path_of: Callable[[Scene], str]) -> Callable[[Context], Outcome]:
    def run(context: Context) -> Outcome:
        s = scene(context)
        path = path_of(s)
        return _foreign(s.a.rep.api("GET", path).status_code, s.b.rep.api("GET", path).status_code, path)

    return run


for _name, _path_of in READS.items():
    attack(GROUP, _name)(_read(_path_of))


@attack(GROUP, "another rep's champion in GET /champions (list)")
def champion_list(context: Context) -> Outcome:
    s = scene(context)
    ids = [row["id"] for row in s.b.rep.api("GET", "/champions").json()["results"]]
    return verdict(s.a.champion_id not in ids and s.b.champion_id in ids, f"other rep's list: ids {ids}")


@attack(GROUP, "training start on another rep's champion")
def start_foreign_champion(context: Context) -> Outcome:
    s = scene(context)
    response = s.b.rep.api("POST", "/training/start", json={"champion_id": s.a.champion_id})
    return verdict(response.status_code == 404, short(response, 80))


@attack(GROUP, "training start: own champion with another rep's scenario")
def start_foreign_scenario(context: Context) -> Outcome:
    s = scene(context)
    body = {"champion_id": s.b.champion_id, "scenario_id": s.a.scenario_id}
    response = s.b.rep.api("POST", "/training/start", json=body)
    return verdict(response.status_code in (400, 404), short(response, 80))


@attack(GROUP, "training respond in another rep's session")
def respond(context: Context) -> Outcome:
    s = scene(context)
    response = s.b.rep.api("POST", "/training/respond", json={"session_id": s.a.session_id, "message": REPLY})
    return verdict(response.status_code == 404, short(response, 80))


@attack(GROUP, "training end of another rep's session")
def end(context: Context) -> Outcome:
    s = scene(context)
    response = s.b.rep.api("POST", "/training/end", json={"session_id": s.a.session_id})
    status = s.a.rep.api("GET", f"/training/sessions/{s.a.session_id}").json().get("status")
    return verdict(
        response.status_code == 404 and status == "active", f"end {response.status_code}; owner's is {status}"
    )


@attack(GROUP, "GET /training/sessions?champion_id=<another rep's>")
def session_list(context: Context) -> Outcome:
    s = scene(context)
    rows = s.b.rep.api("GET", f"/training/sessions?champion_id={s.a.champion_id}").json().get("results", [])
    return verdict(rows == [], f"{len(rows)} session(s) listed")


@attack(GROUP, "another rep's message audio: GET /training/sessions/{id}/audio/...")
def message_audio(context: Context) -> Outcome:
    s = scene(context)
    codes = [(s.a.rep.api("GET", p).status_code, s.b.rep.api("GET", p).status_code) for p in s.a.audio_paths]
    held_all = all(own == 200 and other == 404 for own, other in codes)
    return verdict(held_all, f"(owner, other rep) per file: {codes}")


@attack(GROUP, "another rep's message audio through one's own session id")
def message_audio_own_session(context: Context) -> Outcome:
    s = scene(context)
    paths = [p.replace(f"/sessions/{s.a.session_id}/", f"/sessions/{s.b.session_id}/") for p in s.a.audio_paths]
    codes = [s.b.rep.api("GET", p).status_code for p in paths]
    return verdict(all(code == 404 for code in codes), f"{paths[0]} … → {codes}")


@attack(GROUP, "another rep's progress in GET /training/progress")
def progress(context: Context) -> Outcome:
    s = scene(context)
    ids = [row["champion_id"] for row in s.b.rep.api("GET", "/training/progress").json()]
    return verdict(s.a.champion_id not in ids, f"champions in the other rep's progress: {ids}")


@attack(GROUP, "log out another rep's refresh token: POST /auth/logout")
def logout_foreign_token(context: Context) -> Outcome:
    s = scene(context)
    response = s.b.rep.api("POST", "/auth/logout", json={"refresh_token": s.a.rep.refresh})
    rotated = s.a.rep.request("POST", "/auth/refresh", json={"refresh_token": s.a.rep.refresh})
    if rotated.status_code == 200:
        s.a.rep.access, s.a.rep.refresh = rotated.json()["access_token"], rotated.json()["refresh_token"]
    return verdict(
        response.status_code != 204 and rotated.status_code == 200,
        f"logout {response.status_code}; owner's refresh afterwards {rotated.status_code}",
    )


# Last: were these to get through, they would change A's objects under the attacks above.
@attack(GROUP, "another rep's champion: POST /analyze/{id}")
def analyze(context: Context) -> Outcome:
    s = scene(context)
    response = s.b.rep.api("POST", f"/analyze/{s.a.champion_id}")
    status = s.a.rep.api("GET", f"/champions/{s.a.champion_id}").json().get("status")
    return verdict(response.status_code == 404 and status == "ready", f"{short(response, 60)}; owner's is {status}")


@attack(GROUP, "another rep's champion: DELETE /champions/{id}")
def delete(context: Context) -> Outcome:
    s = scene(context)
    response = s.b.rep.api("DELETE", f"/champions/{s.a.champion_id}")
    still = s.a.rep.api("GET", f"/champions/{s.a.champion_id}").status_code
    return verdict(
        response.status_code == 404 and still == 200, f"delete {response.status_code}; owner still sees {still}"
    )
