"""What registration makes the product send: registering a stranger's address with a link as
the full name must bring that stranger a verification email only, with no text the attacker
chose; verification tokens cannot be forged; resending is rate-limited; and once verified, a
name with a link and a line break does not reach a subject. The server's EMAIL_URL points at
``MailSink``, an SMTP server on 127.0.0.1 started by this script."""

from __future__ import annotations

import email
import email.policy
import html
import re
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller

from attacks.base import Context, Outcome, attack, skipped, verdict, wait_for
from attacks.http import Actor, new_rep, short

GROUP = "Finding: registration emails"
LINK_NAME = "https://evil.example/verify-your-account"
MAIL_WAIT = 25.0
_HREF = re.compile(r'href="([^"]+)"')


@dataclass
class Mail:
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")

    def body(self) -> str:
        """Every text part, decoded (quoted-printable and base64 undone)."""
        return "\n".join(part.get_content() for part in self.message.walk() if part.get_content_maintype() == "text")

    def html(self) -> str:
        return "\n".join(part.get_content() for part in self.message.walk() if part.get_content_type() == "text/html")

    def text(self) -> str:
        return f"{self.subject}\n{self.body()}"


class MailSink:
    """An SMTP server on 127.0.0.1 that keeps every message it is given."""

    def __init__(self, port: int) -> None:
        self.mails: list[Mail] = []
        self._lock = threading.Lock()
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope) -> str:
                message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
                with sink._lock:
                    sink.mails.append(Mail([r.lower() for r in envelope.rcpt_tos], message))
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=port)
        self.controller.start()

    def to(self, address: str) -> list[Mail]:
        with self._lock:
            return [mail for mail in self.mails if address.lower() in mail.recipients]

    def stop(self) -> None:
        self.controller.stop()


def _sink(context: Context) -> MailSink | None:
    return context.mail_sink


def _stranger(context: Context) -> tuple[Actor, list[Mail]]:
    """A stranger's address registered by an attacker, and what reached it (waited for)."""

    def build() -> tuple[Actor, list[Mail]]:
        stranger = new_rep(context, "stranger", full_name=LINK_NAME)
        mails = wait_for(lambda: _sink(context).to(stranger.email), timeout=MAIL_WAIT, interval=1.0)
        if mails:  # anything else on its way would come within a few seconds of the first
            wait_for(lambda: len(_sink(context).to(stranger.email)) > len(mails), timeout=5.0, interval=1.0)
        return stranger, _sink(context).to(stranger.email)

    return context.shared("stranger registered", build)


def _token_in(url: str) -> str:
    query = parse_qs(urlsplit(url).query)
    return query["token"][0] if "verify-email" in url and query.get("token") else ""


def verification_token(context: Context, mails: list[Mail]) -> str:
    """The token of the verification link (an href of the HTML part: the text part may wrap
    it), also when the link goes through a click-tracking redirect of ours."""
    for mail in mails:
        for href in (html.unescape(h) for h in _HREF.findall(mail.html())):
            if href.startswith(context.base_url):
                reader = Actor(context, "mail-reader")
                href = reader.request("GET", href[len(context.base_url) :]).headers.get("Location", "")
            if token := _token_in(href):
                return token
    return ""


@attack(GROUP, "stranger's address, a link as full name: only a verification email arrives")
def only_verification(context: Context) -> Outcome:
    if _sink(context) is None:
        return skipped("needs the SMTP sink the server sends to (setup smtp_port)")
    _, mails = _stranger(context)
    subjects = [mail.subject for mail in mails]
    # A verification email is one that carries a verification link (possibly behind our click redirect).
    verifying = len(mails) == 1 and bool(verification_token(context, mails))
    return verdict(verifying, f"{len(mails)} email(s) to the stranger: {subjects}; verification link: {verifying}")


@attack(GROUP, "no attacker-chosen text (the link) in any email to the stranger")
def no_user_text(context: Context) -> Outcome:
    if _sink(context) is None:
        return skipped("needs the SMTP sink the server sends to (setup smtp_port)")
    _, mails = _stranger(context)
    carrying = [mail.subject for mail in mails if "evil.example" in mail.text() or "verify-your-account" in mail.text()]
    return verdict(bool(mails) and not carrying, f"{len(mails)} email(s); carrying the link: {carrying}")


@attack(GROUP, "forged verification tokens: tampered, another signed value, garbage")
def forged_verification(context: Context) -> Outcome:
    if _sink(context) is None:
        return skipped("needs the SMTP sink the server sends to (setup smtp_port)")
    stranger, mails = _stranger(context)
    token = verification_token(context, mails)
    device = stranger.login().json().get("device_token", "")
    forged = [token[:-2] + ("AA" if not token.endswith("AA") else "BB")] if token else []
    forged += [device, "garbage", "1:abc:def"]
    codes = [
        Actor(context, "forger").request("POST", "/auth/verify-email", json={"token": t}).status_code
        for t in forged
        if t
    ]
    return verdict(bool(token) and all(code == 400 for code in codes), f"token found: {bool(token)}; forged → {codes}")


@attack(GROUP, "POST /auth/verify-email/resend is rate-limited")
def resend_limited(context: Context) -> Outcome:
    if _sink(context) is None:
        return skipped("needs the SMTP sink the server sends to (setup smtp_port)")
    stranger, _ = _stranger(context)
    codes = []
    for _ in range(8):
        codes.append(stranger.api("POST", "/auth/verify-email/resend").status_code)
        if codes[-1] == 429:
            break
    return verdict(429 in codes, f"statuses {codes}")


@attack(GROUP, "after verification, a name with a link and CR/LF stays out of the subject")
def verified_subject(context: Context) -> Outcome:
    if _sink(context) is None:
        return skipped("needs the SMTP sink the server sends to (setup smtp_port)")
    rep = new_rep(context, "linky", full_name="https://evil.example/claim\r\nBcc: victim@attack-run.test")
    first = wait_for(lambda: _sink(context).to(rep.email), timeout=MAIL_WAIT, interval=1.0) or []
    token = verification_token(context, first)
    verified = rep.request("POST", "/auth/verify-email", json={"token": token}) if token else None
    mails = (
        wait_for(lambda: [m for m in _sink(context).to(rep.email) if m not in first], timeout=MAIL_WAIT, interval=1.0)
        or []
    )
    subjects = [mail.subject for mail in mails]
    leaked = [s for s in subjects if "evil.example" in s or "http" in s or "\n" in s or "\r" in s]
    bcc = [mail for mail in _sink(context).mails if "victim@attack-run.test" in mail.recipients]
    status = short(verified, 40) if verified is not None else "no token in the verification email"
    return verdict(
        bool(mails) and not leaked and not bcc, f"verify {status}; later subjects {subjects}; Bcc delivered: {len(bcc)}"
    )
