"""A loop run in the background of the app (or of `entrelieux worker`): started with the app's
lifespan, cancelled and awaited when it stops. The outbox relay and the mail relay are two."""

from __future__ import annotations

import asyncio
import contextlib


class BackgroundLoop:
    """Subclasses give `name` and `run()`, a coroutine that loops until cancelled."""

    name = "background-loop"

    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name=self.name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def run(self) -> None:
        raise NotImplementedError
