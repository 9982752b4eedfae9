"""Every write of the emails app (STYLE.md: services own writes), re-exported here.

``templates``: editable templates and their defaults. ``context``: what an email may show.
``messages``: building one message. ``sending``: sending once per cause, and enqueueing
sends. ``invitations``: the team invitation, to an address. ``tracking``: opens, clicks, unsubscribing.
"""

from emails_app.services.context import SITE_NAME, context_for, unsubscribe_url
from emails_app.services.invitations import team_invitation_send
from emails_app.services.sending import (
    TransientEmailError,
    inactive_reminders_enqueue,
    is_unsubscribed,
    lifecycle_email_send,
    template_send_test,
)
from emails_app.services.templates import (
    template_create,
    template_delete,
    template_save,
    template_update,
    templates_seed,
)
from emails_app.services.tracking import (
    email_mark_clicked,
    email_mark_opened,
    email_resubscribe,
    email_unsubscribe,
)

__all__ = [
    "SITE_NAME",
    "TransientEmailError",
    "context_for",
    "email_mark_clicked",
    "email_mark_opened",
    "email_resubscribe",
    "email_unsubscribe",
    "inactive_reminders_enqueue",
    "is_unsubscribed",
    "lifecycle_email_send",
    "template_create",
    "template_delete",
    "template_save",
    "template_send_test",
    "template_update",
    "team_invitation_send",
    "templates_seed",
    "unsubscribe_url",
]
