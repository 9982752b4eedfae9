"""The material the prospect speaks from: the buyer's lines of the call, cleaned of what the
recogniser adds; the next step a rep proposes; the memo that embeds each text once."""

from __future__ import annotations

import numpy as np
import pytest

from agents.reasoning.listening.buyer_turns import buyer_lines_of
from agents.reasoning.listening.clean import clean_line
from agents.reasoning.listening.steps import NextStep, next_step_in
from agents.reasoning.listening.vectors import MemoEmbedder
from agents.types import Segment, Transcript


@pytest.mark.parametrize(
    ("heard", "said"),
    [
        (
            "um, so, like, we build the routes by hand in spreadsheets",
            "So we build the routes by hand in spreadsheets.",
        ),
        ("You know, we tried that. uh it it takes two hours", "We tried that. It takes two hours."),
        (
            "[Music] i think we could do that , let me check the dates..",
            "I think we could do that, let me check the dates.",
        ),
        ("we run forty trucks… and, uh, three warehouses", "We run forty trucks, and three warehouses."),
        ("I like it and you know the price", "I like it and you know the price."),
        ("(laughs) um", ""),
    ],
)
def test_a_transcribed_line_loses_hesitations_and_sound_tags_and_gains_casing_and_stops(heard, said):
    assert clean_line(heard) == said


def transcript(*turns: tuple[str, str]) -> Transcript:
    segments = [
        Segment(id=i, start=float(i), end=i + 0.9, text=text, speaker=speaker)
        for i, (speaker, text) in enumerate(turns)
    ]
    return Transcript(text=" ".join(t for _, t in turns), language="en", duration=len(turns), segments=segments)


def test_the_buyers_lines_are_their_cleaned_answers_with_the_sellers_question_before_them():
    call = transcript(
        ("champion", "Thanks for your time. How do your dispatchers plan the routes?"),
        ("other", "um, they, they build the routes by hand."),
        ("other", "it takes about two hours"),
        ("champion", "What about the drivers?"),
        ("other", "Okay."),
        ("other", "What does it cost?"),
        ("champion", "Would you be open to a pilot next month?"),
        ("other", "I think we could do that, let me check the dates."),
    )

    lines = buyer_lines_of(call)

    # One turn from two segments; the acknowledgment, the buyer's question and the agreement to
    # the champion's close are no answers.
    assert [(line.text, line.prompt, line.opens_turn) for line in lines] == [
        (
            "They build the routes by hand. It takes about two hours.",
            "How do your dispatchers plan the routes?",
            True,
        ),
        ("It takes about two hours.", "How do your dispatchers plan the routes?", False),
    ]


def test_a_line_that_sounds_like_the_seller_is_not_the_buyers():
    call = transcript(
        ("champion", "How do you plan routes?"),
        ("other", "We offer route planning for forty trucks. We plan them by hand."),
    )

    assert [line.text for line in buyer_lines_of(call)] == ["We plan them by hand."]


def test_a_transcript_without_speakers_gives_no_buyer_lines():
    call = Transcript(
        text="How do you plan routes? By hand.",
        language="en",
        duration=2.0,
        segments=[Segment(id=0, start=0.0, end=2.0, text="How do you plan routes? By hand.")],
    )

    assert buyer_lines_of(call) == []


@pytest.mark.parametrize(
    ("reply", "step"),
    [
        ("Would you be open to a four week pilot next month?", NextStep("the four week pilot", "next month")),
        (
            "As a next step, can we book thirty minutes on Tuesday with your team?",
            NextStep("thirty minutes on Tuesday", "on Tuesday"),
        ),
        (
            "The next step would be a free site visit. Could we set that up for the week after next?",
            NextStep("the free site visit", "the week after next"),
        ),
        ("Can we get started?", NextStep("that", None)),
        ("Let's talk about features.", None),
        ("We can also start with one warehouse, so the first invoice fits your budget.", None),
        ("How do you plan routes today?", None),
    ],
)
def test_a_proposed_next_step_is_read_with_what_and_when(reply, step):
    assert next_step_in(reply) == step


class CountingEmbedder:
    def __init__(self) -> None:
        self.embedded: list[str] = []

    def embed(self, texts):
        self.embedded.extend(texts)
        return np.stack([np.full(384, len(text), dtype=np.float32) for text in texts])


def test_the_memo_embeds_each_text_once_and_keeps_the_order_asked():
    model = CountingEmbedder()
    memo = MemoEmbedder(model, size=2)

    first = memo.embed(["a", "bb", "a"])
    again = memo.embed(["bb", "a"])
    memo.embed(["ccc"])  # the memo holds two texts: "bb" goes, "a" was used last
    memo.embed(["a"])

    assert model.embedded == ["a", "bb", "ccc"]
    assert first[:, 0].tolist() == [1, 2, 1]
    assert again[:, 0].tolist() == [2, 1]


class TokenCountingEmbedder(CountingEmbedder):
    """Tells its tokens as the real embedder does: here, the text's words without spaces."""

    def token_keys(self, texts):
        return [tuple(text.replace(" ", "")) for text in texts]


def test_the_memo_runs_the_model_once_for_texts_of_the_same_tokens():
    model = TokenCountingEmbedder()
    memo = MemoEmbedder(model)

    first = memo.embed(["a day.", "a day ."])
    again = memo.embed(["a  day.", "a day."])

    assert model.embedded == ["a day."]
    assert first[:, 0].tolist() == [6, 6]
    assert again[:, 0].tolist() == [6, 6]


def test_texts_of_the_same_tokens_get_the_same_vector_from_the_model():
    # What lets the memo share a vector between such texts: the model sees only token ids,
    # and a row's vector does not depend on the batch it is in (padding is masked out).
    from agents.providers.embeddings import get_embedder

    embedder = get_embedder()
    clause, respaced = "We plan 34 routes a day.", "We plan 34 routes a day ."
    longer = "Fair point. That is a fair concern. We can start with one depot and prove the value."

    assert embedder.token_keys([clause]) == embedder.token_keys([respaced])
    alone = embedder.embed([clause])
    assert np.array_equal(alone, embedder.embed([respaced]))
    assert np.array_equal(alone[0], embedder.embed([longer, clause])[1])
