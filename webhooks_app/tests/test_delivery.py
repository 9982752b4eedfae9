"""Deliveries to a real HTTP receiver on 127.0.0.1, with a controlled clock."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import uuid
from datetime import timedelta
from email.utils import format_datetime

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from accounts import services as account_services
from adminpanel.models import AdminAlert
from core import events
from webhooks_app import services
from webhooks_app.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks_app.services import deliveries
from webhooks_app.testing import Answer, WebhookReceiver

pytestmark = pytest.mark.django_db

SPEC_DELAYS = [
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
    timedelta(hours=20),
    timedelta(hours=24),
]


def new_delivery(endpoint: WebhookEndpoint, clock, event_type: str = events.USER_LOGIN) -> WebhookDelivery:
    [delivery_id] = services.event_deliveries_create(
        event_type=event_type,
        message_id=f"msg_{uuid.uuid4().hex}",
        payload={"type": event_type, "timestamp": "2026-01-01T00:00:00Z", "data": {"user_id": 1}},
        now=clock.now,
    )
    return WebhookDelivery.objects.get(pk=delivery_id)


def test_a_domain_event_reaches_a_real_receiver_that_verifies_it_with_standardwebhooks(
    allow_loopback, eager_celery, django_capture_on_commit_callbacks
):
    holder: dict[str, WebhookEndpoint] = {}
    with WebhookReceiver(verify_secret=lambda: holder["endpoint"].secret) as receiver:
        holder["endpoint"] = services.endpoint_create(name="CRM", url=receiver.url("/in/champion-clone"))
        with django_capture_on_commit_callbacks(execute=True):
            user = account_services.user_register(
                email="new.rep@example.com", password="Sup3r-Secret!pass", full_name="New Rep"
            )
        [received] = receiver.wait_for(1)
    assert received.verified, received.verification_error
    assert received.path == "/in/champion-clone"
    assert received.headers["content-type"] == "application/json"
    body = json.loads(received.body)
    assert body["type"] == "user.registered"
    assert body["data"] == {"user_id": user.pk, "email": "new.rep@example.com", "full_name": "New Rep", "plan": "free"}
    delivery = WebhookDelivery.objects.get()
    assert received.headers["webhook-id"] == delivery.message_id
    assert delivery.status == "succeeded" and delivery.attempts == 1 and delivery.last_response_code == 200
    assert WebhookAttempt.objects.get(delivery=delivery).remote_address == "127.0.0.1"


def test_every_retry_keeps_the_id_and_gets_a_new_timestamp_and_signature(endpoint, receiver, clock):
    receiver.script(Answer(500), Answer(200))
    delivery = new_delivery(endpoint, clock)
    first = services.delivery_attempt(delivery_id=delivery.pk, now=clock.now)
    assert first.status == "retrying"
    clock.advance(seconds=5)
    second = services.delivery_attempt(delivery_id=delivery.pk, now=clock.now)
    assert second.status == "succeeded"
    one, two = receiver.received
    assert one.headers["webhook-id"] == two.headers["webhook-id"] == delivery.message_id
    assert int(two.headers["webhook-timestamp"]) - int(one.headers["webhook-timestamp"]) == 5
    assert one.headers["webhook-signature"] != two.headers["webhook-signature"]
    assert one.body == two.body
    for request in (one, two):  # both within the verifier's 5-minute tolerance of real time
        Webhook(endpoint.secret).verify(request.body, request.headers)


def test_the_retry_schedule_is_the_specifications_then_the_delivery_fails_with_an_alert(endpoint, receiver, clock):
    receiver.script(Answer(503))
    delivery = new_delivery(endpoint, clock)
    for number, delay in enumerate(SPEC_DELAYS, start=1):
        result = services.delivery_attempt(delivery_id=delivery.pk, now=clock.now)
        assert (result.number, result.status) == (number, "retrying")
        assert result.next_attempt_at == clock.now + delay
        # Not before its time: the claim refuses an early attempt.
        assert (
            services.delivery_attempt(delivery_id=delivery.pk, now=result.next_attempt_at - timedelta(seconds=1))
            is None
        )
        clock.now = result.next_attempt_at
    last = services.delivery_attempt(delivery_id=delivery.pk, now=clock.now)
    assert (last.number, last.status, last.next_attempt_at) == (10, "failed", None)
    assert len(receiver.received) == 10
    assert WebhookAttempt.objects.filter(delivery=delivery).count() == 10
    alert = AdminAlert.objects.get(type=services.ALERT_DELIVERY_FAILED)
    assert alert.resource_id == str(endpoint.pk) and delivery.message_id in alert.message
    endpoint.refresh_from_db()
    assert endpoint.is_active  # 3 days of failures: below the 5-day threshold
    assert endpoint.consecutive_failures == 10


@pytest.mark.parametrize("hostile", ["99999999999999999999", "\u00b2", "Fri, 31 Dec 99999 23:59:59 GMT"])
def test_a_hostile_retry_after_is_capped_and_the_attempt_recorded(endpoint, receiver, clock, hostile):
    receiver.script(Answer(503, {"Retry-After": hostile}))
    delivery = new_delivery(endpoint, clock)

    result = services.delivery_attempt(delivery_id=delivery.pk, now=clock.now)

    assert result.status == "retrying"
    assert clock.now < result.next_attempt_at <= clock.now + services.RETRY_AFTER_CAP
    assert WebhookAttempt.objects.filter(delivery=delivery).count() == 1


def test_retry_after_is_honoured_in_seconds_and_as_a_date_but_never_shortens_the_schedule(endpoint, receiver, clock):
    in_an_hour = format_datetime(clock.now + timedelta(hours=1), usegmt=True)
    receiver.script(
        Answer(429, {"Retry-After": "120"}),
        Answer(503, {"Retry-After": "1"}),
        Answer(503, {"Retry-After": in_an_hour}),
        Answer(200),
    )
    delivery = new_delivery(endpoint, clock)
    first = services.delivery_attempt(delivery_id=delivery.pk, now=clock.now)
    assert first.next_attempt_at == clock.now + timedelta(seconds=120)  # instead of 5 s
    clock.now = first.next_attempt_at
    second = services.delivery_attempt(delivery_id=delivery.pk, now=clock.now)
    assert second.next_attempt_at == clock.now + timedelta(minutes=5)  # the schedule, not 1 s
    clock.now = second.next_attempt_at
    in_an_hour = format_datetime(clock.now + timedelta(hours=1), usegmt=True)
    receiver.script(Answer(503, {"Retry-After": in_an_hour}), Answer(200))
    third = services.delivery_attempt(delivery_id=delivery.pk, now=clock.now)
    assert third.next_attempt_at == clock.now + timedelta(hours=1)  # instead of 30 min
    clock.now = third.next_attempt_at
    assert services.delivery_attempt(delivery_id=delivery.pk, now=clock.now).status == "succeeded"


def test_410_gone_disables_the_endpoint_fails_its_open_deliveries_and_alerts_staff(endpoint, receiver, clock):
    receiver.script(Answer(410))
    delivery, waiting = new_delivery(endpoint, clock), new_delivery(endpoint, clock)
    result = services.delivery_attempt(delivery_id=delivery.pk, now=clock.now)
    assert (result.status, result.response_code) == ("failed", 410)
    endpoint.refresh_from_db()
    assert not endpoint.is_active and "410" in endpoint.disabled_reason
    waiting.refresh_from_db()
    assert waiting.status == "failed" and "disabled" in waiting.last_error
    assert AdminAlert.objects.filter(type=services.ALERT_ENDPOINT_DISABLED, severity="error").count() == 1
    assert len(receiver.received) == 1
    # Nothing more goes to it.
    assert services.event_deliveries_create(event_type=events.USER_LOGIN, message_id="msg_x", payload={}) == []


def test_an_endpoint_failing_every_delivery_for_five_days_is_disabled(endpoint, receiver, clock):
    receiver.script(Answer(500))
    start = clock.now
    for _day in range(5):
        services.delivery_attempt(delivery_id=new_delivery(endpoint, clock).pk, now=clock.now)
        endpoint.refresh_from_db()
        assert endpoint.is_active and endpoint.failing_since == start
        clock.advance(days=1)
    assert clock.now - start == timedelta(days=5)
    services.delivery_attempt(delivery_id=new_delivery(endpoint, clock).pk, now=clock.now)
    endpoint.refresh_from_db()
    assert not endpoint.is_active and "5 days" in endpoint.disabled_reason
    assert AdminAlert.objects.filter(type=services.ALERT_ENDPOINT_DISABLED, resource_id=str(endpoint.pk)).exists()


def test_one_success_restarts_the_failure_period(endpoint, receiver, clock, settings):
    settings.WEBHOOK_DISABLE_AFTER_DAYS = 2
    receiver.script(Answer(500))
    services.delivery_attempt(delivery_id=new_delivery(endpoint, clock).pk, now=clock.now)
    clock.advance(days=1)
    receiver.script(Answer(204))
    services.delivery_attempt(delivery_id=new_delivery(endpoint, clock).pk, now=clock.now)
    endpoint.refresh_from_db()
    assert (endpoint.failing_since, endpoint.consecutive_failures, endpoint.last_success_at) == (None, 0, clock.now)
    receiver.script(Answer(500))
    clock.advance(days=1)
    services.delivery_attempt(delivery_id=new_delivery(endpoint, clock).pk, now=clock.now)
    clock.advance(days=1, hours=23)
    services.delivery_attempt(delivery_id=new_delivery(endpoint, clock).pk, now=clock.now)
    endpoint.refresh_from_db()
    assert endpoint.is_active  # 3 days since the first failure, but only 47 h since the success


def test_successive_successes_keep_the_endpoint_healthy(endpoint, receiver, clock):
    for _ in range(3):
        assert (
            services.delivery_attempt(delivery_id=new_delivery(endpoint, clock).pk, now=clock.now).status == "succeeded"
        )
        clock.advance(seconds=1)
    endpoint.refresh_from_db()
    assert (endpoint.consecutive_failures, endpoint.failing_since) == (0, None)
    assert endpoint.last_success_at == clock.now - timedelta(seconds=3)  # refreshed once a minute at most


def test_redirects_are_not_followed_and_other_client_errors_are_not_retried(endpoint, receiver, clock):
    receiver.script(Answer(302, {"Location": "http://169.254.169.254/latest/meta-data/"}), Answer(400))
    redirected = services.delivery_attempt(delivery_id=new_delivery(endpoint, clock).pk, now=clock.now)
    refused = services.delivery_attempt(delivery_id=new_delivery(endpoint, clock).pk, now=clock.now)
    assert (redirected.status, redirected.response_code) == ("failed", 302)
    assert (refused.status, refused.response_code) == ("failed", 400)
    assert len(receiver.received) == 2


def test_a_receiver_slower_than_the_timeout_is_a_transient_failure(endpoint, receiver, clock, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    receiver.script(Answer(200, delay=5))
    result = services.delivery_attempt(delivery_id=new_delivery(endpoint, clock).pk, now=clock.now)
    assert result.status == "retrying" and result.response_code is None
    assert "Timeout" in result.error
    assert WebhookAttempt.objects.get().duration_ms < 3000


def test_a_refused_connection_is_retried(allow_loopback, clock, db):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    endpoint = services.endpoint_create(name="Down", url=f"http://127.0.0.1:{closed_port}/")
    result = services.delivery_attempt(delivery_id=new_delivery(endpoint, clock).pk, now=clock.now)
    assert result.status == "retrying" and "ConnectionRefused" in result.error


def test_a_regenerated_secret_signs_beside_the_old_one_during_the_grace_period_only(endpoint, receiver, clock):
    receiver.script(Answer(200))
    first_secret = endpoint.secret
    services.endpoint_regenerate_secret(endpoint=endpoint, now=clock.now - timedelta(hours=30))
    endpoint.refresh_from_db()
    second_secret = endpoint.secret
    third_secret = services.endpoint_regenerate_secret(endpoint=endpoint, now=clock.now - timedelta(hours=2))
    endpoint.refresh_from_db()
    assert len({first_secret, second_secret, third_secret}) == 3 and endpoint.secret == third_secret

    services.delivery_attempt(delivery_id=new_delivery(endpoint, clock).pk, now=clock.now)

    received = receiver.received[-1]
    assert len(received.headers["webhook-signature"].split(" ")) == 2
    Webhook(third_secret).verify(received.body, received.headers)
    Webhook(second_secret).verify(received.body, received.headers)  # replaced 2 h ago: in its grace
    with pytest.raises(WebhookVerificationError):
        Webhook(first_secret).verify(received.body, received.headers)  # replaced 30 h ago


def test_regenerating_twice_keeps_every_replaced_secret_signing_through_its_grace(endpoint, receiver, clock):
    receiver.script(Answer(200))
    original = endpoint.secret
    services.endpoint_regenerate_secret(endpoint=endpoint, now=clock.now - timedelta(minutes=1))
    latest = services.endpoint_regenerate_secret(endpoint=endpoint, now=clock.now)  # a double submit
    endpoint.refresh_from_db()

    services.delivery_attempt(delivery_id=new_delivery(endpoint, clock).pk, now=clock.now)

    received = receiver.received[-1]
    assert len(received.headers["webhook-signature"].split(" ")) == 3
    Webhook(original).verify(received.body, received.headers)  # receivers still on it keep working
    Webhook(latest).verify(received.body, received.headers)


# --- SSRF -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.8/hooks",
        "http://192.168.0.1/hooks",
        "http://127.0.0.1:9000/hooks",
        "http://localhost:9000/hooks",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/hooks",
        "http://[::1]/hooks",
        "http://[::ffff:127.0.0.1]/hooks",
    ],
)
def test_private_loopback_link_local_and_metadata_urls_are_refused_when_saved(url, db):
    from core.errors import InvalidInput

    with pytest.raises(InvalidInput) as refused:
        services.endpoint_create(name="Internal", url=url)
    assert "url" in refused.value.fields
    assert not WebhookEndpoint.objects.exists()


def test_loopback_is_accepted_only_through_the_setting(settings, db, receiver):
    from core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        services.endpoint_create(name="Local", url=receiver.url())
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    assert services.endpoint_create(name="Local", url=receiver.url()).pk


def test_the_address_is_checked_again_at_send_time(endpoint, receiver, clock, settings):
    delivery = new_delivery(endpoint, clock)
    settings.WEBHOOK_ALLOWED_NETWORKS = []  # the rules changed after the endpoint was saved
    result = services.delivery_attempt(delivery_id=delivery.pk, now=clock.now)
    assert result.status == "failed" and "loopback" in result.error
    assert receiver.received == []


class RebindingResolver:
    """Answers ``first`` for ``name`` the first time, then ``later``: DNS rebinding."""

    def __init__(self, name: str, first: str, later: str) -> None:
        self.name, self.answers, self.later, self.lookups = name, [first], later, 0
        self.real = socket.getaddrinfo

    def __call__(self, host, port, *args, **kwargs):
        if host != self.name:
            return self.real(host, port, *args, **kwargs)
        self.lookups += 1
        address = self.answers.pop(0) if self.answers else self.later
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))]


def test_the_connection_goes_to_the_address_that_was_checked(endpoint, receiver, clock, monkeypatch):
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=f"http://hooks.example.test:{receiver.port}/hooks")
    resolver = RebindingResolver("hooks.example.test", first="127.0.0.1", later="10.66.0.1")
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    result = services.delivery_attempt(delivery_id=new_delivery(endpoint, clock).pk, now=clock.now)
    assert result.status == "succeeded"
    assert resolver.lookups == 1  # checked once, then connected to that very address
    [received] = receiver.received
    assert received.headers["host"] == f"hooks.example.test:{receiver.port}"
    assert WebhookAttempt.objects.get().remote_address == "127.0.0.1"


def test_a_name_rebound_to_the_metadata_address_is_refused_at_send_time(endpoint, receiver, clock, monkeypatch):
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=f"http://hooks.example.test:{receiver.port}/hooks")
    monkeypatch.setattr(socket, "getaddrinfo", RebindingResolver("hooks.example.test", "169.254.169.254", ""))
    result = services.delivery_attempt(delivery_id=new_delivery(endpoint, clock).pk, now=clock.now)
    assert result.status == "failed" and "metadata" in result.error
    assert receiver.received == []


def _certificate(folder, name: str) -> tuple[str, str]:
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a test certificate")
    cert, key = str(folder / f"{name}.pem"), str(folder / f"{name}.key")
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-keyout",
            key,
            "-out",
            cert,
            "-subj",
            f"/CN={name}",
            "-addext",
            f"subjectAltName=DNS:{name}",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_https_goes_to_the_checked_address_with_the_hosts_name_for_tls(
    allow_loopback, clock, monkeypatch, tmp_path, db
):
    """Pinning the address must not weaken TLS: SNI and certificate checks use the URL's host."""
    cert, key = _certificate(tmp_path, "hooks.example.test")
    monkeypatch.setenv("SSL_CERT_FILE", cert)  # trust the test certificate, as a CA would be
    monkeypatch.setattr(socket, "getaddrinfo", RebindingResolver("hooks.example.test", "127.0.0.1", "127.0.0.1"))
    with WebhookReceiver(tls=(cert, key)) as receiver:
        endpoint = services.endpoint_create(name="TLS", url=receiver.url(host="hooks.example.test"))
        assert (
            services.delivery_attempt(delivery_id=new_delivery(endpoint, clock).pk, now=clock.now).status == "succeeded"
        )
        # The same server reached under another name: its certificate does not match.
        monkeypatch.setattr(socket, "getaddrinfo", RebindingResolver("other.example.test", "127.0.0.1", "127.0.0.1"))
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=receiver.url(host="other.example.test"))
        result = services.delivery_attempt(delivery_id=new_delivery(endpoint, clock).pk, now=clock.now)
    assert result.status == "retrying" and "certificate" in result.error.lower()
    assert len(receiver.received) == 1


# --- Claims and the sweep -------------------------------------------------------------


def test_an_attempt_in_progress_is_not_taken_twice_and_a_lost_one_comes_back_after_its_lease(endpoint, clock, settings):
    delivery = new_delivery(endpoint, clock)
    assert deliveries._claim(delivery.pk, clock.now)
    assert services.delivery_attempt(delivery_id=delivery.pk, now=clock.now) is None  # leased
    clock.advance(seconds=settings.WEBHOOK_ATTEMPT_LEASE_SECONDS)
    assert services.delivery_attempt(delivery_id=delivery.pk, now=clock.now).number == 2


def test_the_sweep_enqueues_each_due_delivery_once_per_dispatch_lease(endpoint, receiver, clock):
    receiver.script(Answer(500))
    delivery = new_delivery(endpoint, clock)
    assert services.deliveries_dispatch_due(now=clock.now) == []  # the fan-out enqueued it already
    services.delivery_attempt(delivery_id=delivery.pk, now=clock.now)  # retry in 5 s: enqueued too
    clock.advance(seconds=5)
    services.delivery_attempt(delivery_id=delivery.pk, now=clock.now)  # retry in 5 min: left to the sweep
    clock.advance(minutes=5)
    assert services.deliveries_dispatch_due(now=clock.now) == [delivery.pk]
    assert services.deliveries_dispatch_due(now=clock.now) == []
    clock.now += services.DISPATCH_LEASE
    assert services.deliveries_dispatch_due(now=clock.now) == [delivery.pk]  # the task was lost


def test_retry_now_gives_a_failed_delivery_one_more_attempt(endpoint, receiver, clock):
    receiver.script(Answer(400), Answer(200))
    delivery = new_delivery(endpoint, clock)
    assert services.delivery_attempt(delivery_id=delivery.pk, now=clock.now).status == "failed"
    delivery.refresh_from_db()
    services.delivery_retry_now(delivery=delivery, now=clock.now)
    result = services.delivery_attempt(delivery_id=delivery.pk, now=clock.now)
    assert (result.number, result.status) == (2, "succeeded")
