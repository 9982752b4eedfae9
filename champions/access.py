"""Who sees and who manages a champion (README.md, "Teams"): the one place that decides it.

- A personal champion (no team) is its owner's alone.
- A team champion is governed by the team's roles, read from ``Membership`` on every request
  (a removed member or a demoted manager loses access at once): its managers see and manage
  it always, its reps see it once published.

Every scope is a filter on subqueries of the caller's team ids (``teams.selectors``), never a
join: a champion is one row whatever the memberships, and the query count does not grow with
the number of champions or members.
"""

from __future__ import annotations

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When

from accounts.models import User
from champions.models import Champion
from core.errors import NotFound, PermissionDenied
from teams.selectors import managed_team_ids, member_team_ids


def _managed(user: User) -> Q:
    return Q(team__isnull=True, owner=user) | Q(team__isnull=False, team_id__in=managed_team_ids(user))


def _visible(user: User) -> Q:
    return _managed(user) | Q(team__isnull=False, published_at__isnull=False, team_id__in=member_team_ids(user))


def visible_champions(user: User, queryset: QuerySet[Champion] | None = None) -> QuerySet[Champion]:
    """The champions ``user`` sees, each annotated with ``can_manage``."""
    base = Champion.objects.all() if queryset is None else queryset
    return base.filter(_visible(user)).annotate(
        can_manage=Case(When(_managed(user), then=Value(True)), default=Value(False), output_field=BooleanField())
    )


def is_visible(user: User) -> Q:
    """A filter on champions that keeps those ``user`` sees (for a subquery of another query)."""
    return _visible(user)


def check_can_manage(champion: Champion) -> Champion:
    """``champion`` (from ``visible_champions``) if its viewer may manage it, else 403: a rep
    asks to change a champion it sees."""
    if not getattr(champion, "can_manage", False):
        raise PermissionDenied("Only the team's managers can change this champion.")
    return champion


def champion_for(
    user: User, champion_id: int, *, manage: bool = False, queryset: QuerySet[Champion] | None = None
) -> Champion:
    """The champion ``champion_id`` as ``user`` may have it: 404 when they cannot see it, 403
    when ``manage`` is asked and they only see it."""
    champion = visible_champions(user, queryset).filter(pk=champion_id).first()
    if champion is None:
        raise NotFound("No such champion.")
    return check_can_manage(champion) if manage else champion
