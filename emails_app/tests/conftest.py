from __future__ import annotations

import pytest

from emails_app.testing import SMTPSink


@pytest.fixture(autouse=True)
def _email_links_routed(settings):
    settings.ROOT_URLCONF = "emails_app.tests.urls"
    settings.PUBLIC_BASE_URL = "https://cc.example.com"
    settings.FRONTEND_URL = "https://app.example.com"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1 (aiosmtpd) behind Django's SMTP backend."""
    with SMTPSink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 5
        yield sink
