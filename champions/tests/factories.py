import uuid
from dataclasses import dataclass

import factory
import numpy as np
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import UserFactory
from champions.models import (
    EMBEDDING_DIMENSIONS,
    Champion,
    ChampionPattern,
    Scenario,
    embedding_blob,
)
from champions.transcripts import store_transcript_document
from teams.models import Team
from teams.tests.factories import team_with

# What the pipeline's voice step stores (every field of agents.types.CallMetrics): what the
# scenarios' rebuild after a pattern edit reads.
FULL_CALL_METRICS = {
    "duration_seconds": 120.0,
    "words_per_minute": 150.0,
    "questions_per_minute": 1.5,
    "filler_words": 2,
    "filler_words_per_minute": 1.0,
    "longest_monologue_seconds": 20.0,
    "talk_ratio": 0.5,
    "question_count": 3,
}


def unit_vector(seed: int) -> np.ndarray:
    """A reproducible unit vector of the embedder's size."""
    vector = np.random.default_rng(seed).standard_normal(EMBEDDING_DIMENSIONS).astype(np.float32)
    return vector / np.linalg.norm(vector)


class ChampionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Champion
        skip_postgeneration_save = True  # the transcript hook writes its own row

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Champion {n}")
    recording = factory.Sequence(lambda n: f"recordings/test/{n}.mp4")
    duration_seconds = 60.0

    @factory.post_generation
    def transcript(champion, create, extracted, **kwargs):
        """``transcript={...}``: the call's stored transcript (``transcript_to_dict``'s shape)."""
        if create and extracted is not None:
            store_transcript_document(champion.pk, extracted)


class QueuedChampionFactory(ChampionFactory):
    """A champion whose analysis run was claimed and not started yet (as after a request)."""

    status = Champion.Status.QUEUED
    analysis_run = factory.LazyFunction(uuid.uuid4)
    analysis_started_at = factory.LazyFunction(timezone.now)


class ReadyChampionFactory(ChampionFactory):
    status = Champion.Status.READY
    progress = 100
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


class EmbeddedPatternFactory(PatternFactory):
    """A pattern with its stored embedding (a unit vector seeded by its position)."""

    embedding = factory.LazyAttribute(lambda pattern: embedding_blob(unit_vector(pattern.position)))


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


@dataclass
class TeamScene:
    """A team with a manager and a rep, a user in no team, and two ready champions of the
    team uploaded by the manager: a draft and a published one."""

    manager: User
    rep: User
    outsider: User
    team: Team
    draft: Champion
    published: Champion


def team_scene() -> TeamScene:
    manager, rep, outsider = UserFactory(), UserFactory(), UserFactory()
    team = team_with(manager, rep)
    return TeamScene(
        manager=manager,
        rep=rep,
        outsider=outsider,
        team=team,
        draft=ReadyChampionFactory(owner=manager, team=team),
        published=ReadyChampionFactory(owner=manager, team=team, published_at=timezone.now()),
    )
