"""What the broker holds and who consumes it, read with short timeouts: the metrics page and the
admin's Live page call these while a person or Prometheus waits, so a broker or a worker that
does not answer costs a second or two, never a hung request."""

from __future__ import annotations

from celery import current_app

BROKER_TIMEOUT_SECONDS = 1.0
# Redis's own socket timeouts too: a server that accepts the connection and then says nothing.
_TIMEOUTS = {"socket_timeout": BROKER_TIMEOUT_SECONDS, "socket_connect_timeout": BROKER_TIMEOUT_SECONDS}


def configured_queues() -> list[str]:
    return sorted(queue.name for queue in current_app.conf.task_queues or ())


def bounded_queue(name: str | None) -> str:
    """A queue label: one of the configured queues, or "other" (tests' and ad-hoc queues)."""
    return name if name in configured_queues() else "other"


def queue_depths() -> dict[str, int]:
    """Messages waiting per configured queue: Redis LLEN over kombu's priority lists, or the
    embedded broker's message files (kombu's own ``_size`` of either transport). Messages a
    worker has taken and not yet acknowledged are not counted."""
    with current_app.connection_for_read(
        connect_timeout=BROKER_TIMEOUT_SECONDS, transport_options=_TIMEOUTS
    ) as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT_SECONDS)
        channel = connection.default_channel
        return {queue: int(channel._size(queue)) for queue in configured_queues()}


def workers_seen(timeout: float = BROKER_TIMEOUT_SECONDS) -> list[str]:
    """Host names of the workers that answered a ping within ``timeout``."""
    with current_app.connection_for_write(
        connect_timeout=BROKER_TIMEOUT_SECONDS, transport_options=_TIMEOUTS
    ) as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT_SECONDS)
        replies = current_app.control.ping(timeout=timeout, connection=connection)
    return sorted(name for reply in replies for name in reply)
