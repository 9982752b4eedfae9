"""The topic of an objection is its best match over the whole line, not the first keyword."""

from __future__ import annotations

import pytest

from agents.reasoning.categories.topics import TOPICS, objection_topic_of


def test_an_incumbent_tool_that_the_buyer_pays_for_is_a_competitor_objection_not_a_price_one():
    line = "We already pay for a telematics system from our truck leasing company. I do not see why we would need another tool."

    assert objection_topic_of(line) == "competitor"


@pytest.mark.parametrize(
    ("line", "topic"),
    [
        ("That sounds good, but honestly the price you sent over is a lot higher than what we pay.", "price"),
        ("We are heading into our busy season, I am not sure we can switch right now.", "timing"),
        ("I also cannot sign off on this alone. Our finance director will want a business case.", "authority"),
        ("Honestly, I do not think we need a separate policy, our firewall is solid.", "need"),
        ("My drivers are not very technical. I am worried they will refuse to use a new app.", "risk"),
        ("We have been burned before. The last company promised the same thing.", "risk"),
        # A purchasing process names no boss, and is still the buyer's authority to decide.
        (
            "Anything over fifty thousand dollars goes to a formal tender. Procurement will not let me pick.",
            "authority",
        ),
    ],
)
def test_each_topic_is_found_by_meaning(line, topic):
    assert objection_topic_of(line) == topic


def test_a_line_about_nothing_of_the_kind_has_no_topic_and_the_topic_is_stable():
    assert objection_topic_of("The weather was lovely at the lake on Sunday.") is None
    assert objection_topic_of("") is None
    line = "What would this run us per month? Our current company is very cheap."
    assert objection_topic_of(line) == objection_topic_of(line) in TOPICS
