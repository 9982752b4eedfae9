"""The staff admin as a target: script in names a rep chose, shown on staff pages (XSS);
requests a staff member's browser could be made to send (CSRF, framing, GET log-out); and a
support-group member reaching for what only administrators may do."""

from __future__ import annotations

import html
from dataclasses import dataclass

from attacks import media
from attacks.base import Context, Outcome, attack, verdict
from attacks.http import ADMIN, Actor, csrf, new_rep, short
from attacks.staff import superuser, support, template_id, user_id_of

XSS = "Admin XSS and CSRF"
SUPPORT = "Support-role escalation"
USERS = f"{ADMIN}/accounts/user/"
TEMPLATES = f"{ADMIN}/emails_app/emailtemplate/"


@dataclass
class Marked:
    rep: Actor
    champion_id: int
    champion_raw: str
    user_raw: str


def _marked(context: Context) -> Marked:
    """A rep whose full name and champion name are script."""

    def build() -> Marked:
        user_payload = f'<img src=x onerror=alert("xss-user-{context.run_id}")>'
        champion_payload = f'<script>alert("xss-champion-{context.run_id}")</script>'
        rep = new_rep(context, "xss", full_name=user_payload)
        response = rep.upload("call.wav", media.tone_wav(), name=champion_payload)
        if response.status_code != 201:
            raise RuntimeError(f"upload with a script name: {short(response)}")
        return Marked(rep, response.json()["id"], champion_payload[:20], user_payload[:20])

    return context.shared("xss rep", build)


def _escaped_everywhere(context: Context, raw: str, paths: list[str], *, must_show: bool = True) -> Outcome:
    """Every page answers 200 without ``raw``, and (``must_show``) one shows it escaped."""
    staff = superuser(context)
    escaped = html.escape(raw)[:16]  # as Django escapes it
    pages = [(path, staff.request("GET", path)) for path in paths]
    rows = [
        f"{p.rsplit(ADMIN, 1)[-1]}: {r.status_code} raw={raw in r.text} escaped={escaped in r.text}" for p, r in pages
    ]
    shown = any(escaped in r.text for _, r in pages)
    clean = all(r.status_code == 200 and raw not in r.text for _, r in pages)
    return verdict(clean and (shown or not must_show), "; ".join(rows))


@attack(XSS, "champion named <script>: champions changelist and change page, owner's user page")
def xss_champion_name(context: Context) -> Outcome:
    marked = _marked(context)
    owner = user_id_of(context, marked.rep.email)
    paths = [f"{ADMIN}/champions/champion/", f"{ADMIN}/champions/champion/{marked.champion_id}/change/"]
    return _escaped_everywhere(context, marked.champion_raw, [*paths, f"{USERS}{owner}/change/"])


@attack(XSS, "user named <img onerror>: users changelist and user page")
def xss_user_name(context: Context) -> Outcome:
    marked = _marked(context)
    owner = user_id_of(context, marked.rep.email)
    return _escaped_everywhere(context, marked.user_raw, [f"{USERS}?q={marked.rep.email}", f"{USERS}{owner}/change/"])


@attack(XSS, "both names on the activity log, audit log and dashboard")
def xss_logs(context: Context) -> Outcome:
    marked = _marked(context)
    paths = [f"{ADMIN}/adminpanel/activitylog/", f"{ADMIN}/", f"{ADMIN}/auditlog/logentry/"]
    outcomes = [
        _escaped_everywhere(context, raw, paths, must_show=False) for raw in (marked.user_raw, marked.champion_raw)
    ]
    return verdict(all(o.verdict == "held" for o in outcomes), outcomes[1].evidence)


def _rename_post(context: Context, staff: Actor, data_extra: dict, headers: dict | None = None) -> tuple[int, str]:
    marked = _marked(context)
    owner = user_id_of(context, marked.rep.email)
    data = {"email": marked.rep.email, "full_name": f"renamed-{context.run_id}", "role": "user", "is_active": "on"}
    response = staff.request("POST", f"{USERS}{owner}/change/", data={**data, **data_extra}, headers=headers or {})
    name = marked.rep.api("GET", "/auth/me").json().get("full_name", "")
    return response.status_code, name


@attack(XSS, "admin POST without the CSRF token")
def csrf_missing(context: Context) -> Outcome:
    status, name = _rename_post(context, superuser(context), {})
    return verdict(status == 403 and "renamed" not in name, f"POST {status}; the user's name is still {name[:30]!r}")


@attack(XSS, "admin POST with the attacker's own CSRF token (cross-site form)")
def csrf_foreign_token(context: Context) -> Outcome:
    attacker = Actor(context, "csrf-attacker")
    token = csrf(attacker.request("GET", f"{ADMIN}/login/").text)
    status, name = _rename_post(context, superuser(context), {"csrfmiddlewaretoken": token})
    return verdict(status == 403 and "renamed" not in name, f"POST {status}; the user's name is still {name[:30]!r}")


@attack(XSS, "admin POST with a valid token from a foreign Origin")
def csrf_foreign_origin(context: Context) -> Outcome:
    staff = superuser(context)
    token = csrf(staff.request("GET", f"{ADMIN}/").text) or staff.session.cookies.get("csrftoken", "")
    status, name = _rename_post(context, staff, {"csrfmiddlewaretoken": token}, {"Origin": "http://evil.example"})
    return verdict(status == 403 and "renamed" not in name, f"POST {status}; the user's name is still {name[:30]!r}")


@attack(XSS, "admin pages in a frame (clickjacking) and log-out by GET")
def framing_and_get_logout(context: Context) -> Outcome:
    staff = superuser(context)
    frame = staff.request("GET", f"{ADMIN}/").headers.get("X-Frame-Options", "")
    logout = staff.request("GET", f"{ADMIN}/logout/").status_code
    still = staff.request("GET", f"{ADMIN}/").status_code
    ok = frame.upper() == "DENY" and logout == 405 and still == 200
    return verdict(ok, f"X-Frame-Options {frame!r}; GET logout {logout}; session afterwards {still}")


# --- a support-group member ----------------------------------------------------------------
@attack(SUPPORT, "support deletes an email template (page, POST, bulk action)")
def support_delete_template(context: Context) -> Outcome:
    staff, pk = support(context), template_id(context, "Welcome")
    page = staff.request("GET", f"{TEMPLATES}{pk}/delete/").status_code
    post = staff.admin_post(f"{TEMPLATES}{pk}/delete/", {"post": "yes"}, form_page=TEMPLATES).status_code
    bulk = {"action": "delete_selected", "_selected_action": [pk], "post": "yes", "index": "0"}
    staff.admin_post(TEMPLATES, bulk)
    still = superuser(context).request("GET", f"{TEMPLATES}{pk}/change/").status_code
    return verdict(
        page == 403 and post == 403 and still == 200, f"delete page {page}, POST {post}; template still there: {still}"
    )


@attack(SUPPORT, "support edits an email template")
def support_edit_template(context: Context) -> Outcome:
    staff, pk = support(context), template_id(context, "Welcome")
    data = {"trigger": "welcome", "subject": "owned", "body_html": "<p>owned</p>", "is_active": "on"}
    response = staff.admin_post(f"{TEMPLATES}{pk}/change/", data)
    subject_kept = "owned" not in superuser(context).request("GET", f"{TEMPLATES}{pk}/change/").text
    return verdict(
        response.status_code == 403 and subject_kept, f"POST {response.status_code}; subject kept: {subject_kept}"
    )


@attack(SUPPORT, "support edits or deactivates a superuser")
def support_edit_superuser(context: Context) -> Outcome:
    staff, root = support(context), context.setup.superuser
    pk = user_id_of(context, root.email)
    data = {"email": root.email, "full_name": "owned", "role": "user", "is_active": ""}
    response = staff.admin_post(f"{USERS}{pk}/change/", data)
    still = superuser(context).request("GET", f"{ADMIN}/").status_code
    return verdict(
        response.status_code == 403 and still == 200, f"POST {response.status_code}; superuser's session still {still}"
    )


@attack(SUPPORT, "support promotes themselves (own user form)")
def support_promote_self(context: Context) -> Outcome:
    staff, own = support(context), context.setup.support
    pk = user_id_of(context, own.email)
    data = {"email": own.email, "full_name": "Support", "role": "admin", "is_active": "on", "is_superuser": "on"}
    response = staff.admin_post(f"{USERS}{pk}/change/", data)
    deletion = staff.request("GET", f"{TEMPLATES}{template_id(context, 'Welcome')}/delete/").status_code
    return verdict(
        response.status_code == 403 and deletion == 403,
        f"POST {response.status_code}; delete page afterwards {deletion}",
    )


@attack(SUPPORT, "support opens the JWT tables (outstanding and blacklisted tokens)")
def support_jwt_tables(context: Context) -> Outcome:
    staff = support(context)
    paths = ["outstandingtoken/", "blacklistedtoken/", "outstandingtoken/1/change/"]
    codes = [staff.request("GET", f"{ADMIN}/token_blacklist/{path}").status_code for path in paths]
    return verdict(all(code in (403, 404) for code in codes), f"{paths} → {codes}")


def _support_action(context: Context, action: str, extra: dict) -> tuple[Actor, int]:
    rep = context.shared("support target", lambda: new_rep(context, "support-target"))
    pk = user_id_of(context, rep.email)
    data = {"action": action, "_selected_action": [pk], "index": "0", **extra}
    return rep, support(context).admin_post(USERS, data).status_code


@attack(SUPPORT, "support changes a user's plan (change-plan action)")
def support_change_plan(context: Context) -> Outcome:
    rep, status = _support_action(context, "change_plan", {"apply": "1", "plan": "enterprise", "status": "active"})
    plan = rep.api("GET", "/auth/me").json().get("subscription_plan")
    return verdict(plan == "free", f"action POST {status}; plan afterwards {plan!r}")


@attack(SUPPORT, "support deactivates a user (deactivate action)")
def support_deactivate(context: Context) -> Outcome:
    rep, status = _support_action(context, "deactivate", {})
    me = rep.api("GET", "/auth/me").status_code
    return verdict(me == 200, f"action POST {status}; the user's token afterwards {me}")


@attack(SUPPORT, "support adds a webhook endpoint")
def support_add_webhook(context: Context) -> Outcome:
    data = {"name": "exfil", "url": "https://example.com/hook", "is_active": "on"}
    response = support(context).admin_post(f"{ADMIN}/webhooks_app/webhookendpoint/add/", data)
    return verdict(response.status_code == 403 and "whsec_" not in response.text, short(response, 60))
