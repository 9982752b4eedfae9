"""The public endpoints reached from emails: the open pixel, the click redirect and
unsubscribing, through their URLs."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client

from emails_app import services, tokens
from emails_app.models import EmailLog, EmailPreference

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(smtp_server, user):
    """A real welcome email and what the server received."""
    log = services.lifecycle_email_send(user_id=user.pk, trigger="welcome", dedupe_key="e1")
    [received] = smtp_server.wait_for(1)
    return log, received.part("text/html")


def local(url: str) -> str:
    return url.removeprefix("https://cc.example.com")


def test_the_open_pixel_records_the_first_open_only(sent, client: Client):
    log, html = sent
    pixel = re.search(r'<img src="([^"]+)"', html).group(1)
    response = client.get(local(unescape(pixel)))
    assert response.status_code == 200 and response["Content-Type"] == "image/gif"
    assert "no-store" in response["Cache-Control"]
    first_open = EmailLog.objects.get(pk=log.pk).opened_at
    assert first_open is not None
    client.get(local(unescape(pixel)))
    assert EmailLog.objects.get(pk=log.pk).opened_at == first_open


def test_a_forged_pixel_answers_the_image_and_records_nothing(sent, client: Client):
    log, _ = sent
    response = client.get(f"/emails/o/{log.pk}:forged.gif")
    assert response.status_code == 200
    assert EmailLog.objects.get(pk=log.pk).opened_at is None


def test_a_click_redirects_to_the_emails_own_link_and_records_click_and_open(sent, client: Client):
    log, html = sent
    tracked = next(url for url in re.findall(r'href="([^"]+)"', html) if "/emails/c/" in url)
    response = client.get(local(unescape(tracked)))
    assert response.status_code == 302 and response["Location"] == "https://app.example.com"
    log.refresh_from_db()
    assert log.clicked_at is not None and log.opened_at is not None
    first_click = log.clicked_at
    client.get(local(unescape(tracked)))
    log.refresh_from_db()
    assert log.clicked_at == first_click


@pytest.mark.parametrize(
    "make_token",
    [
        lambda log: tokens.click_token(log.pk, 5),  # a link the email does not have
        lambda log: tokens.click_token(log.pk + 1000, 0),  # an email that does not exist
        lambda log: tokens.open_token(log.pk),  # a token made for another purpose
        lambda log: tokens.click_token(log.pk, 0)[:-3] + "abc",  # a tampered signature
        lambda log: "https://evil.example.com",
    ],
)
def test_no_open_redirect(sent, client: Client, make_token):
    log, _ = sent
    response = client.get(f"/emails/c/{make_token(log)}?next=https://evil.example.com")
    assert response.status_code == 404
    assert EmailLog.objects.get(pk=log.pk).clicked_at is None


def test_the_unsubscribe_link_asks_first_then_unsubscribes(sent, client: Client, user):
    _, html = sent
    link = re.search(r'href="(https://cc.example.com/emails/unsubscribe/[^"]+)"', html).group(1)
    page = client.get(local(unescape(link)))
    assert page.status_code == 200 and b"Stop sending" in page.content
    assert not services.is_unsubscribed(user.pk)  # a link scanner's GET changes nothing
    done = client.post(local(unescape(link)))
    assert done.status_code == 200 and b"will not receive" in done.content
    preference = EmailPreference.objects.get(user=user)
    assert preference.unsubscribed_at is not None and preference.source == "link"


def test_one_click_unsubscribe_from_a_mail_client_needs_no_csrf_token(user):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"/emails/unsubscribe/{tokens.unsubscribe_token(user.pk)}", {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert EmailPreference.objects.get(user=user).source == "one_click"


def test_a_forged_unsubscribe_token_is_refused(user, client: Client):
    assert client.post(f"/emails/unsubscribe/{user.pk}:forged").status_code == 404
    assert not EmailPreference.objects.exists()
