import factory

from accounts.tests.factories import UserFactory
from champions.tests.factories import ReadyChampionFactory
from training.models import EvaluationDispute, SessionMessage, TrainingSession

CRITERIA = ("technique", "acknowledgment", "value_next_step", "discovery", "clarity")


def scenario_snapshot() -> dict:
    """What a session keeps of its scenario: two objections with the champion's answers."""
    return {
        "id": None,
        "title": "Price-sensitive head of support",
        "persona": "Daniel, head of support at an online store",
        "context": "Evaluating helpdesk tools",
        "goal": "Book a pilot",
        "difficulty": "easy",
        "objections": [
            {"text": "It is too expensive for us.", "champion_response": "Let us look at the cost.", "start": 42.0},
            {"text": "We are busy this quarter.", "champion_response": "A pilot takes an hour.", "start": 90.0},
        ],
    }


class TrainingSessionFactory(factory.django.DjangoModelFactory):
    """An active session on a ready champion of the same user, opened (one prospect line)."""

    class Meta:
        model = TrainingSession

    user = factory.SubFactory(UserFactory)
    champion = factory.SubFactory(ReadyChampionFactory, owner=factory.SelfAttribute("..user"))
    scenario_snapshot = factory.LazyFunction(scenario_snapshot)
    turn_count = 1


class SessionMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionMessage

    session = factory.SubFactory(TrainingSessionFactory)
    role = SessionMessage.Role.PROSPECT
    content = "Hi. It is too expensive for us."
    turn_index = factory.Sequence(int)


class TraineeMessageFactory(SessionMessageFactory):
    """A scored reply of the rep: every criterion at ``score`` unless given."""

    role = SessionMessage.Role.TRAINEE
    content = "I understand. What would slow replies cost you?"
    score = 70
    criteria = factory.LazyAttribute(lambda message: dict.fromkeys(CRITERIA, message.score))
    judge = "offline"


class EvaluationDisputeFactory(factory.django.DjangoModelFactory):
    """An open dispute of a scored reply, filed by the session's rep."""

    class Meta:
        model = EvaluationDispute

    message = factory.SubFactory(TraineeMessageFactory)
    user = factory.LazyAttribute(lambda dispute: dispute.message.session.user)
    reason = "My answer named their cost and proposed a pilot; 40 is too low."
