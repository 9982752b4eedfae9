from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Role(models.TextChoices):
    USER = "user", "User"
    ADMIN = "admin", "Admin"


class Plan(models.TextChoices):
    FREE = "free", "Free"
    STARTER = "starter", "Starter"
    PRO = "pro", "Pro"
    ENTERPRISE = "enterprise", "Enterprise"


class SubscriptionStatus(models.TextChoices):
    TRIALING = "trialing", "Trialing"
    ACTIVE = "active", "Active"
    PAST_DUE = "past_due", "Past due"
    CANCELED = "canceled", "Canceled"


class JourneyStage(models.TextChoices):
    """The report's funnel, in order; ``JOURNEY_ORDER`` ranks them."""

    REGISTERED = "registered", "Registered"
    FIRST_CHAMPION = "first_champion", "First champion uploaded"
    FIRST_ANALYSIS = "first_analysis", "First analysis"
    FIRST_TRAINING = "first_training", "First training"
    ACTIVE_TRAINEE = "active_trainee", "Active trainee"
    CHURNED = "churned", "Churned"


JOURNEY_ORDER = {stage: rank for rank, stage in enumerate(JourneyStage.values)}


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=normalize_email(email), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> User:
        fields.update(is_staff=True, is_superuser=True, role=Role.ADMIN)
        # An operator typed this address at a terminal: nobody else's inbox is at stake.
        fields.setdefault("email_verified_at", timezone.now())
        return self.create_user(email, password, **fields)


def normalize_email(email: str) -> str:
    # Logins are case-insensitive: the whole address is stored lower-case.
    return email.strip().lower()


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.USER)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Can log into the staff admin.")
    subscription_plan = models.CharField(max_length=16, choices=Plan.choices, default=Plan.FREE)
    subscription_status = models.CharField(
        max_length=16, choices=SubscriptionStatus.choices, default=SubscriptionStatus.TRIALING
    )
    journey_stage = models.CharField(max_length=32, choices=JourneyStage.choices, default=JourneyStage.REGISTERED)
    login_count = models.PositiveIntegerField(default=0)
    last_login_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True, db_index=True)
    date_joined = models.DateTimeField(default=timezone.now, db_index=True)
    # Bumped by "log out everywhere" and deactivation: every token carries the version it was
    # issued under and is refused once it is stale, access tokens included, at once.
    token_version = models.PositiveIntegerField(default=0)
    # When the user opened the signed link sent to this address; until then the address gets
    # the verification email and nothing else (README.md, "Email verification").
    email_verified_at = models.DateTimeField(null=True, blank=True)

    # The report's last_login_at replaces Django's last_login.
    last_login = None

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["-date_joined"]
        constraints = [
            models.CheckConstraint(
                name="user_role_matches_staff_flag",
                condition=Q(role=Role.ADMIN, is_staff=True) | Q(role=Role.USER, is_staff=False),
            ),
        ]
        indexes = [
            models.Index(fields=["subscription_plan"]),
            models.Index(fields=["journey_stage"]),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class SubscriptionEvent(models.Model):
    class EventType(models.TextChoices):
        UPGRADE = "upgrade", "Upgrade"
        DOWNGRADE = "downgrade", "Downgrade"
        STATUS_CHANGE = "status_change", "Status change"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="subscription_events")
    event_type = models.CharField(max_length=32, choices=EventType.choices)
    from_plan = models.CharField(max_length=16, choices=Plan.choices)
    to_plan = models.CharField(max_length=16, choices=Plan.choices)
    from_status = models.CharField(max_length=16, choices=SubscriptionStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=SubscriptionStatus.choices, blank=True)
    changed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.from_plan} → {self.to_plan}"
