"""An in-process signal: "something was committed here, look now".

Only a shortcut: whoever listens also polls the database, so a commit made by another process
is seen at the next poll. Nothing here must be shared between processes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager, suppress


class Wakeup:
    """Wakes every listener of this process; `notify` is called from the event loop."""

    def __init__(self) -> None:
        self._listeners: set[asyncio.Event] = set()

    def notify(self) -> None:
        for event in self._listeners:
            event.set()

    @contextmanager
    def listen(self) -> Iterator[asyncio.Event]:
        """An event set by every `notify` while the block runs; clear it after waking."""
        event = asyncio.Event()
        self._listeners.add(event)
        try:
            yield event
        finally:
            self._listeners.discard(event)


async def sleep_until(event: asyncio.Event, seconds: float) -> None:
    """Wait for `event` or `seconds`, whichever comes first, then clear it."""
    with suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), timeout=seconds)
    event.clear()
