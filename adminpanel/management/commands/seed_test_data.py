"""``python manage.py seed_test_data``: demo users across plans and journey stages.

Idempotent: users are keyed by email, so running it again changes nothing.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import JourneyStage, Plan, SubscriptionStatus, User
from accounts.passwords import generate_password
from core.commands import DatabaseCommand

DEMO_USERS = [
    (
        "alice.free@demo.championclone.test",
        "Alice Martin",
        Plan.FREE,
        SubscriptionStatus.TRIALING,
        JourneyStage.REGISTERED,
        1,
    ),
    (
        "bruno.starter@demo.championclone.test",
        "Bruno Petit",
        Plan.STARTER,
        SubscriptionStatus.ACTIVE,
        JourneyStage.FIRST_CHAMPION,
        3,
    ),
    (
        "chloe.pro@demo.championclone.test",
        "Chloé Durand",
        Plan.PRO,
        SubscriptionStatus.ACTIVE,
        JourneyStage.FIRST_ANALYSIS,
        5,
    ),
    (
        "david.pro@demo.championclone.test",
        "David Leroy",
        Plan.PRO,
        SubscriptionStatus.PAST_DUE,
        JourneyStage.FIRST_TRAINING,
        2,
    ),
    (
        "emma.enterprise@demo.championclone.test",
        "Emma Moreau",
        Plan.ENTERPRISE,
        SubscriptionStatus.ACTIVE,
        JourneyStage.ACTIVE_TRAINEE,
        0,
    ),
    (
        "felix.churned@demo.championclone.test",
        "Félix Garnier",
        Plan.STARTER,
        SubscriptionStatus.CANCELED,
        JourneyStage.CHURNED,
        40,
    ),
]


class Command(DatabaseCommand):
    help = "Create demo users across plans and journey stages (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        created = 0
        now = timezone.now()
        for email, name, plan, status, stage, idle_days in DEMO_USERS:
            user, was_created = User.objects.get_or_create(
                email=email,
                defaults={
                    "full_name": name,
                    "subscription_plan": plan,
                    "subscription_status": status,
                    "journey_stage": stage,
                    "last_activity_at": now - timezone.timedelta(days=idle_days),
                    # Established accounts, as the migration made every account before
                    # verification existed: they receive the lifecycle emails.
                    "email_verified_at": now - timezone.timedelta(days=idle_days),
                },
            )
            if was_created:
                # Demo accounts cannot log in until someone sets a password on purpose.
                user.set_password(generate_password())
                user.save(update_fields=["password"])
                created += 1
        self.stdout.write(
            self.style.SUCCESS(f"Demo users: {created} created, {len(DEMO_USERS) - created} already there.")
        )
