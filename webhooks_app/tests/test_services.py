"""The webhooks services: endpoints, deliveries, attempts to a real HTTP receiver on
127.0.0.1 with a controlled clock, the endpoints' health, and dispatching attempts."""

from __future__ import annotations

import shutil
import socket
import subprocess
from datetime import timedelta
from email.utils import format_datetime

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from adminpanel.models import AdminAlert
from core import events
from core.errors import Conflict, InvalidInput
from webhooks_app import services, signing, tasks
from webhooks_app.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks_app.services import attempts
from webhooks_app.testing import Answer, WebhookReceiver
from webhooks_app.tests.factories import new_delivery

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

# --- Endpoints ----------------------------------------------------------------------


def test_endpoints_get_a_fresh_whsec_secret_and_validated_event_types():
    endpoint = services.endpoint_create(name=" CRM ", url="https://1.1.1.1/hooks", event_types=["champion.analyzed"])
    assert endpoint.name == "CRM" and endpoint.secret.startswith(signing.SECRET_PREFIX)
    with pytest.raises(InvalidInput) as refused:
        services.endpoint_create(name="Bad", url="https://1.1.1.1/hooks", event_types=["user.deleted"])
    assert "event_types" in refused.value.fields


def test_changing_the_url_is_checked_like_a_new_one():
    endpoint = services.endpoint_create(name="CRM", url="https://1.1.1.1/a")
    with pytest.raises(InvalidInput):
        services.endpoint_update(endpoint=endpoint, url="http://192.168.1.1/")
    services.endpoint_update(endpoint=endpoint, url="https://8.8.8.8/b", is_active=False)
    endpoint.refresh_from_db()
    assert endpoint.url == "https://8.8.8.8/b" and not endpoint.is_active and endpoint.disabled_reason


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


def test_only_name_url_event_types_and_activity_are_editable():
    endpoint = services.endpoint_create(name="CRM", url="https://1.1.1.1/a")
    with pytest.raises(ValueError, match="secret"):
        services.endpoint_update(endpoint=endpoint, secret="whsec_chosen")
    with pytest.raises(InvalidInput) as refused:
        services.endpoint_update(endpoint=endpoint, event_types=["no.such_event"])
    assert "event_types" in refused.value.fields
    updated = services.endpoint_update(endpoint=endpoint, event_types=["webhook.test", "user.login", "user.login"])
    assert updated.event_types == ["user.login"]  # the test event always reaches it: not stored


def test_disabling_fails_the_open_deliveries_and_enabling_clears_the_failure_state(clock):
    endpoint = services.endpoint_create(name="CRM", url="https://1.1.1.1/a")
    delivery = new_delivery(endpoint, clock)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=4, failing_since=clock.now)
    endpoint.refresh_from_db()

    services.endpoint_disable(endpoint=endpoint, reason="maintenance", now=clock.now)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.next_attempt_at, delivery.completed_at) == ("failed", None, clock.now)
    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.disabled_reason, endpoint.disabled_at) == (False, "maintenance", clock.now)
    services.endpoint_enable(endpoint=endpoint)
    endpoint.refresh_from_db()
    assert endpoint.is_active and (endpoint.disabled_reason, endpoint.disabled_at) == ("", None)
    assert (endpoint.consecutive_failures, endpoint.failing_since) == (0, None)


def test_enabling_checks_the_url_again_under_the_current_rules(settings, allow_loopback, receiver):
    endpoint = services.endpoint_create(name="Local", url=receiver.url(), is_active=False)
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    with pytest.raises(InvalidInput):
        services.endpoint_enable(endpoint=endpoint)
    assert not WebhookEndpoint.objects.get(pk=endpoint.pk).is_active


def test_deleting_an_endpoint_deletes_its_deliveries(clock):
    endpoint = services.endpoint_create(name="CRM", url="https://1.1.1.1/a")
    new_delivery(endpoint, clock)
    services.endpoint_delete(endpoint=endpoint)
    assert not WebhookEndpoint.objects.exists() and not WebhookDelivery.objects.exists()


def test_a_retired_secret_is_valid_until_its_grace_period_ends(settings, clock):
    settings.WEBHOOK_SECRET_GRACE_HOURS = 24
    endpoint = services.endpoint_create(name="CRM", url="https://1.1.1.1/a")
    assert services.retired_secrets_valid_until(endpoint, clock.now) is None
    old = endpoint.secret
    new = services.endpoint_regenerate_secret(endpoint=endpoint, now=clock.now)
    endpoint.refresh_from_db()
    assert services.secrets_in_use(endpoint, clock.now) == [new, old]
    assert services.retired_secrets_valid_until(endpoint, clock.now) == clock.now + timedelta(hours=24)
    clock.advance(hours=24)
    assert services.secrets_in_use(endpoint, clock.now) == [new]
    assert services.retired_secrets_valid_until(endpoint, clock.now) is None


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


# --- Deliveries ---------------------------------------------------------------------


def test_fan_out_respects_subscriptions_and_activity_and_is_idempotent():
    everything = services.endpoint_create(name="All", url="https://1.1.1.1/a")
    analyses = services.endpoint_create(name="Analyses", url="https://1.1.1.1/b", event_types=["champion.analyzed"])
    services.endpoint_create(name="Off", url="https://1.1.1.1/c", is_active=False)
    created = services.event_deliveries_create(event_type="user.login", message_id="msg_1", payload={"a": 1})
    again = services.event_deliveries_create(event_type="user.login", message_id="msg_1", payload={"a": 1})
    assert [WebhookDelivery.objects.get(pk=pk).endpoint for pk in created] == [everything]
    assert again == [] and WebhookDelivery.objects.count() == 1
    analysed = services.event_deliveries_create(event_type="champion.analyzed", message_id="msg_2", payload={})
    assert {WebhookDelivery.objects.get(pk=pk).endpoint for pk in analysed} == {everything, analyses}


def test_the_fan_out_attempts_the_first_delivery_itself_and_enqueues_the_others(
    allow_loopback, receiver, monkeypatch, django_capture_on_commit_callbacks
):
    services.endpoint_create(name="A", url=receiver.url("/a"))
    services.endpoint_create(name="B", url=receiver.url("/b"))
    enqueued: list[int] = []
    monkeypatch.setattr(tasks.deliver, "apply_async", lambda args, **kwargs: enqueued.append(args[0]))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.event_fan_out(event_type="user.login", message_id="msg_f", payload={"x": 1}) == 2
    done = WebhookDelivery.objects.get(status="succeeded")
    waiting = WebhookDelivery.objects.get(status="pending")
    assert (done.attempts, waiting.attempts) == (1, 0)
    assert enqueued == [waiting.pk] and len(receiver.received) == 1
    with django_capture_on_commit_callbacks(execute=True):  # the same event again: nothing
        assert services.event_fan_out(event_type="user.login", message_id="msg_f", payload={"x": 1}) == 0
    assert enqueued == [waiting.pk] and len(receiver.received) == 1


def test_a_disabled_endpoint_cannot_get_a_test_event_or_a_retry():
    endpoint = services.endpoint_create(name="Off", url="https://1.1.1.1/a", is_active=False)
    with pytest.raises(Conflict):
        services.endpoint_send_test_event(endpoint=endpoint)
    services.endpoint_enable(endpoint=endpoint)
    delivery = services.endpoint_send_test_event(endpoint=endpoint)
    assert delivery.event_type == "webhook.test" and delivery.payload["data"]["endpoint_id"] == endpoint.pk
    services.endpoint_disable(endpoint=endpoint, reason="maintenance")
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    with pytest.raises(Conflict):
        services.delivery_retry_now(delivery=delivery)


def test_retry_now_gives_a_failed_delivery_one_more_attempt(endpoint, receiver, clock):
    receiver.script(Answer(400), Answer(200))
    delivery = new_delivery(endpoint, clock)
    assert services.delivery_attempt(delivery_id=delivery.pk, now=clock.now).status == "failed"
    delivery.refresh_from_db()
    services.delivery_retry_now(delivery=delivery, now=clock.now)
    result = services.delivery_attempt(delivery_id=delivery.pk, now=clock.now)
    assert (result.number, result.status) == (2, "succeeded")


def test_each_new_delivery_is_enqueued_after_commit_on_the_webhook_queue(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    first = services.endpoint_create(name="A", url="https://1.1.1.1/a")
    second = services.endpoint_create(name="B", url="https://1.1.1.1/b")
    enqueued: list[tuple[tuple, dict]] = []
    monkeypatch.setattr(tasks.deliver, "apply_async", lambda args, **kwargs: enqueued.append((args, kwargs)))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        delivery_ids = services.event_deliveries_create(event_type="user.login", message_id="msg_c", payload={})
    assert enqueued == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert sorted(args for args, _ in enqueued) == sorted((delivery_id,) for delivery_id in delivery_ids)
    assert all(options["queue"] == settings.WEBHOOK_QUEUE for _, options in enqueued)
    assert {WebhookDelivery.objects.get(pk=pk).endpoint_id for pk in delivery_ids} == {first.pk, second.pk}


def test_a_test_event_is_one_signed_delivery_enqueued_after_commit(monkeypatch, django_capture_on_commit_callbacks):
    endpoint = services.endpoint_create(name="CRM", url="https://1.1.1.1/a", event_types=["champion.analyzed"])
    enqueued: list[tuple] = []
    monkeypatch.setattr(tasks.deliver, "apply_async", lambda args, **kwargs: enqueued.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.endpoint_send_test_event(endpoint=endpoint)
    assert enqueued == [(delivery.pk,)]
    assert (delivery.event_type, delivery.status) == ("webhook.test", "pending")
    assert delivery.message_id.startswith("msg_") and delivery.payload["type"] == "webhook.test"


def test_retry_now_refuses_a_delivery_that_already_succeeded(endpoint, receiver, clock):
    delivery = new_delivery(endpoint, clock)
    assert services.delivery_attempt(delivery_id=delivery.pk, now=clock.now).status == "succeeded"
    delivery.refresh_from_db()
    with pytest.raises(Conflict, match="already succeeded"):
        services.delivery_retry_now(delivery=delivery, now=clock.now)
    assert len(receiver.received) == 1


# --- Attempts -----------------------------------------------------------------------


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


def test_an_attempt_whose_endpoint_was_disabled_after_the_claim_sends_nothing_and_counts_no_failure(
    endpoint, receiver, clock
):
    delivery = new_delivery(endpoint, clock)
    assert attempts._claim(delivery.pk, clock.now)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False)

    result = services.delivery_attempt(delivery_id=delivery.pk, now=clock.now, claimed=True)

    assert (result.status, result.error, result.response_code) == ("failed", "the endpoint is disabled", None)
    assert receiver.received == []
    endpoint.refresh_from_db()
    assert (endpoint.consecutive_failures, endpoint.failing_since) == (0, None)
    assert not AdminAlert.objects.exists()
    attempt = WebhookAttempt.objects.get(delivery=delivery)
    assert (attempt.number, attempt.succeeded, attempt.duration_ms) == (1, False, None)


def test_a_delivery_that_is_not_due_or_already_finished_is_not_attempted(endpoint, receiver, clock):
    delivery = new_delivery(endpoint, clock)
    assert services.delivery_attempt(delivery_id=delivery.pk, now=clock.now - timedelta(seconds=1)) is None
    assert services.delivery_attempt(delivery_id=delivery.pk, now=clock.now).status == "succeeded"
    clock.advance(hours=1)
    assert services.delivery_attempt(delivery_id=delivery.pk, now=clock.now) is None  # succeeded: done
    assert len(receiver.received) == 1


def test_the_attempt_records_the_receivers_answer(endpoint, receiver, clock):
    receiver.script(Answer(503, body=b"x" * 2000))
    delivery = new_delivery(endpoint, clock)
    services.delivery_attempt(delivery_id=delivery.pk, now=clock.now)
    delivery.refresh_from_db()
    attempt = WebhookAttempt.objects.get(delivery=delivery)
    assert (attempt.response_code, attempt.response_excerpt, attempt.error) == (503, "x" * 500, "HTTP 503")
    assert (delivery.last_response_code, delivery.last_response_excerpt) == (503, "x" * 500)
    assert (delivery.last_error, delivery.last_duration_ms) == ("HTTP 503", attempt.duration_ms)
    assert delivery.completed_at is None and attempt.remote_address == "127.0.0.1"


def test_a_retry_due_within_a_minute_is_enqueued_at_once_with_a_countdown(
    endpoint, receiver, clock, monkeypatch, django_capture_on_commit_callbacks
):
    receiver.script(Answer(500))
    delivery = new_delivery(endpoint, clock)
    enqueued: list[dict] = []
    monkeypatch.setattr(tasks.deliver, "apply_async", lambda args, **kwargs: enqueued.append({"args": args, **kwargs}))
    with django_capture_on_commit_callbacks(execute=True):
        first = services.delivery_attempt(delivery_id=delivery.pk, now=clock.now)  # retry in 5 s
    assert [call["args"] for call in enqueued] == [(delivery.pk,)]
    assert enqueued[0]["countdown"] == pytest.approx(5.5)
    delivery.refresh_from_db()
    assert delivery.dispatched_until == first.next_attempt_at + timedelta(milliseconds=500) + services.DISPATCH_LEASE
    clock.now = first.next_attempt_at
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_attempt(delivery_id=delivery.pk, now=clock.now)  # retry in 5 min: the sweep's
    assert len(enqueued) == 1


# --- Attempts: SSRF at send time ----------------------------------------------------


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


# --- Endpoint health ----------------------------------------------------------------


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


def test_disabling_for_the_system_happens_once_and_alerts_once(endpoint, clock):
    assert services.endpoint_disable_and_alert(endpoint_id=endpoint.pk, reason="Gone.", now=clock.now)
    assert not services.endpoint_disable_and_alert(endpoint_id=endpoint.pk, reason="Gone again.", now=clock.now)
    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.disabled_reason == "Gone."
    alert = AdminAlert.objects.get(type=services.ALERT_ENDPOINT_DISABLED)
    assert endpoint.url in alert.message and "Gone." in alert.message and alert.severity == "error"


# --- Claims and the sweep -----------------------------------------------------------


def test_an_attempt_in_progress_is_not_taken_twice_and_a_lost_one_comes_back_after_its_lease(endpoint, clock, settings):
    delivery = new_delivery(endpoint, clock)
    assert attempts._claim(delivery.pk, clock.now)
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


def test_the_sweep_leaves_deliveries_of_disabled_endpoints_and_enqueues_after_commit(
    endpoint, clock, monkeypatch, django_capture_on_commit_callbacks
):
    other = services.endpoint_create(name="Other", url="https://1.1.1.1/other")
    delivery_ids = services.event_deliveries_create(
        event_type="user.login", message_id="msg_s", payload={}, now=clock.now
    )
    WebhookEndpoint.objects.filter(pk=other.pk).update(is_active=False)  # its deliveries stay open
    enqueued: list[tuple] = []
    monkeypatch.setattr(tasks.deliver, "apply_async", lambda args, **kwargs: enqueued.append(args))
    clock.now += services.DISPATCH_LEASE
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        swept = services.deliveries_dispatch_due(now=clock.now)
    [mine] = [pk for pk in delivery_ids if WebhookDelivery.objects.get(pk=pk).endpoint_id == endpoint.pk]
    assert swept == [mine] and enqueued == []
    for callback in callbacks:
        callback()
    assert enqueued == [(mine,)]
