"""The embedded broker writes a message under a name the reader ignores, then renames it:
a worker polling while the web process enqueues never reads half a message."""

from __future__ import annotations

import os

import pytest
from kombu import Connection

from champion_clone import broker


def _connection(folder) -> Connection:
    return Connection(
        f"{broker.SCHEME}://",
        transport_options={
            "data_folder_in": str(folder),
            "data_folder_out": str(folder),
            # kombu's default is ./control, in the working directory.
            "control_folder": str(folder / "control"),
            "store_processed": False,
        },
    )


def test_a_message_is_invisible_to_the_reader_until_it_is_whole(tmp_path, monkeypatch):
    seen_while_writing = []
    real_replace = os.replace

    def replace_and_look(source, target):
        # At this instant the message is written but not yet renamed: the reader must find nothing.
        with _connection(tmp_path) as other:
            queue = other.SimpleQueue("light")
            seen_while_writing.append(queue.qsize())
            try:
                queue.get(block=False)
                seen_while_writing.append("read a partial message")
            except queue.Empty:
                pass
        return real_replace(source, target)

    with _connection(tmp_path) as connection:
        queue = connection.SimpleQueue("light")
        monkeypatch.setattr(broker.os, "replace", replace_and_look)
        queue.put({"task": "demo", "n": 1})
        monkeypatch.setattr(broker.os, "replace", real_replace)
        message = queue.get(timeout=1)
        assert message.payload == {"task": "demo", "n": 1}
        message.ack()
    assert seen_while_writing == [0]
    assert not [name for name in os.listdir(tmp_path) if name.endswith(broker.PARTIAL_SUFFIX)]


def test_the_embedded_default_uses_it(settings):
    from champion_clone.celery import app

    if settings.CELERY_BROKER_URL.startswith("redis"):
        pytest.skip("REDIS_URL is set: Redis is the broker")
    assert app.conf.broker_url == f"{broker.SCHEME}://"
    with app.connection_for_write() as connection:
        assert isinstance(connection.transport, broker.AtomicFilesystemTransport)
