from __future__ import annotations

from datetime import datetime

import pytest
from django.db import connection, transaction
from django.db.models import CharField, F, JSONField, Q, Value
from django.db.models.functions import Concat, Now
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import UserFactory
from core.prepared import PreparedQuery, PreparedRows, _faster
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


managed_or_own = PreparedQuery(
    lambda user_id: (
        User.objects.filter(
            Q(pk=user_id) | Q(pk__in=Membership.objects.filter(user_id=user_id, role=Role.MANAGER).values("user_id"))
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
)


def test_the_key_is_put_wherever_the_query_uses_it_subqueries_included():
    user, other = UserFactory(), UserFactory()
    Membership.objects.create(team=Team.objects.create(name="T"), user=user, role=Role.MANAGER)
    assert managed_or_own.rows(user.pk) == [(user.pk,)]
    assert managed_or_own.rows(other.pk) == [(other.pk,)]


def test_pages_and_counts_reuse_the_compiled_sql(django_assert_num_queries):
    users = sorted(u.pk for u in UserFactory.create_batch(5))
    everyone = PreparedQuery(lambda key: User.objects.filter(pk__lt=key).order_by("pk").values_list("pk", flat=True))
    everyone.rows(1)  # compiled
    rows = PreparedRows(everyone, 10**9, shape=lambda row: row[0])
    with django_assert_num_queries(3):
        assert rows[0:2] == users[:2]
        assert rows[3:10] == users[3:]
        assert rows.count() == len(users)
    assert list(rows) == users and rows[5:5] == []
    with pytest.raises(TypeError):
        rows[1]


def test_a_query_without_the_key_or_sliced_is_refused():
    with pytest.raises(ValueError, match="key as a parameter"):
        PreparedQuery(lambda key: User.objects.filter(is_active=True)).rows(1)
    with pytest.raises(ValueError, match="paged by rows"):
        PreparedQuery(lambda key: User.objects.filter(pk=key)[:3]).rows(1)


def test_model_rows_keep_their_annotations():
    user = UserFactory()
    team = Team.objects.create(name="North")
    Membership.objects.create(team=team, user=user, role=Role.REP)
    memberships = PreparedQuery(
        lambda user_id: Membership.objects.filter(user_id=user_id).annotate(team_label=F("team__name")).order_by()
    )
    (membership,) = memberships.rows(user.pk)
    assert (membership.team_id, membership.role, membership.team_label) == (team.pk, "rep", "North")


def test_select_related_instances_are_built_as_the_orm_builds_them(django_assert_num_queries):
    user = UserFactory(full_name="Ada Rep")
    north, south = Team.objects.create(name="North"), Team.objects.create(name="South")
    Membership.objects.create(team=north, user=user, role=Role.REP)
    Membership.objects.create(team=south, user=user, role=Role.MANAGER)
    memberships = PreparedQuery(
        lambda user_id: (
            Membership.objects.filter(user_id=user_id)
            .select_related("team", "user")
            .only("role", "team__name", "user__full_name")
            .order_by("team__name")
        )
    )
    memberships.rows(user.pk)  # compiled
    with django_assert_num_queries(1):
        rows = memberships.rows(user.pk)
        seen = [(m.role, m.team.pk, m.team.name, m.user.full_name) for m in rows]
    assert seen == [("rep", north.pk, "North", "Ada Rep"), ("manager", south.pk, "South", "Ada Rep")]
    assert memberships.rows(UserFactory().pk) == []


def test_a_locking_query_runs_whole_but_is_not_paged():
    user = UserFactory()
    locked = PreparedQuery(lambda user_id: User.objects.select_for_update().filter(pk=user_id).order_by())
    with transaction.atomic():
        assert [row.pk for row in locked.rows(user.pk)] == [user.pk]
        with pytest.raises(ValueError, match="not paged"):
            locked.rows(user.pk, limit=1)


def test_prefetch_related_is_refused():
    with pytest.raises(ValueError, match="prefetch_related"):
        PreparedQuery(lambda user_id: User.objects.filter(pk=user_id).prefetch_related("team_memberships")).rows(1)


@pytest.mark.parametrize(
    "stored", ['{"a": [1, 2.5, null], "b": "\u00e9"}', "[]", '"text"', "NaN", '{"x": Infinity}', "not json", None]
)
def test_the_json_converter_gives_what_jsonfield_gives(stored):
    field = JSONField()
    expected = field.from_db_value(stored, None, connection)
    got = _faster(field.from_db_value, connection)(stored, None, connection)
    assert got == expected or (got != got and expected != expected)  # NaN is not equal to itself


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite stores datetimes as text")
@pytest.mark.parametrize(
    "stored",
    ["2026-12-02 10:00:00", "2026-12-02 10:00:00.123456", "2026-12-02T10:00:00+02:00", datetime(2026, 1, 1), None],
)
def test_the_sqlite_datetime_converter_gives_what_django_gives(stored):
    converter = _faster(connection.ops.convert_datetimefield_value, connection)
    assert converter is not connection.ops.convert_datetimefield_value
    assert converter(stored, None, connection) == connection.ops.convert_datetimefield_value(stored, None, connection)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite stores datetimes as text")
@pytest.mark.parametrize(
    "stored",
    [
        "2026-12-02 10:00:00",
        "2026-12-02 10:00:00.123456",
        "2026-12-02 10:00:00.120000",
        "2026-12-02 10:00:00.222",  # Now() writes milliseconds
        "2026-12-02 10:00:00.000",
        "2026-12-02 10:00:00.000000",
        "2026-12-02 10:00:00.5",
        "2026-12-02T10:00:00+02:00",
        "2026-12-02 10:00:00.123456+00:00",
        datetime(2026, 1, 1),
        None,
    ],
)
def test_sqlite_datetimes_as_text_are_what_iso_datetime_writes(stored):
    from core.api.representation import iso_datetime
    from core.prepared import _sqlite_utc_iso_text

    expected = iso_datetime(connection.ops.convert_datetimefield_value(stored, None, connection))
    assert _sqlite_utc_iso_text(stored, None, connection) == expected


def test_datetimes_as_text_rows_carry_the_api_text_on_every_database():
    from core.api.representation import iso_datetime

    user = UserFactory(last_login_at=timezone.now())
    User.objects.filter(pk=user.pk).update(date_joined=Now())
    as_text = PreparedQuery(
        lambda user_id: User.objects.filter(pk=user_id).order_by().values_list("last_login_at", "date_joined", "pk"),
        datetimes_as_text=True,
    )
    fetched = User.objects.get(pk=user.pk)
    assert as_text.rows(user.pk) == [(iso_datetime(fetched.last_login_at), iso_datetime(fetched.date_joined), user.pk)]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite stores datetimes as text")
def test_a_datetime_the_list_is_ordered_by_is_ordered_as_a_column_for_its_index():
    from core.api.representation import iso_datetime

    user = UserFactory(last_login_at=timezone.now())
    ordered = PreparedQuery(
        lambda user_id: (
            User.objects.filter(pk=user_id).order_by("-date_joined").values_list("date_joined", "last_login_at")
        ),
        datetimes_as_text=True,
    )
    fetched = User.objects.get(pk=user.pk)
    assert ordered.rows(user.pk) == [(iso_datetime(fetched.date_joined), iso_datetime(fetched.last_login_at))]
    sql = ordered._compiled("default").sql
    assert """"date_joined" || '')""" in sql and """"last_login_at" || '')""" in sql
    assert sql.endswith('ORDER BY "accounts_user"."date_joined" DESC')


# Literal percent signs beside the placeholders: a LIKE pattern (a parameter) and "%" in the SQL.
named_like = PreparedQuery(
    lambda user_id: (
        User.objects.filter(Q(pk=user_id) | Q(email__contains="50%_off"))
        .annotate(tagged=Concat(Value("100%"), F("email"), output_field=CharField()))
        .order_by("pk")
        .values_list("email", "tagged")
    )
)


def test_placeholders_are_named_and_literal_percents_kept(django_assert_num_queries):
    user, discounted, other = UserFactory(), UserFactory(email="x50%_off@example.com"), UserFactory()
    assert "%(p0)s" in named_like._compiled("default").sql and " %s" not in named_like._compiled("default").sql
    with django_assert_num_queries(1) as captured:
        rows = named_like.rows(user.pk, limit=5)
    assert rows == [(user.email, f"100%{user.email}"), (discounted.email, f"100%{discounted.email}")]
    assert str(user.pk) in captured.captured_queries[0]["sql"]  # the executed query, as logged
    assert named_like.rows(other.pk) == [
        (discounted.email, f"100%{discounted.email}"),
        (other.email, f"100%{other.email}"),
    ]
    assert PreparedRows(named_like, other.pk).count() == 2
