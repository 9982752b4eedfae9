"""Staff-written email templates as a way in: lookups that would reach settings, the request
or Python internals (they must not leak into any rendering), and the ways around escaping the
issue found (``{% with %}``, ``{% firstof %}``, ``{% cycle %}``, ``|safeseq``, ``{% autoescape
off %}``) plus a template that costs seconds to render: the admin form must refuse those."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from attacks.base import Context, Outcome, all_held, attack, verdict
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
    rendered: str  # the change page's preview field and the preview page, when the template was accepted
    preview_status: int = 0


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
    rendered, preview_status = "", 0
    if response.status_code == 302:
        field = _PREVIEW_FIELD.search(staff.request("GET", change).text)
        preview = staff.request("GET", f"{TEMPLATES}{pk}/preview/")
        rendered, preview_status = (field.group(0) if field else "") + preview.text, preview.status_code
        staff.admin_post(change, original)
    errors = form_errors(response.text) if response.status_code == 200 else ""
    return Saved(response.status_code, errors, seconds, rendered, preview_status)


def _no_leak(context: Context, body_html: str, subject: str = "") -> Outcome:
    saved = save_template(context, body_html, subject)
    if saved.status == 200 and saved.errors:
        return verdict(True, f"refused: {saved.errors[:120]}")
    own = [str(value) for value in (context.setup.secret_key, context.setup.clone_dir) if value]
    markers = [marker for marker in (*LEAK_MARKERS, *own) if marker in saved.rendered]
    rendered = saved.status == 302 and saved.preview_status == 200
    return verdict(
        rendered and not markers,
        f"accepted ({saved.status}), preview {saved.preview_status}; leaked in it: {markers or 'nothing'}",
    )


def _refused(context: Context, body_html: str, *, max_seconds: float = 3.0) -> Outcome:
    saved = save_template(context, body_html)
    refused = saved.status == 200 and bool(saved.errors)
    detail = saved.errors[:110] if refused else f"ACCEPTED ({saved.status})"
    return verdict(refused and saved.seconds < max_seconds, f"{detail} in {saved.seconds:.1f} s")


_LOOPS = "".join(f"{{% for {name} in user_email %}}" for name in "abcde")
# Attack name → the (HTML body, subject) tries; a lookup must be refused or render nothing inside.
INJECTIONS: dict[str, list[tuple[str, str]]] = {
    "{{ settings.SECRET_KEY }} in the body and the subject": [
        ("<p>{{ settings.SECRET_KEY }}</p>", "{{ settings.SECRET_KEY }}")
    ],
    "{% debug %}": [("<pre>{% debug %}</pre>", "")],
    "{{ request }}, {{ request.META }}, {{ csrf_token }}, {{ user }}, {{ perms }}": [
        ("<p>{{ request }}{{ request.META }}{{ csrf_token }}{{ user }}{{ perms }}{{ view }}</p>", "")
    ],
    "Python internals: {{ user_email.__class__ }}, {{ champion_name.format }}": [
        ("<p>{{ user_email.__class__ }}{{ champion_name.format }}{{ site_name.__dict__ }}</p>", "")
    ],
    "{% load %} / {% include %} / {% extends %} of server templates": [
        ("{% load log %}{% get_admin_log 10 as log %}", ""),
        ('{% include "admin/base.html" %}', ""),
        ('{% extends "admin/base.html" %}', ""),
    ],
}
# The findings: attack name → HTML bodies the admin form must refuse (within 3 s).
ESCAPING: dict[str, list[str]] = {
    "{% with n=champion_name|safe %}{{ n }}{% endwith %}": [
        "<p>{% with n=champion_name|safe %}{{ n }}{% endwith %}</p>"
    ],
    "{% firstof champion_name|safe %}": ["<p>{% firstof champion_name|safe %}</p>"],
    "{% cycle champion_name|safe 'x' %}": ["<p>{% for i in 'ab' %}{% cycle champion_name|safe 'x' %}{% endfor %}</p>"],
    "{{ champion_name|make_list|safeseq|join:'' }}": ["<p>{{ champion_name|make_list|safeseq|join:'' }}</p>"],
    "{% autoescape off %}{{ champion_name }}{% endautoescape %}": [
        "<p>{% autoescape off %}{{ champion_name }}{% endautoescape %}</p>"
    ],
    "|safe inside {% if %} and {% filter %}, |urlize": [
        "{% if champion_name|safe %}{{ champion_name }}{% endif %}",
        "{% filter lower|safe %}{{ champion_name }}{% endfilter %}",
        "{{ champion_name|urlize }}",
    ],
    "five nested {% for %} loops over user_email (refused, quickly)": [
        f"<p>{_LOOPS}{{{{ e }}}}{'{% endfor %}' * 5}</p>"
    ],
}


def _injection(tries: list[tuple[str, str]]) -> Callable[[Context], Outcome]:
    return lambda context: all_held([_no_leak(context, body, subject) for body, subject in tries])


def _escaping(bodies: list[str]) -> Callable[[Context], Outcome]:
    return lambda context: all_held([_refused(context, body) for body in bodies])


for _name, _tries in INJECTIONS.items():
    attack(INJECTION, _name)(_injection(_tries))
for _name, _bodies in ESCAPING.items():
    attack(ESCAPES, _name)(_escaping(_bodies))
