"""Data for the API benchmark: one rep with 20 champions (one of them analysed from a call
looped to ``--call-minutes`` and analysed as such), 20 training sessions, one of them ended.
Prints a JSON line of what the driver needs: the access token and the ids."""

from __future__ import annotations

import json
import sys
import uuid

import django

django.setup()

from accounts.models import User  # noqa: E402
from accounts.tokens import token_pair_for  # noqa: E402
from champions.models import Champion  # noqa: E402
from champions.scripted import champion_from_script  # noqa: E402
from training import services as training  # noqa: E402

CHAMPIONS = 20
SESSIONS = 20  # the ended one included


def main(call_minutes: float) -> None:
    user = User.objects.create_user("bench-api@bench.championclone.test", "Bench-Passw0rd!", full_name="Bench Rep")
    long_call = champion_from_script(user, "logistics_routing", call_minutes=call_minutes)
    others = [champion_from_script(user, "saas_helpdesk")]
    template = Champion.objects.get(pk=others[0].pk)
    for index in range(CHAMPIONS - 2):
        template.pk, template.analysis_run = None, uuid.uuid4()
        template.name = f"Copy {index}"
        template.save()
    for _ in range(SESSIONS - 1):
        training.session_start(user=user, champion_id=others[0].pk)
    ended = training.session_start(user=user, champion_id=others[0].pk)
    training.session_end(user=user, session_id=ended.pk)
    print(
        json.dumps(
            {
                "token": token_pair_for(user).access_token,
                "long_champion_id": long_call.pk,
                "call_seconds": long_call.duration_seconds,
                "ended_session_id": ended.pk,
            }
        )
    )


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 120.0)
