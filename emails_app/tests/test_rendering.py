"""Rendering on a plain context: escaping, refused tags, derived text, link rewriting."""

from __future__ import annotations

import pytest

from emails_app import rendering
from emails_app.models import Trigger


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("{% if user_name %}never closed", "does not compile"),
        ("{{ user_name|no_such_filter }}", "does not compile"),
        ("{% load static %}{% static 'x.png' %}", "does not compile"),  # no tag library at all
        ("{% include 'admin/base.html' %}", "{% include %}"),
        ("{% extends 'admin/base.html' %}", "{% extends %}"),
        ("{% debug %}", "{% debug %}"),
        ("{% url 'admin:index' %}", "{% url %}"),
        ("<p>{% if x %}{% include 'x.html' %}{% endif %}</p>", "{% include %}"),  # nested too
        # Escaping cannot be switched off: champion names are typed by users.
        ("<p>{{ champion_name|safe }}</p>", "|safe"),
        ("{% for x in items %}{{ x|upper|safeseq }}{% endfor %}", "|safeseq"),
        ("{% autoescape off %}{{ champion_name }}{% endautoescape %}", "{% autoescape %}"),
        ("{% filter safe %}{{ champion_name }}{% endfilter %}", "not permitted"),
    ],
)
def test_templates_that_do_not_compile_or_reach_outside_the_context_are_refused(source, reason):
    errors = rendering.template_errors(subject="Hi", body_html=source, body_text="")
    assert reason in errors["body_html"]


def test_a_valid_template_has_no_errors_in_any_part():
    assert (
        rendering.template_errors(
            subject="Hi {{ first_name }}", body_html="<p>{{ champion_name }}</p>", body_text="{{ score }}/100"
        )
        == {}
    )


def test_html_is_escaped_and_text_parts_are_not():
    context = {"user_name": "<script>alert(1)</script> & Co", "first_name": "Tom & Jerry"}
    parts = rendering.render_parts(
        subject="Hello {{ first_name }}",
        body_html="<p>{{ user_name }}</p>",
        body_text="{{ user_name }}",
        context=context,
    )
    assert parts.html == "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co</p>"
    assert parts.text == "<script>alert(1)</script> & Co"
    assert parts.subject == "Hello Tom & Jerry"


def test_the_subject_is_one_line():
    parts = rendering.render_parts(
        subject="Hello\n{{ first_name }}\r\nBcc: x@y.z", body_html="x", body_text="", context={"first_name": "Al"}
    )
    assert "\n" not in parts.subject and "\r" not in parts.subject


def test_a_missing_text_body_is_derived_from_the_html():
    html = (
        "<style>p{color:red}</style><p>Hi <strong>Alex</strong>,</p><p>Your champion is ready.</p>"
        '<ul><li>18 patterns</li><li>4 scenarios</li></ul><p><a href="https://app.example.com/c/1">Open it</a></p>'
    )
    text = rendering.html_to_text(html)
    assert (
        text
        == "Hi Alex,\n\nYour champion is ready.\n\n- 18 patterns\n- 4 scenarios\n\nOpen it (https://app.example.com/c/1)"
    )


def test_only_http_links_are_rewritten_and_kept_ones_stay():
    html = (
        "<a href=\"https://app.example.com/a?x=1&amp;y=2\">A</a> <a href='https://app.example.com/a?x=1&amp;y=2'>again</a>"
        ' <a href="mailto:help@example.com">mail</a> <a href="https://cc.example.com/unsubscribe">stop</a>'
    )
    rewritten, links = rendering.rewrite_links(
        html,
        tracked_url_for=lambda index: f"https://t.example.com/c/{index}?k=1&v=2",
        keep={"https://cc.example.com/unsubscribe"},
    )
    assert links == ["https://app.example.com/a?x=1&y=2"]
    assert rewritten.count("https://t.example.com/c/0?k=1&amp;v=2") == 2
    assert 'href="mailto:help@example.com"' in rewritten and 'href="https://cc.example.com/unsubscribe"' in rewritten


def test_every_trigger_documents_its_variables_and_the_sample_context_covers_them():
    for trigger in Trigger.values:
        assert set(rendering.variables_for(trigger)) <= set(rendering.SAMPLE_CONTEXT)
