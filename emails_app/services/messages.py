"""One email as it leaves: the template rendered into the site's layout, links rewritten for
click tracking, the unsubscribe headers; and which SMTP failures are worth a retry."""

from __future__ import annotations

import smtplib
from email.utils import make_msgid, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from emails_app import defaults, rendering, tokens
from emails_app.models import EmailLog, EmailTemplate
from emails_app.services.context import SITE_NAME, absolute_url, unsubscribe_url


def message_id_for(log: EmailLog) -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return make_msgid(idstring=f"log{log.pk}", domain=domain)


def message_build(
    log: EmailLog, source: EmailTemplate | defaults.DefaultTemplate, context: dict[str, Any]
) -> tuple[EmailMultiAlternatives, list[str]]:
    """The message of ``log`` and the links it contains (what a click may redirect to)."""
    parts = rendering.render_parts(
        subject=source.subject, body_html=source.body_html, body_text=source.body_text, context=context
    )
    # An email to an address with no account (a team invitation) has nothing to unsubscribe
    # from and is not tracked: nobody there agreed to anything yet.
    unsubscribe = unsubscribe_url(log.user_id) if log.user_id is not None else ""
    tracked = settings.EMAIL_TRACKING_ENABLED and log.user_id is not None
    layout_context = {
        "subject": parts.subject,
        "site_name": SITE_NAME,
        "unsubscribe_url": unsubscribe,
        # The template's output was rendered with auto-escaping on the plain context.
        "content": mark_safe(parts.html),  # noqa: S308
        "open_pixel_url": absolute_url(reverse("emails:open", args=[tokens.open_token(log.pk)])) if tracked else "",
    }
    html_body = render_to_string("emails/layout.html", layout_context)
    links: list[str] = []
    if tracked:
        html_body, links = rendering.rewrite_links(
            html_body,
            tracked_url_for=lambda index: absolute_url(
                reverse("emails:click", args=[tokens.click_token(log.pk, index)])
            ),
            keep={unsubscribe},
            only=parts.links,
        )
    text_body = render_to_string("emails/layout.txt", {**layout_context, "content": parts.text}).strip() + "\n"
    headers = {"Message-ID": log.message_id, "Auto-Submitted": "auto-generated"}
    if unsubscribe:
        # RFC 2369 and RFC 8058 one-click: mail clients show an unsubscribe button.
        headers |= {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    message = EmailMultiAlternatives(
        subject=parts.subject,
        body=text_body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[log.recipient],
        headers=headers,
    )
    message.attach_alternative(html_body, "text/html")
    return message, links


def is_transient(exc: BaseException) -> bool:
    """Whether sending again later may work (a 4xx reply, a dropped or refused connection)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    # Refused connections, timeouts, DNS failures (smtplib's other errors are permanent).
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)
