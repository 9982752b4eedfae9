"""Who sees and who manages a champion (README.md, "Teams"): the one place that decides it.

- A personal champion (no team) is its owner's alone.
- A team champion is governed by the team's roles, read from ``Membership`` on every request
  (a removed member or a demoted manager loses access at once): its managers see and manage
  it always, its reps see it once published.

The caller's team ids are read first, in one small query (``teams.selectors.team_ids_by_role``),
and every scope filters on those plain lists, never a join: a champion is one row whatever the
memberships, and the query count does not grow with the number of champions or members. (Three
subqueries of the membership table, built and compiled on every request and twice on a paged
list, cost more than the query they replace; issue 13.) The champion list, compiled once per
connection, takes the same rule with the team ids as subqueries instead
(``visible_champions_of_user_id``). ``sees`` is the same rule on a champion already loaded (a
test holds the three together).
"""

from __future__ import annotations

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When

from accounts.models import User
from champions.models import Champion
from core.errors import NotFound, PermissionDenied
from teams.models import Role
from teams.selectors import team_ids_by_role, team_ids_subquery


def _owned(user_id: int) -> Q:
    return Q(team__isnull=True, owner_id=user_id)


def _scoped(base: QuerySet[Champion], user_id: int, managed_ids, rep_ids) -> QuerySet[Champion]:
    """The rule itself: ``managed_ids`` and ``rep_ids`` are the caller's teams by role, as id
    lists or as subqueries (``None``: the caller has no such team)."""
    managed = _owned(user_id) | Q(team_id__in=managed_ids) if managed_ids is not None else _owned(user_id)
    visible = managed | Q(team_id__in=rep_ids, published_at__isnull=False) if rep_ids is not None else managed
    # Without a rep's team, whatever the caller sees they manage.
    can_manage = (
        Case(When(managed, then=Value(True)), default=Value(False), output_field=BooleanField())
        if rep_ids is not None
        else Value(True, output_field=BooleanField())
    )
    return base.filter(visible).annotate(can_manage=can_manage)


def visible_champions(user: User, queryset: QuerySet[Champion] | None = None) -> QuerySet[Champion]:
    """The champions ``user`` sees, each annotated with ``can_manage``."""
    base = Champion.objects.all() if queryset is None else queryset
    managed_ids, rep_ids = team_ids_by_role(user)
    return _scoped(base, user.pk, managed_ids or None, rep_ids or None)


def visible_champions_of_user_id(user_id: int, queryset: QuerySet[Champion]) -> QuerySet[Champion]:
    """The same champions in one query whose SQL does not depend on who asks: the caller's
    teams are subqueries of their memberships. For a ``core.prepared.PreparedQuery``, compiled
    once (built per request, the subqueries cost more than the query they would save)."""
    return _scoped(queryset, user_id, team_ids_subquery(user_id, Role.MANAGER), team_ids_subquery(user_id, Role.REP))


def sees(user: User, champion: Champion) -> bool:
    """Whether ``user`` sees ``champion``, a row already loaded: no query for a personal
    champion, the caller's teams (one small query) for a team's."""
    return sees_and_manages(user, champion)[0]


def sees_and_manages(user: User, champion: Champion) -> tuple[bool, bool]:
    """Whether ``user`` sees ``champion``, a row already loaded, and whether they manage it
    (``can_manage`` of ``visible_champions``), with one query at most."""
    if champion.team_id is None:
        owns = champion.owner_id == user.pk
        return owns, owns
    managed_ids, rep_ids = team_ids_by_role(user)
    manages = champion.team_id in managed_ids
    return manages or (champion.team_id in rep_ids and champion.published_at is not None), manages


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
