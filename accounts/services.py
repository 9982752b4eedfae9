"""Every write to accounts goes through here."""

from __future__ import annotations

from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import signals, verification
from accounts.models import (
    JOURNEY_ORDER,
    JourneyStage,
    Plan,
    Role,
    SubscriptionEvent,
    SubscriptionStatus,
    User,
    normalize_email,
)
from accounts.tokens import TokenPair, token_is_current, token_pair_for, token_user_id
from core import events
from core.errors import AuthenticationFailed, InvalidInput

INVALID_CREDENTIALS = "Incorrect email or password."
INVALID_REFRESH = "The refresh token is invalid, expired or revoked."
INVALID_VERIFICATION = "The verification link is invalid or has expired."


def _password_errors(password: str, user: User) -> list[str]:
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        return list(exc.messages)
    return []


@transaction.atomic
def user_register(*, email: str, password: str, full_name: str) -> User:
    """A new account with an unverified address: ``user.registered`` makes the emails app
    send the verification email, the only email the address gets until it is verified.

    A taken address is refused as such: a known trade-off (README.md, "Email verification")."""
    email = normalize_email(email)
    user = User(email=email, full_name=full_name.strip())
    if problems := _password_errors(password, user):
        raise InvalidInput(problems[0], fields={"password": problems})
    if User.objects.filter(email=email).exists():
        raise InvalidInput(
            "An account with this email already exists.",
            fields={"email": ["An account with this email already exists."]},
        )
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # two registrations racing for one address
        raise InvalidInput(
            "An account with this email already exists.",
            fields={"email": ["An account with this email already exists."]},
        ) from None
    _publish_about(
        user,
        events.USER_REGISTERED,
        data={"user_id": user.pk, "email": user.email, "full_name": user.full_name, "plan": user.subscription_plan},
    )
    return user


def _publish_about(user: User, event_type: str, *, data: dict[str, object]) -> None:
    """An event whose subject (for the activity log) is the user."""
    events.publish(event_type, data=data, user_id=user.pk, resource_type="user", resource_id=user.pk)


@transaction.atomic
def user_verify_email(*, token: str) -> User:
    """The user whose address the token of a verification link proves (README.md, "Email
    verification"). Idempotent: an address verified already stays as it is. A tampered,
    expired or foreign token, or one for an address the account no longer has, is refused."""
    claims = verification.email_verification_claims(token)
    user = User.objects.filter(pk=claims[0], is_active=True).first() if claims else None
    if user is None or not verification.email_verification_matches(user, claims[1]):
        raise InvalidInput(INVALID_VERIFICATION, fields={"token": [INVALID_VERIFICATION]})
    user_mark_email_verified(user=user)
    return user


@transaction.atomic
def user_mark_email_verified(*, user: User) -> bool:
    """Records the address as verified and publishes ``user.email_verified`` (the welcome
    email follows). One conditional UPDATE: of two links opened at once, only one verifies,
    so the welcome is sent once. False when the address was verified already."""
    now = timezone.now()
    if not User.objects.filter(pk=user.pk, email_verified_at__isnull=True).update(email_verified_at=now):
        user.refresh_from_db(fields=["email_verified_at"])
        return False
    user.email_verified_at = now
    _publish_about(
        user, events.USER_EMAIL_VERIFIED, data={"user_id": user.pk, "email": user.email, "plan": user.subscription_plan}
    )
    return True


@transaction.atomic
def user_request_email_verification(*, user: User) -> bool:
    """Asks for another verification email (``user.email_verification_requested``; the API
    rate-limits the callers). False, and nothing sent, when the address is verified already."""
    user.refresh_from_db(fields=["email_verified_at"])
    if user.email_verified:
        return False
    _publish_about(user, events.USER_EMAIL_VERIFICATION_REQUESTED, data={"user_id": user.pk})
    return True


def user_authenticate(*, email: str, password: str) -> User:
    """The same error for an unknown email, a wrong password and an inactive account.

    Django's ModelBackend hashes the password even for an unknown email, so the answer takes
    comparable time either way (no account enumeration by timing).
    """
    user = authenticate(email=normalize_email(email), password=password)
    if user is None:
        raise AuthenticationFailed(INVALID_CREDENTIALS)
    return user


@transaction.atomic
def user_record_login(*, user: User) -> TokenPair:
    now = timezone.now()
    User.objects.filter(pk=user.pk).update(login_count=F("login_count") + 1, last_login_at=now, last_activity_at=now)
    user.login_count += 1
    user.last_login_at = user.last_activity_at = now
    events.publish(
        events.USER_LOGIN,
        data={"user_id": user.pk, "email": user.email},
        user_id=user.pk,
        resource_type="user",
        resource_id=user.pk,
    )
    return token_pair_for(user)


def _refresh_token(raw: str) -> RefreshToken:
    """Checks signature, expiry and the blacklist; any malformed token is the same 401."""
    try:
        return RefreshToken(raw)
    except (TokenError, OverflowError, ValueError, TypeError):
        raise AuthenticationFailed(INVALID_REFRESH) from None


@transaction.atomic
def token_pair_refresh(*, refresh_token: str) -> tuple[User, TokenPair]:
    """Rotation: the used refresh token is blacklisted and a new pair is issued."""
    refresh = _refresh_token(refresh_token)
    user_id = token_user_id(refresh)
    user = User.objects.filter(pk=user_id, is_active=True).first() if user_id is not None else None
    if user is None or not token_is_current(refresh, user):
        raise AuthenticationFailed(INVALID_REFRESH)
    _, newly_blacklisted = refresh.blacklist()
    if not newly_blacklisted:  # a concurrent refresh used it first
        raise AuthenticationFailed(INVALID_REFRESH)
    return user, token_pair_for(user)


@transaction.atomic
def token_revoke(*, user: User, refresh_token: str) -> None:
    refresh = _refresh_token(refresh_token)
    if token_user_id(refresh) != user.pk:
        raise AuthenticationFailed(INVALID_REFRESH)
    refresh.blacklist()


@transaction.atomic
def tokens_revoke_all(*, user: User) -> int:
    """Every refresh token blacklisted and every access token refused from now on."""
    User.objects.filter(pk=user.pk).update(token_version=F("token_version") + 1)
    user.refresh_from_db(fields=["token_version"])
    outstanding = OutstandingToken.objects.filter(user=user).exclude(blacklistedtoken__isnull=False)
    revoked = BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
    )
    return len(revoked)


@transaction.atomic
def user_set_active(*, user: User, active: bool) -> User:
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        tokens_revoke_all(user=user)
    return user


@transaction.atomic
def user_change_subscription(
    *, user: User, plan: str, status: str | None = None, changed_by: User | None = None
) -> SubscriptionEvent | None:
    """Changes plan and/or status, writes the SubscriptionEvent, publishes
    ``subscription.changed``. Returns None when nothing changed."""
    if plan not in Plan.values:
        raise InvalidInput(f"Unknown plan {plan!r}.", fields={"plan": [f"Choose one of {', '.join(Plan.values)}."]})
    status = status or user.subscription_status
    if status not in SubscriptionStatus.values:
        raise InvalidInput(f"Unknown status {status!r}.", fields={"status": ["Unknown status."]})
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.subscription_plan == plan and user.subscription_status == status:
        return None
    plan_rank = {value: rank for rank, value in enumerate(Plan.values)}
    if plan_rank[plan] > plan_rank[user.subscription_plan]:
        event_type = SubscriptionEvent.EventType.UPGRADE
    elif plan_rank[plan] < plan_rank[user.subscription_plan]:
        event_type = SubscriptionEvent.EventType.DOWNGRADE
    else:
        event_type = SubscriptionEvent.EventType.STATUS_CHANGE
    subscription_event = SubscriptionEvent.objects.create(
        user=user,
        event_type=event_type,
        from_plan=user.subscription_plan,
        to_plan=plan,
        from_status=user.subscription_status,
        to_status=status,
        changed_by=changed_by,
    )
    user.subscription_plan, user.subscription_status = plan, status
    user.save(update_fields=["subscription_plan", "subscription_status"])
    events.publish(
        events.SUBSCRIPTION_CHANGED,
        data={
            "user_id": user.pk,
            "email": user.email,
            "event_type": event_type,
            "from_plan": subscription_event.from_plan,
            "to_plan": plan,
            "from_status": subscription_event.from_status,
            "to_status": status,
        },
        user_id=user.pk,
        resource_type="user",
        resource_id=user.pk,
    )
    return subscription_event


def user_advance_journey(*, user_id: int, stage: str) -> bool:
    """Moves the user forward in the funnel, never backward (a returning churned user
    re-enters at ``stage``). One conditional UPDATE, so concurrent events cannot regress it."""
    earlier = [s for s, rank in JOURNEY_ORDER.items() if rank < JOURNEY_ORDER[stage]]
    if stage != JourneyStage.CHURNED:
        earlier.append(JourneyStage.CHURNED)
    return bool(User.objects.filter(pk=user_id, journey_stage__in=earlier).update(journey_stage=stage))


def user_touch_activity(*, user_id: int) -> None:
    User.objects.filter(pk=user_id).update(last_activity_at=timezone.now())


@transaction.atomic
def admin_create(*, email: str, password: str, full_name: str = "") -> tuple[User, bool]:
    """Creates a superuser, or makes an existing account one. Returns (user, created)."""
    email = normalize_email(email)
    user = User.objects.filter(email=email).first()
    created = user is None
    if user is None:
        user = User(email=email, full_name=full_name)
    if problems := _password_errors(password, user):
        raise InvalidInput(problems[0], fields={"password": problems})
    user.set_password(password)
    user.role, user.is_staff, user.is_superuser, user.is_active = Role.ADMIN, True, True, True
    # An operator typed the address at a terminal: no stranger's inbox is at stake.
    user.email_verified_at = user.email_verified_at or timezone.now()
    user.save()
    return user, created


@transaction.atomic
def user_save_from_admin(*, user: User) -> User:
    """A staff edit of a user: the staff flag follows the role, and deactivating revokes the
    user's tokens at once. Role, status and plan changes are audited (django-auditlog)."""
    previous = User.objects.filter(pk=user.pk).values("is_active").first()
    user.email = normalize_email(user.email)  # its uniqueness is checked by the admin's form
    user.is_staff = user.role == Role.ADMIN
    if not user.is_staff:
        user.is_superuser = False
    user.full_clean(exclude=["password"])
    user.save()
    if previous and previous["is_active"] and not user.is_active:
        tokens_revoke_all(user=user)
    return user


@transaction.atomic
def user_delete(*, user: User) -> None:
    """Deletes an account with everything it owns. The apps built on accounts remove what is
    theirs first (``user_deleting``: champions deletes each champion through its own service,
    so that recordings, practice audio, vectors and voice clones go too, not only the rows)."""
    signals.user_deleting.send(sender=User, user=user)
    user.delete()
