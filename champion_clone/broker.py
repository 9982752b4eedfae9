"""The embedded default's broker: kombu's filesystem transport, with messages written
atomically.

kombu's own ``_put`` creates the message file under its final name and then writes it, while
``_get`` takes any file with that name at once (it moves it away without waiting for the
writer's lock): a worker polling at that moment reads an empty or partial file and stops with
``JSONDecodeError`` (seen under ``make run``: the worker died while the web process enqueued).
Here a message is written under a name the reader ignores and renamed into place, which is
atomic within one folder, so a reader sees a whole message or none.
"""

from __future__ import annotations

import os
import uuid

from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

# The broker URL's scheme (``atomicfs://``) names this transport.
SCHEME = "atomicfs"
# The reader takes only names ending in ``.<queue>.msg``; this suffix keeps it off a half-written file.
PARTIAL_SUFFIX = ".partial"


class AtomicChannel(filesystem.Channel):
    def _put(self, queue: str, payload: dict, **kwargs: object) -> None:
        final = os.path.join(
            self.data_folder_out, f"{int(round(filesystem.monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        )
        partial = final + PARTIAL_SUFFIX
        try:
            with open(partial, "wb") as handle:
                handle.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise filesystem.ChannelError(f"Cannot add file {final!r} to directory") from exc


class AtomicFilesystemTransport(filesystem.Transport):
    Channel = AtomicChannel
    driver_name = SCHEME


TRANSPORT_ALIASES.setdefault(SCHEME, f"{__name__}:AtomicFilesystemTransport")
