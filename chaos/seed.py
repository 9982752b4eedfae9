"""Data for the fault scripts, written into their throw-away database; prints one JSON line.

seed.py staff            a rep (access token) and a staff member (a signed-in admin session)
seed.py load <reps>      <reps> reps (access tokens) of one team that practises a published,
                         ready champion (analysed from a script's text: no audio)
"""

from __future__ import annotations

import json
import sys

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.tokens import token_pair_for  # noqa: E402
from champions.scripted import champion_from_script  # noqa: E402
from teams.models import Membership, Role, Team  # noqa: E402

PASSWORD = "Chaos-Passw0rd!"  # noqa: S105 (throw-away accounts in a throw-away database)


def rep(index: int) -> User:
    return User.objects.create_user(f"rep{index}@chaos.championclone.test", PASSWORD, full_name=f"Chaos Rep {index}")


def staff_session_cookie(user: User) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def seed_staff() -> dict:
    staff = User.objects.create_superuser("staff@chaos.championclone.test", PASSWORD, full_name="Chaos Staff")
    return {"token": token_pair_for(rep(0)).access_token, "staff_cookie": staff_session_cookie(staff)}


def seed_load(reps: int) -> dict:
    manager = User.objects.create_user("manager@chaos.championclone.test", PASSWORD, full_name="Chaos Manager")
    team = Team.objects.create(name="Chaos team", created_by=manager)
    Membership.objects.create(team=team, user=manager, role=Role.MANAGER)
    champion = champion_from_script(manager, "saas_helpdesk")
    champion.team, champion.published_at = team, timezone.now()
    champion.save(update_fields=["team", "published_at"])
    users = [rep(index) for index in range(reps)]
    Membership.objects.bulk_create([Membership(team=team, user=user, role=Role.REP) for user in users])
    return {"tokens": [token_pair_for(user).access_token for user in users], "champion_id": champion.pk}


if __name__ == "__main__":
    kind = sys.argv[1]
    print(json.dumps(seed_staff() if kind == "staff" else seed_load(int(sys.argv[2]))))
