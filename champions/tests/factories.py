import factory

from accounts.tests.factories import UserFactory
from champions.models import Champion, ChampionPattern, Scenario


class ChampionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Champion

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Champion {n}")
    recording = factory.Sequence(lambda n: f"recordings/test/{n}.mp4")
    duration_seconds = 60.0


class ReadyChampionFactory(ChampionFactory):
    status = Champion.Status.READY
    progress = 100
    transcript_text = "Hello, thanks for your time."
    call_metrics = factory.LazyFunction(lambda: {"words_per_minute": 150.0, "questions_per_minute": 1.5})


class PatternFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChampionPattern

    champion = factory.SubFactory(ReadyChampionFactory)
    position = factory.Sequence(int)
    category = "discovery_question"
    text = "What does your current process look like?"
    start = 10.0
    end = 13.5
    speaker = "champion"


class ScenarioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scenario

    champion = factory.SubFactory(ReadyChampionFactory)
    position = factory.Sequence(int)
    title = "Price-sensitive head of support"
    persona = "Daniel, head of support at an online store"
    context = "Evaluating helpdesk tools"
    goal = "Book a pilot"
    difficulty = Scenario.Difficulty.EASY
    objections = factory.LazyFunction(
        lambda: [
            {
                "text": "It is too expensive for us.",
                "champion_response": "Let us look at the cost of slow replies.",
                "start": 42.0,
            }
        ]
    )
