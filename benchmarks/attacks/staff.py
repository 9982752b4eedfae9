"""The staff members of the attacks, logged in to the admin once each, and the admin's ids
they aim at (found in its pages, as a staff member would find them)."""

from __future__ import annotations

import re

from attacks.base import Account, Context, SceneError
from attacks.http import ADMIN, Actor

_TEMPLATE_LINK = re.compile(rf'href="{ADMIN}/emails_app/emailtemplate/(\d+)/change/[^"]*">([^<]+)</a>')


def _logged_in(context: Context, key: str, account: Account | None) -> Actor:
    if account is None:
        raise SceneError(f"needs the {key} account (setup {key})")
    return context.shared(f"staff {key}", lambda: Actor(context, key).staff(account.email, account.password))


def superuser(context: Context) -> Actor:
    return _logged_in(context, "superuser", context.setup.superuser)


def support(context: Context) -> Actor:
    return _logged_in(context, "support", context.setup.support)


def email_templates(context: Context) -> dict[str, int]:
    """Trigger label (as the changelist shows it) → template id."""

    def build() -> dict[str, int]:
        page = superuser(context).request("GET", f"{ADMIN}/emails_app/emailtemplate/").text
        found = {label.strip(): int(pk) for pk, label in _TEMPLATE_LINK.findall(page)}
        if not found:
            raise SceneError("no email template in the admin (was seed_email_templates run?)")
        return found

    return context.shared("email templates", build)


def template_id(context: Context, label_start: str) -> int:
    for label, pk in email_templates(context).items():
        if label.startswith(label_start):
            return pk
    raise SceneError(f"no email template {label_start!r} among {sorted(email_templates(context))}")


def user_id_of(context: Context, email: str) -> int:
    """The admin id of the account with ``email`` (the users changelist, searched)."""
    page = superuser(context).request("GET", f"{ADMIN}/accounts/user/", params={"q": email}).text
    match = re.search(rf'href="{ADMIN}/accounts/user/(\d+)/change/[^"]*">{re.escape(email)}</a>', page)
    if not match:
        raise SceneError(f"{email} is not in the users changelist")
    return int(match.group(1))
