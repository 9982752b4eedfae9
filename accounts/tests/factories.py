import factory
from django.utils import timezone

from accounts.models import Plan, Role, SubscriptionEvent, SubscriptionStatus, User

DEFAULT_PASSWORD = "Sup3r-Secret!pass"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"rep{n}@example.com")
    full_name = factory.Faker("name")
    # An established account, verified as the migration made every account that existed before
    # verification; tests of unverified addresses pass email_verified_at=None.
    email_verified_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class StaffUserFactory(UserFactory):
    """A member of staff: the role and the staff flag go together (a database constraint)."""

    email = factory.Sequence(lambda n: f"staff{n}@example.com")
    role = Role.ADMIN
    is_staff = True


class SubscriptionEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubscriptionEvent

    user = factory.SubFactory(UserFactory)
    event_type = SubscriptionEvent.EventType.UPGRADE
    from_plan = Plan.FREE
    to_plan = Plan.PRO
    from_status = SubscriptionStatus.TRIALING
    to_status = SubscriptionStatus.ACTIVE
