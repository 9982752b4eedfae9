"""The accounts services: registration, logins, tokens, subscriptions, the funnel, staff edits
and deletion, asserted on the rows they write and the events they publish after commit."""

from __future__ import annotations

from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db.models.signals import pre_save
from rest_framework.exceptions import AuthenticationFailed as DRFAuthenticationFailed
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import services, signals
from accounts.authentication import RevocableJWTAuthentication
from accounts.models import JourneyStage, Plan, Role, SubscriptionEvent, SubscriptionStatus, User
from accounts.tests.factories import DEFAULT_PASSWORD, StaffUserFactory, SubscriptionEventFactory, UserFactory
from accounts.tokens import TOKEN_VERSION_CLAIM, token_pair_for
from champions.models import Champion
from champions.tests.factories import ReadyChampionFactory
from core import events
from core.errors import AuthenticationFailed, InvalidInput

pytestmark = pytest.mark.django_db

STRONG = "Corr3ct-Horse!battery"


def access_token_works(access_token: str) -> bool:
    """What the API's authentication class decides about an access token."""
    authentication = RevocableJWTAuthentication()
    try:
        authentication.get_user(authentication.get_validated_token(access_token.encode()))
    except DRFAuthenticationFailed:
        return False
    return True


def is_blacklisted(refresh_token: str) -> bool:
    jti = RefreshToken(refresh_token, verify=False)["jti"]
    return BlacklistedToken.objects.filter(token__jti=jti).exists()


class TestUserRegister:
    def test_stores_a_normalized_account_with_a_hashed_password(self):
        user = services.user_register(email="  New.Rep@Example.COM ", password=STRONG, full_name="  New Rep  ")

        stored = User.objects.get(pk=user.pk)
        assert (stored.email, stored.full_name) == ("new.rep@example.com", "New Rep")
        assert stored.password != STRONG and stored.check_password(STRONG)
        assert (stored.subscription_plan, stored.subscription_status, stored.journey_stage) == (
            Plan.FREE,
            SubscriptionStatus.TRIALING,
            JourneyStage.REGISTERED,
        )
        assert (stored.role, stored.is_staff, stored.is_superuser, stored.is_active) == (Role.USER, False, False, True)

    def test_publishes_user_registered_only_after_commit(self, dispatched, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks() as callbacks:
            user = services.user_register(email="new@example.com", password=STRONG, full_name="New Rep")
            assert dispatched == []
        for callback in callbacks:
            callback()

        (event,) = dispatched
        assert event.type == events.USER_REGISTERED
        assert event.data == {"user_id": user.pk, "email": "new@example.com", "full_name": "New Rep", "plan": "free"}
        assert (event.user_id, event.resource_type, event.resource_id) == (user.pk, "user", str(user.pk))

    @pytest.mark.parametrize(
        ("password", "missing"),
        [
            ("alllowercase1!", "an upper-case letter"),
            ("ALLUPPERCASE1!", "a lower-case letter"),
            ("NoDigitsHere!!", "a digit"),
            ("NoSpecial123ab", "a special character"),
        ],
    )
    def test_a_weak_password_is_refused_naming_the_rule_and_stores_nothing(
        self, password, missing, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks() as callbacks, pytest.raises(InvalidInput) as raised:
            services.user_register(email="new@example.com", password=password, full_name="New Rep")

        assert any(missing in message for message in raised.value.fields["password"])
        assert raised.value.message == raised.value.fields["password"][0]
        assert not User.objects.filter(email="new@example.com").exists()
        assert callbacks == []

    def test_a_password_like_the_new_users_name_is_refused(self):
        with pytest.raises(InvalidInput) as raised:
            services.user_register(email="rep@example.com", password="MayaJones1!", full_name="Maya Jones")
        assert any("similar" in message for message in raised.value.fields["password"])
        assert not User.objects.filter(email="rep@example.com").exists()

    def test_an_address_taken_in_another_case_is_refused(self):
        UserFactory(email="taken@example.com")

        with pytest.raises(InvalidInput) as raised:
            services.user_register(email="Taken@Example.com", password=STRONG, full_name="Someone")

        assert raised.value.fields == {"email": ["An account with this email already exists."]}
        assert User.objects.filter(email="taken@example.com").count() == 1

    def test_a_registration_losing_the_race_for_an_address_is_refused_not_a_500(self):
        """Another registration commits the address between the check and the insert."""

        def register_the_same_address_first(sender, instance, **kwargs):
            if instance.pk is None and instance.email == "race@example.com":
                User.objects.bulk_create([User(email="race@example.com", full_name="The other one")])

        pre_save.connect(register_the_same_address_first, sender=User, dispatch_uid="test.race")
        try:
            with pytest.raises(InvalidInput) as raised:
                services.user_register(email="race@example.com", password=STRONG, full_name="Late")
        finally:
            pre_save.disconnect(dispatch_uid="test.race", sender=User)

        assert "email" in raised.value.fields
        assert not User.objects.filter(full_name="Late").exists()


class TestUserAuthenticate:
    def test_returns_the_user_for_the_right_password_whatever_the_case_of_the_address(self, user):
        assert services.user_authenticate(email=f"  {user.email.upper()} ", password=DEFAULT_PASSWORD).pk == user.pk

    @pytest.mark.parametrize("case", ["wrong password", "unknown email", "inactive account"])
    def test_every_failure_gets_the_same_error(self, user, case):
        email, password = user.email, DEFAULT_PASSWORD
        if case == "wrong password":
            password = "Wr0ng-password!"
        elif case == "unknown email":
            email = "nobody@example.com"
        else:
            User.objects.filter(pk=user.pk).update(is_active=False)

        with pytest.raises(AuthenticationFailed) as raised:
            services.user_authenticate(email=email, password=password)

        assert raised.value.message == services.INVALID_CREDENTIALS


class TestUserRecordLogin:
    def test_counts_the_login_and_stamps_login_and_activity(self, user):
        services.user_record_login(user=user)
        stale = User.objects.get(pk=user.pk)  # a second copy, as a concurrent request would hold
        services.user_record_login(user=stale)

        stored = User.objects.get(pk=user.pk)
        assert stored.login_count == 2
        assert stored.last_login_at is not None and stored.last_login_at == stored.last_activity_at
        assert (stale.login_count, stale.last_login_at) == (2, stored.last_login_at)

    def test_returns_a_working_pair_recorded_for_revocation(self, user):
        pair = services.user_record_login(user=user)

        refresh = RefreshToken(pair.refresh_token)
        assert refresh[TOKEN_VERSION_CLAIM] == user.token_version
        assert OutstandingToken.objects.filter(user=user, jti=refresh["jti"]).exists()
        assert access_token_works(pair.access_token)
        assert (pair.token_type, pair.expires_in) == ("bearer", 15 * 60)

    def test_publishes_user_login_after_commit(self, user, dispatched, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            services.user_record_login(user=user)
            assert dispatched == []

        assert [(e.type, e.data, e.user_id) for e in dispatched] == [
            (events.USER_LOGIN, {"user_id": user.pk, "email": user.email}, user.pk)
        ]


class TestTokenPairRefresh:
    def test_rotates_the_pair_and_blacklists_the_used_token(self, user):
        pair = token_pair_for(user)

        refreshed_user, new_pair = services.token_pair_refresh(refresh_token=pair.refresh_token)

        assert refreshed_user.pk == user.pk
        assert new_pair.refresh_token != pair.refresh_token
        assert is_blacklisted(pair.refresh_token) and not is_blacklisted(new_pair.refresh_token)
        assert access_token_works(new_pair.access_token)

    def test_a_used_refresh_token_is_refused_the_second_time(self, user):
        pair = token_pair_for(user)
        services.token_pair_refresh(refresh_token=pair.refresh_token)

        with pytest.raises(AuthenticationFailed) as raised:
            services.token_pair_refresh(refresh_token=pair.refresh_token)
        assert raised.value.message == services.INVALID_REFRESH

    @pytest.mark.parametrize("token", ["not.a.token", "", "access"])
    def test_garbage_and_access_tokens_are_refused(self, user, token):
        if token == "access":
            token = token_pair_for(user).access_token
        with pytest.raises(AuthenticationFailed):
            services.token_pair_refresh(refresh_token=token)

    def test_the_token_of_a_deactivated_user_is_refused(self, user):
        pair = token_pair_for(user)
        User.objects.filter(pk=user.pk).update(is_active=False)

        with pytest.raises(AuthenticationFailed):
            services.token_pair_refresh(refresh_token=pair.refresh_token)
        assert not is_blacklisted(pair.refresh_token)

    def test_a_token_issued_before_the_version_changed_is_refused(self, user):
        pair = token_pair_for(user)
        User.objects.filter(pk=user.pk).update(token_version=user.token_version + 1)

        with pytest.raises(AuthenticationFailed):
            services.token_pair_refresh(refresh_token=pair.refresh_token)


class TestTokenRevoke:
    def test_blacklists_the_users_own_refresh_token(self, user):
        pair, other_pair = token_pair_for(user), token_pair_for(user)

        services.token_revoke(user=user, refresh_token=pair.refresh_token)

        assert is_blacklisted(pair.refresh_token) and not is_blacklisted(other_pair.refresh_token)
        with pytest.raises(AuthenticationFailed):
            services.token_pair_refresh(refresh_token=pair.refresh_token)

    def test_refuses_the_token_of_another_user_and_leaves_it_working(self, user, other_user):
        theirs = token_pair_for(other_user)

        with pytest.raises(AuthenticationFailed):
            services.token_revoke(user=user, refresh_token=theirs.refresh_token)

        assert not is_blacklisted(theirs.refresh_token)
        assert services.token_pair_refresh(refresh_token=theirs.refresh_token)[0].pk == other_user.pk

    def test_refuses_a_token_that_is_not_one(self, user):
        with pytest.raises(AuthenticationFailed):
            services.token_revoke(user=user, refresh_token="not.a.token")
        assert not BlacklistedToken.objects.filter(token__user=user).exists()


class TestTokensRevokeAll:
    def test_blacklists_every_live_refresh_token_and_counts_only_the_new_ones(self, user, other_user):
        first, second, third = (token_pair_for(user) for _ in range(3))
        services.token_revoke(user=user, refresh_token=first.refresh_token)
        theirs = token_pair_for(other_user)

        assert services.tokens_revoke_all(user=user) == 2

        assert all(is_blacklisted(p.refresh_token) for p in (first, second, third))
        assert not is_blacklisted(theirs.refresh_token)

    def test_every_access_token_issued_before_is_refused_at_once(self, user, other_user):
        pairs = [token_pair_for(user) for _ in range(2)]
        theirs = token_pair_for(other_user)

        services.tokens_revoke_all(user=user)

        assert user.token_version == 1 == User.objects.get(pk=user.pk).token_version
        assert not any(access_token_works(p.access_token) for p in pairs)
        assert access_token_works(theirs.access_token)
        assert access_token_works(token_pair_for(user).access_token)

    def test_with_nothing_outstanding_it_still_bumps_the_version(self, user):
        assert services.tokens_revoke_all(user=user) == 0
        assert User.objects.get(pk=user.pk).token_version == 1


class TestUserSetActive:
    def test_deactivating_revokes_every_token(self, user):
        pair = token_pair_for(user)

        services.user_set_active(user=user, active=False)

        stored = User.objects.get(pk=user.pk)
        assert not stored.is_active and stored.token_version == 1
        assert is_blacklisted(pair.refresh_token)

    def test_activating_restores_the_account_without_touching_tokens(self, user):
        User.objects.filter(pk=user.pk).update(is_active=False)
        user.refresh_from_db()

        services.user_set_active(user=user, active=True)

        stored = User.objects.get(pk=user.pk)
        assert stored.is_active and stored.token_version == 0
        assert services.user_authenticate(email=user.email, password=DEFAULT_PASSWORD).pk == user.pk


class TestUserChangeSubscription:
    def test_an_upgrade_is_stored_recorded_and_published_after_commit(
        self, user, dispatched, django_capture_on_commit_callbacks
    ):
        staff = StaffUserFactory()
        with django_capture_on_commit_callbacks() as callbacks:
            event = services.user_change_subscription(
                user=user, plan=Plan.PRO, status=SubscriptionStatus.ACTIVE, changed_by=staff
            )
        assert dispatched == []
        for callback in callbacks:
            callback()

        stored = SubscriptionEvent.objects.get(user=user)
        assert stored.pk == event.pk
        assert (stored.event_type, stored.from_plan, stored.to_plan, stored.from_status, stored.to_status) == (
            SubscriptionEvent.EventType.UPGRADE,
            "free",
            "pro",
            "trialing",
            "active",
        )
        assert stored.changed_by_id == staff.pk
        user.refresh_from_db()
        assert (user.subscription_plan, user.subscription_status) == ("pro", "active")
        (published,) = dispatched
        assert published.type == events.SUBSCRIPTION_CHANGED
        assert published.data == {
            "user_id": user.pk,
            "email": user.email,
            "event_type": "upgrade",
            "from_plan": "free",
            "to_plan": "pro",
            "from_status": "trialing",
            "to_status": "active",
        }
        assert (published.user_id, published.resource_type, published.resource_id) == (user.pk, "user", str(user.pk))

    @pytest.mark.parametrize(
        ("start", "plan", "status", "event_type"),
        [
            (Plan.PRO, Plan.STARTER, None, SubscriptionEvent.EventType.DOWNGRADE),
            (Plan.STARTER, Plan.ENTERPRISE, None, SubscriptionEvent.EventType.UPGRADE),
            (Plan.PRO, Plan.PRO, SubscriptionStatus.PAST_DUE, SubscriptionEvent.EventType.STATUS_CHANGE),
        ],
    )
    def test_the_event_type_follows_the_plans_rank(self, user, start, plan, status, event_type):
        User.objects.filter(pk=user.pk).update(subscription_plan=start)
        user.refresh_from_db()

        event = services.user_change_subscription(user=user, plan=plan, status=status)

        assert event.event_type == event_type
        assert (event.from_plan, event.to_plan) == (start, plan)
        # Without a status, the current one is kept.
        assert event.to_status == (status or SubscriptionStatus.TRIALING)
        assert event.changed_by is None

    def test_nothing_changed_writes_and_publishes_nothing(self, user, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks() as callbacks:
            assert services.user_change_subscription(user=user, plan=Plan.FREE) is None
        assert callbacks == []
        assert not SubscriptionEvent.objects.filter(user=user).exists()

    def test_the_stored_plan_counts_not_the_callers_stale_copy(self, user):
        User.objects.filter(pk=user.pk).update(subscription_plan=Plan.PRO)  # user still says "free"

        assert services.user_change_subscription(user=user, plan=Plan.PRO) is None
        downgrade = services.user_change_subscription(user=user, plan=Plan.STARTER)

        assert (downgrade.event_type, downgrade.from_plan) == (SubscriptionEvent.EventType.DOWNGRADE, "pro")

    @pytest.mark.parametrize(("plan", "status", "field"), [("gold", None, "plan"), ("pro", "frozen", "status")])
    def test_an_unknown_plan_or_status_is_refused_and_changes_nothing(self, user, plan, status, field):
        with pytest.raises(InvalidInput) as raised:
            services.user_change_subscription(user=user, plan=plan, status=status)

        assert field in raised.value.fields
        assert not SubscriptionEvent.objects.filter(user=user).exists()
        assert User.objects.get(pk=user.pk).subscription_plan == Plan.FREE

    def test_the_history_is_kept_when_the_user_is_deleted_only_with_the_user(self, user):
        SubscriptionEventFactory(user=user)
        services.user_change_subscription(user=user, plan=Plan.STARTER)
        assert SubscriptionEvent.objects.filter(user=user).count() == 2

        user_id = user.pk
        services.user_delete(user=user)

        assert not SubscriptionEvent.objects.filter(user_id=user_id).exists()


class TestUserAdvanceJourney:
    @pytest.mark.parametrize(
        ("current", "stage", "moved"),
        [
            (JourneyStage.REGISTERED, JourneyStage.FIRST_CHAMPION, True),
            (JourneyStage.REGISTERED, JourneyStage.ACTIVE_TRAINEE, True),
            (JourneyStage.FIRST_TRAINING, JourneyStage.FIRST_CHAMPION, False),
            (JourneyStage.FIRST_TRAINING, JourneyStage.FIRST_TRAINING, False),
            (JourneyStage.CHURNED, JourneyStage.FIRST_CHAMPION, True),
            (JourneyStage.ACTIVE_TRAINEE, JourneyStage.CHURNED, True),
            (JourneyStage.CHURNED, JourneyStage.CHURNED, False),
        ],
    )
    def test_moves_forward_never_back_and_a_churned_user_re_enters(self, user, current, stage, moved):
        User.objects.filter(pk=user.pk).update(journey_stage=current)

        assert services.user_advance_journey(user_id=user.pk, stage=stage) is moved

        assert User.objects.get(pk=user.pk).journey_stage == (stage if moved else current)


def test_user_touch_activity_stamps_only_that_user(user, other_user):
    services.user_touch_activity(user_id=user.pk)

    assert User.objects.get(pk=user.pk).last_activity_at is not None
    assert User.objects.get(pk=other_user.pk).last_activity_at is None


class TestAdminCreate:
    def test_creates_a_superuser(self):
        user, created = services.admin_create(email=" Ops@Example.com ", password=STRONG, full_name="Ops")

        stored = User.objects.get(pk=user.pk)
        assert created and stored.email == "ops@example.com" and stored.check_password(STRONG)
        assert (stored.role, stored.is_staff, stored.is_superuser, stored.is_active) == (Role.ADMIN, True, True, True)

    def test_promotes_an_existing_account_with_the_new_password(self, user):
        User.objects.filter(pk=user.pk).update(is_active=False)

        promoted, created = services.admin_create(email=user.email.upper(), password=STRONG)

        stored = User.objects.get(pk=user.pk)
        assert not created and promoted.pk == user.pk and User.objects.filter(email=user.email).count() == 1
        assert stored.is_superuser and stored.is_staff and stored.is_active and stored.check_password(STRONG)

    def test_a_weak_password_leaves_the_account_as_it_was(self, user):
        with pytest.raises(InvalidInput) as raised:
            services.admin_create(email=user.email, password="short")

        assert "password" in raised.value.fields
        stored = User.objects.get(pk=user.pk)
        assert not stored.is_superuser and stored.check_password(DEFAULT_PASSWORD)


class TestUserSaveFromAdmin:
    def test_the_staff_flag_follows_the_role(self, user):
        user.role = Role.ADMIN
        services.user_save_from_admin(user=user)
        assert User.objects.filter(pk=user.pk, is_staff=True).exists()

        user.role, user.is_superuser = Role.USER, True
        services.user_save_from_admin(user=user)

        stored = User.objects.get(pk=user.pk)
        assert (stored.role, stored.is_staff, stored.is_superuser) == (Role.USER, False, False)

    def test_the_email_is_stored_lower_case(self, user):
        user.email = " Jane.Doe@Example.COM "
        services.user_save_from_admin(user=user)
        assert User.objects.get(pk=user.pk).email == "jane.doe@example.com"

    def test_deactivating_revokes_the_tokens_at_once(self, user):
        pair = token_pair_for(user)

        user.is_active = False
        services.user_save_from_admin(user=user)

        assert User.objects.get(pk=user.pk).token_version == 1
        assert is_blacklisted(pair.refresh_token)

    def test_other_edits_leave_the_tokens_alone(self, user):
        pair = token_pair_for(user)

        user.full_name = "Renamed"
        services.user_save_from_admin(user=user)
        User.objects.filter(pk=user.pk).update(is_active=False)
        user.refresh_from_db()
        user.full_name = "Renamed again"
        services.user_save_from_admin(user=user)  # already inactive: nothing more to revoke

        stored = User.objects.get(pk=user.pk)
        assert (stored.full_name, stored.token_version) == ("Renamed again", 0)
        assert not is_blacklisted(pair.refresh_token)

    def test_an_invalid_value_is_refused_and_not_stored(self, user):
        user.role = "owner"
        with pytest.raises(ValidationError) as raised:
            services.user_save_from_admin(user=user)
        assert "role" in raised.value.message_dict
        assert User.objects.get(pk=user.pk).role == Role.USER

    def test_a_role_change_is_audited_with_old_and_new_values(self, user):
        user.role = Role.ADMIN
        services.user_save_from_admin(user=user)

        entry = LogEntry.objects.get_for_object(user).get(action=LogEntry.Action.UPDATE)
        assert entry.changes["role"] == ["user", "admin"]
        assert entry.changes["is_staff"] == ["False", "True"]


class TestUserDelete:
    def test_tells_the_apps_built_on_accounts_before_the_row_goes(self, user):
        heard, user_id = [], user.pk

        def receiver(sender, *, user, **kwargs):
            heard.append((sender, user.pk, User.objects.filter(pk=user.pk).exists()))

        signals.user_deleting.connect(receiver, dispatch_uid="test.user_deleting")
        try:
            services.user_delete(user=user)
        finally:
            signals.user_deleting.disconnect(dispatch_uid="test.user_deleting")

        assert heard == [(User, user_id, True)]
        assert not User.objects.filter(pk=user_id).exists()

    def test_removes_the_users_champions_with_their_files_after_commit(
        self, user, other_user, settings, django_capture_on_commit_callbacks
    ):
        champions = ReadyChampionFactory.create_batch(2, owner=user)
        theirs = ReadyChampionFactory(owner=other_user)
        recordings = [Path(settings.MEDIA_ROOT) / c.recording for c in [*champions, theirs]]
        for recording in recordings:
            recording.parent.mkdir(parents=True, exist_ok=True)
            recording.write_bytes(b"a recording")

        user_id = user.pk
        with django_capture_on_commit_callbacks() as callbacks:
            services.user_delete(user=user)
            assert all(r.exists() for r in recordings)  # the files wait for the commit
        for callback in callbacks:
            callback()

        assert list(Champion.objects.filter(owner__in=[user_id, other_user.pk]).values_list("pk", flat=True)) == [
            theirs.pk
        ]
        assert [r.exists() for r in recordings] == [False, False, True]
        assert User.objects.filter(pk=other_user.pk).exists()
