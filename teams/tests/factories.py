import factory

from accounts.tests.factories import UserFactory
from teams.models import Membership, Role, Team


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.REP


def team_with(manager, *reps, name: str = "Sales East") -> Team:
    """A team managed by ``manager`` with ``reps`` as its reps."""
    team = TeamFactory(name=name, created_by=manager)
    MembershipFactory(team=team, user=manager, role=Role.MANAGER)
    for rep in reps:
        MembershipFactory(team=team, user=rep, role=Role.REP)
    return team
