"""Rendering on a plain context: escaping, refused tags and filters, bounded rendering,
derived text, subjects, link rewriting."""

from __future__ import annotations

import pytest
from django.template import Context

from emails_app import rendering
from emails_app.models import Trigger
from emails_app.rendering import limits

SAMPLE = rendering.SAMPLE_CONTEXT


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


# --- Escaping holds in every tag ------------------------------------------------------

EVIL_NAME = '<a href="https://evil.example/phish">Claim your prize</a>'
# Each got through when only {{ }} output was checked.
UNESCAPING_TEMPLATES = [
    ("{% with n=champion_name|safe %}{{ n }}{% endwith %}", "|safe"),
    ("{% with champion_name|safe as n %}{{ n }}{% endwith %}", "|safe"),
    ("{% firstof champion_name|safe %}", "|safe"),
    ("{% firstof user_name champion_name|safe as n %}{{ n }}", "|safe"),
    ("{% cycle champion_name|safe 'b' %}", "|safe"),
    ("{% for c in champion_name|make_list|safeseq %}{{ c }}{% endfor %}", "|safeseq"),
    ('{% if champion_name|safe != "" %}{{ champion_name }}{% endif %}', "|safe"),
    ("{% ifchanged champion_name|safe %}x{% endifchanged %}", "|safe"),
    ("{% filter safeseq %}{{ champion_name }}{% endfilter %}", "|safeseq"),
    ("{{ champion_name|urlize }}", "|urlize"),
    ("{{ champion_name|urlizetrunc:20 }}", "|urlize"),
    ("{% autoescape off %}{{ champion_name }}{% endautoescape %}", "{% autoescape %}"),
    ("{% autoescape on %}{{ champion_name }}{% endautoescape %}", "{% autoescape %}"),
]


@pytest.mark.parametrize(("source", "reason"), UNESCAPING_TEMPLATES)
def test_unescaping_is_refused_in_every_tag_not_only_in_variables(source, reason):
    errors = rendering.template_errors(subject="Hi", body_html=source, body_text="")
    assert reason in errors["body_html"]


def test_the_engines_own_safe_filter_marks_nothing_safe_even_unchecked():
    # compile_source refuses it; the engine's library is built so that, were a check
    # missed, the output would still be escaped.
    template = rendering.ENGINE.from_string("{% with n=champion_name|safe %}{{ n }}{% endwith %}")
    html = template.render(Context({"champion_name": EVIL_NAME}, autoescape=True))
    assert html == "&lt;a href=&quot;https://evil.example/phish&quot;&gt;Claim your prize&lt;/a&gt;"


@pytest.mark.parametrize(
    "source",
    [
        "{% lorem 100000 w %}",
        "{% regroup items by x as groups %}",
        "{{ champion_name|ljust:'100000000' }}",
        "{{ champion_name|stringformat:'100000000s' }}",
        "{{ champion_name|center:'100000000' }}",
        "{{ champion_name|json_script }}",
    ],
)
def test_tags_and_filters_outside_the_email_language_are_refused(source):
    assert "body_html" in rendering.template_errors(subject="Hi", body_html=source, body_text="")


def test_a_champion_name_holding_a_link_renders_escaped_and_is_not_an_authored_link():
    body_html = '<p>{{ champion_name }}</p><p><a href="{{ champion_url }}">Open</a></p>'
    context = {**rendering.SAMPLE_CONTEXT, "champion_name": EVIL_NAME}
    parts = rendering.render_parts(subject="Ready", body_html=body_html, body_text="", context=context)
    assert "&lt;a href=&quot;https://evil.example/phish&quot;&gt;" in parts.html
    assert parts.links == {"https://app.example.com/champions/42"}
    rewritten, links = rendering.rewrite_links(
        parts.html, tracked_url_for=lambda index: f"https://t.example.com/c/{index}", keep=set(), only=parts.links
    )
    assert links == ["https://app.example.com/champions/42"]
    assert "evil.example" not in "".join(links) and rewritten.count("https://t.example.com/c/") == 1


# --- Links are the author's -----------------------------------------------------------


def test_only_the_links_the_author_wrote_are_tracked():
    # As stored before links were checked: a link made of a value the user typed.
    body_html = (
        '<a href="{{ champion_name }}">a</a> <a href="https://docs.example.com/guide?x=1&amp;y=2">b</a>'
        ' <a href="{{ app_url }}/pricing">c</a> <a href="https://docs.example.com/{{ user_name }}">d</a>'
    )
    context = {**rendering.SAMPLE_CONTEXT, "champion_name": "https://evil.example/phish", "user_name": "x"}
    html = rendering.render_source(body_html, context, autoescape=True)
    authored = rendering.authored_links(body_html, context)
    assert authored == {"https://docs.example.com/guide?x=1&y=2", "https://app.example.com/pricing"}
    rewritten, links = rendering.rewrite_links(html, tracked_url_for=str, keep=set(), only=authored)
    assert links == ["https://docs.example.com/guide?x=1&y=2", "https://app.example.com/pricing"]
    assert 'href="https://evil.example/phish"' in rewritten  # left alone: no redirect through this site


@pytest.mark.parametrize(
    ("href", "refused"),
    [
        ("{{ champion_name }}", True),
        ("https://example.com/?q={{ user_name }}", True),
        ("{{ app_url|add:champion_name }}", True),
        ("{% firstof champion_url %}", True),
        ("{{ app_url }}{# comment #}", True),
        ("{{ champion_url }}", False),
        ("{{app_url}}/settings?utm_source=email", False),
        ("https://example.com/help", False),
        ("mailto:help@example.com", False),
    ],
)
def test_an_href_may_use_only_literal_text_and_link_variables(href, refused):
    errors = rendering.template_errors(subject="Hi", body_html=f'<p><a href="{href}">x</a></p>', body_text="")
    assert ("body_html" in errors) is refused
    if refused:
        assert "{{ app_url }}, {{ assignment_url }}, {{ champion_url }}, {{ session_url }}" in errors["body_html"]


# --- Bounded rendering ----------------------------------------------------------------

# a: user_email doubled five times (736 characters of the sample); no nesting involved.
LONG_VALUE = "{% firstof user_email as a %}" + "{% firstof a|add:a as a %}" * 5


def test_loops_nested_deeper_than_the_limit_are_refused_before_rendering():
    loops = "{% for a in user_email %}" * 5 + "{{ a }}" + "{% endfor %}" * 5  # 23**5 turns
    errors = rendering.template_errors(subject="Hi", body_html=loops, body_text="")
    assert "loops nest 3 deep" in errors["body_html"]


@pytest.mark.parametrize("levels", [9, 1500])
def test_tags_nested_deeper_than_the_limit_are_refused(levels):
    source = "{% if first_name %}" * levels + "x" + "{% endif %}" * levels
    errors = rendering.template_errors(subject="Hi", body_html=source, body_text="")
    assert "nest more than 8 deep" in errors["body_html"]
    eight = "{% if first_name %}" * 8 + "x" + "{% endif %}" * 8
    assert rendering.template_errors(subject="Hi", body_html=eight, body_text="") == {}


def test_a_render_past_the_step_budget_is_refused():
    source = LONG_VALUE + "{% for x in a %}{% for y in a %}{% endfor %}{% endfor %}"  # 541,696 turns
    errors = rendering.template_errors(subject="Hi", body_html=source, body_text="")
    assert "too many steps" in errors["body_html"]


def test_a_render_past_the_time_budget_is_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_RENDER_SECONDS", 0.0)
    errors = rendering.template_errors(
        subject="Hi",
        body_html="{% for x in user_email %}{% for y in user_email %}.{% endfor %}{% endfor %}",
        body_text="",
    )
    assert "takes too long to render" in errors["body_html"]


def test_the_budget_holds_inside_if_conditions_which_swallow_errors(monkeypatch):
    monkeypatch.setattr(limits, "MAX_RENDER_STEPS", 1)  # the second lookup passes it
    with pytest.raises(rendering.RenderLimitExceeded):
        rendering.render_source("{% if user_name == first_name %}x{% endif %}", SAMPLE, autoescape=True)


def test_a_huge_output_is_refused():
    source = "{% for a in user_email %}{% for b in user_email %}<p>" + "x" * 400 + "</p>{% endfor %}{% endfor %}"
    errors = rendering.template_errors(subject="Hi", body_html=source, body_text="")
    assert "renders 215,303 characters: at most 100,000" in errors["body_html"]


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        # Each value doubles the last: 2**30 times the address, without a single loop.
        ("{% firstof user_email as a %}" + "{% firstof a|add:a as a %}" * 30 + "{{ a|length }}", "too much text"),
        (LONG_VALUE + "{{ a|make_list|join:a }}", "too much text"),  # 736 × 736 characters
        ('{{ score|floatformat:"100000000" }}', "at most 20 decimal places"),
        ('{{ "1e100000000"|floatformat }}', "at most 100 digits"),
        ("x" * 50_001, "too long: at most 50,000 characters"),
    ],
)
def test_values_and_sources_that_would_grow_without_bound_are_refused(source, reason):
    errors = rendering.template_errors(subject="Hi", body_html=source, body_text="")
    assert reason in errors["body_html"]


# --- Subjects -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_name", "subject"),
    [
        ("https://evil.example/verify-your-account", "Welcome,"),
        ("HTTP://EVIL.EXAMPLE verify", "Welcome, verify"),
        ("hxxps://evil.example/x now", "Welcome, now"),
        ("Visit www.evil.example today", "Welcome, Visit today"),
        ("Go to evil.example/verify now", "Welcome, Go to now"),
        ("evil.example:8080/x", "Welcome,"),
        ("10.0.0.1/login", "Welcome,"),
        ("https\u200b://evil.example/x", "Welcome,"),  # a zero-width space hiding the scheme
        ("\uff57\uff57\uff57\uff0eevil\uff0eexample", "Welcome,"),  # full-width www.evil.example
        ("Open evil\u3002example/verify", "Welcome, Open"),  # an ideographic full stop
        ("Al\r\nBcc: boss@example.com", "Welcome, Al Bcc: boss@example.com"),
        ("Al\u202eevil", "Welcome, Alevil"),  # a right-to-left override
        ("Dr. Jane O'Neil-Smith", "Welcome, Dr. Jane O'Neil-Smith"),
        ("alex.martin@example.com", "Welcome, alex.martin@example.com"),
        ("Q3.review call", "Welcome, Q3.review call"),
    ],
)
def test_the_subject_carries_no_link_and_no_control_character(user_name, subject):
    parts = rendering.render_parts(
        subject="Welcome, {{ user_name }}", body_html="x", body_text="", context={"user_name": user_name}
    )
    assert parts.subject == subject


def test_a_link_put_back_together_by_a_filter_is_stripped_from_the_subject_too():
    parts = rendering.render_parts(
        subject='Hi {{ user_name|cut:" " }}',
        body_html="x",
        body_text="",
        context={"user_name": "https ://evil.example/x"},
    )
    assert parts.subject == "Hi"


def test_the_subject_is_at_most_120_characters():
    parts = rendering.render_parts(
        subject="Welcome, {{ user_name }}", body_html="x", body_text="", context={"user_name": "Alexandra " * 30}
    )
    assert len(parts.subject) <= rendering.SUBJECT_MAX_CHARS and parts.subject.endswith("Alexandra…")


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Visit evil.com http://x.y <b>now</b>", "Visit now"),
        ("Acme Inc. West v2.0", "Acme Inc. West v2.0"),
        ("ｅｖｉｌ．ｃｏｍ and evil。com or www.x and a@b.example", "and or and"),
        ("hxxp://bad <img src=x onerror=alert(1)> Sales", "Sales"),
    ],
)
def test_a_typed_name_shown_to_someone_else_keeps_no_link_and_no_tag(name, shown):
    assert rendering.without_links(name) == shown
