from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import UserFactory
from core.prepared import PreparedQuery
from teams.models import Membership, Role, Team

pytestmark = pytest.mark.django_db

users_by_id = PreparedQuery(lambda user_id: User.objects.filter(pk=user_id).order_by())
roles_of = PreparedQuery(lambda user_id: Membership.objects.filter(user_id=user_id).order_by().values_list("role"))


def test_rows_are_the_querysets_with_its_converted_values(django_assert_num_queries):
    user = UserFactory(last_login_at=timezone.now())
    users_by_id.rows(user.pk)  # compiled
    with django_assert_num_queries(1):
        (fetched,) = users_by_id.rows(user.pk)
    expected = User.objects.get(pk=user.pk)
    for field in User._meta.concrete_fields:
        assert getattr(fetched, field.attname) == getattr(expected, field.attname), field.name
    assert fetched.last_login_at.tzinfo is not None and fetched.is_active is True
    assert not fetched._state.adding and fetched._state.db == "default"


def test_every_call_asks_the_database_afresh():
    user = UserFactory()
    team = Team.objects.create(name="T")
    assert roles_of.rows(user.pk) == []
    Membership.objects.create(team=team, user=user, role=Role.MANAGER)
    assert roles_of.rows(user.pk) == [("manager",)]
    Membership.objects.filter(user=user).delete()
    assert roles_of.rows(user.pk) == []
    assert users_by_id.rows(10**15) == []


def test_a_query_without_the_key_as_one_parameter_is_refused():
    with pytest.raises(ValueError, match="exactly one parameter"):
        PreparedQuery(lambda key: User.objects.filter(pk=key, login_count=key)).rows(1)
