"""Staff-written email templates as a way in: lookups that would reach settings, the request
or Python internals (they must not leak into any rendering), and the ways around escaping the
issue found (``{% with %}``, ``{% firstof %}``, ``{% cycle %}``, ``|safeseq``, ``{% autoescape
off %}``) plus a template that costs seconds to render: the admin form must refuse those."""

from __future__ import annotations

import html
import re
import time
from dataclasses import dataclass

from attacks.base import Context, Outcome, attack, verdict
from attacks.http import ADMIN, form_errors
from attacks.staff import superuser, template_id

INJECTION = "Template injection into settings"
ESCAPES = "Finding: staff templates that escape escaping"
TEMPLATES = f"{ADMIN}/emails_app/emailtemplate/"
TRIGGER, LABEL = "champion_ready", "Champion ready"
# What a leak would look like in a rendering: settings, the request, Python objects, paths.
LEAK_MARKERS = (
    "SECRET_KEY",
    "WSGIRequest",
    "&lt;class",
    "<class",
    "sessionid",
    "DATABASES",
    "built-in method",
    "/tmp/",  # noqa: S108 - a marker searched for, not a file
)
_PREVIEW_FIELD = re.compile(r"field-preview.*?</fieldset>", re.S)


@dataclass(frozen=True)
class Saved:
    status: int
    errors: str
    seconds: float
    rendered: str  # the change page and the preview, when the template was accepted


def _original(page: str) -> dict[str, str]:
    def textarea(name: str) -> str:
        match = re.search(rf'<textarea name="{name}"[^>]*>\r?\n?(.*?)</textarea>', page, re.S)
        return html.unescape(match.group(1)) if match else ""

    subject = re.search(r'name="subject"[^>]*value="([^"]*)"', page)
    data = {"trigger": TRIGGER, "subject": html.unescape(subject.group(1)) if subject else "Ready"}
    data |= {"body_html": textarea("body_html"), "body_text": textarea("body_text")}
    if re.search(r'name="is_active"[^>]*checked', page):
        data["is_active"] = "on"
    return data


def save_template(context: Context, body_html: str, subject: str = "") -> Saved:
    """Submits ``body_html`` (and ``subject``) in the change form of one template, reads what
    an accepted one renders, and puts the original back."""
    staff, pk = superuser(context), template_id(context, LABEL)
    change = f"{TEMPLATES}{pk}/change/"
    original = _original(staff.request("GET", change).text)
    data = {**original, "body_html": body_html, "body_text": "", "subject": subject or original["subject"]}
    started = time.monotonic()
    response = staff.admin_post(change, data)
    seconds = time.monotonic() - started
    rendered = ""
    if response.status_code == 302:
        field = _PREVIEW_FIELD.search(staff.request("GET", change).text)
        rendered = (field.group(0) if field else "") + staff.request("GET", f"{TEMPLATES}{pk}/preview/").text
        staff.admin_post(change, original)
    errors = form_errors(response.text) if response.status_code == 200 else ""
    return Saved(response.status_code, errors, seconds, rendered)


def _no_leak(context: Context, body_html: str, subject: str = "") -> Outcome:
    saved = save_template(context, body_html, subject)
    if saved.status == 200 and saved.errors:
        return verdict(True, f"refused: {saved.errors[:120]}")
    own = [str(value) for value in (context.setup.secret_key, context.setup.clone_dir) if value]
    markers = [marker for marker in (*LEAK_MARKERS, *own) if marker in saved.rendered]
    accepted = saved.status == 302
    return verdict(
        accepted and not markers, f"accepted ({saved.status}); leaked in the preview: {markers or 'nothing'}"
    )


def _refused(context: Context, body_html: str, *, max_seconds: float = 5.0) -> Outcome:
    saved = save_template(context, body_html)
    refused = saved.status == 200 and bool(saved.errors)
    detail = saved.errors[:110] if refused else f"ACCEPTED ({saved.status})"
    return verdict(refused and saved.seconds < max_seconds, f"{detail} in {saved.seconds:.1f} s")


@attack(INJECTION, "{{ settings.SECRET_KEY }} in the body and the subject")
def settings_secret(context: Context) -> Outcome:
    return _no_leak(context, "<p>{{ settings.SECRET_KEY }}</p>", "{{ settings.SECRET_KEY }}")


@attack(INJECTION, "{% debug %}")
def debug_tag(context: Context) -> Outcome:
    return _no_leak(context, "<pre>{% debug %}</pre>")


@attack(INJECTION, "{{ request }}, {{ request.META }}, {{ csrf_token }}, {{ user }}, {{ perms }}")
def request_lookups(context: Context) -> Outcome:
    return _no_leak(context, "<p>{{ request }}{{ request.META }}{{ csrf_token }}{{ user }}{{ perms }}{{ view }}</p>")


@attack(INJECTION, "Python internals: {{ user_email.__class__ }}, {{ champion_name.format }}")
def python_internals(context: Context) -> Outcome:
    return _no_leak(context, "<p>{{ user_email.__class__ }}{{ champion_name.format }}{{ site_name.__dict__ }}</p>")


@attack(INJECTION, "{% load %} / {% include %} / {% extends %} of server templates")
def load_include(context: Context) -> Outcome:
    payloads = [
        "{% load log %}{% get_admin_log 10 as log %}",
        '{% include "admin/base.html" %}',
        '{% extends "admin/base.html" %}',
    ]
    outcomes = [_no_leak(context, payload) for payload in payloads]
    return verdict(all(o.verdict == "held" for o in outcomes), " / ".join(o.evidence[:60] for o in outcomes))


# --- the findings ---------------------------------------------------------------------
@attack(ESCAPES, "{% with n=champion_name|safe %}{{ n }}{% endwith %}")
def with_safe(context: Context) -> Outcome:
    return _refused(context, "<p>{% with n=champion_name|safe %}{{ n }}{% endwith %}</p>")


@attack(ESCAPES, "{% firstof champion_name|safe %}")
def firstof_safe(context: Context) -> Outcome:
    return _refused(context, "<p>{% firstof champion_name|safe %}</p>")


@attack(ESCAPES, "{% cycle champion_name|safe 'x' %}")
def cycle_safe(context: Context) -> Outcome:
    return _refused(context, "<p>{% for i in 'ab' %}{% cycle champion_name|safe 'x' %}{% endfor %}</p>")


@attack(ESCAPES, "{{ champion_name|make_list|safeseq|join:'' }}")
def safeseq(context: Context) -> Outcome:
    return _refused(context, "<p>{{ champion_name|make_list|safeseq|join:'' }}</p>")


@attack(ESCAPES, "{% autoescape off %}{{ champion_name }}{% endautoescape %}")
def autoescape_off(context: Context) -> Outcome:
    return _refused(context, "<p>{% autoescape off %}{{ champion_name }}{% endautoescape %}</p>")


@attack(ESCAPES, "|safe inside {% if %} and {% filter %}, |urlize")
def safe_elsewhere(context: Context) -> Outcome:
    payloads = [
        "{% if champion_name|safe %}{{ champion_name }}{% endif %}",
        "{% filter lower|safe %}{{ champion_name }}{% endfilter %}",
        "{{ champion_name|urlize }}",
    ]
    outcomes = [_refused(context, payload) for payload in payloads]
    return verdict(all(o.verdict == "held" for o in outcomes), " / ".join(o.evidence[:60] for o in outcomes))


@attack(ESCAPES, "five nested {% for %} loops over user_email (refused, quickly)")
def nested_loops(context: Context) -> Outcome:
    names = "abcde"
    opening = "".join(f"{{% for {name} in user_email %}}" for name in names)
    return _refused(context, f"<p>{opening}{{{{ e }}}}{'{% endfor %}' * len(names)}</p>", max_seconds=3.0)
