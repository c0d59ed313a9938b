"""NOTIFY on commit of outbox rows, and the listener that survives losing its connection.

PostgreSQL only: SQLite serves one process, whose relay the in-process wake-up reaches.
"""

from __future__ import annotations

import asyncio
import os

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from core import commit_notices
from core.commit_notices import listen, mark_outbox_written

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="LISTEN/NOTIFY is PostgreSQL's",
)


class Woken:
    def __init__(self) -> None:
        self.count = 0
        self.event = asyncio.Event()

    def __call__(self) -> None:
        self.count += 1
        self.event.set()

    async def after(self, count: int, within: float = 5) -> None:
        """Wait until woken more than `count` times."""
        async with asyncio.timeout(within):
            while self.count <= count:
                self.event.clear()
                await self.event.wait()


async def _commit(engine: AsyncEngine, *, outbox: bool, commit: bool = True) -> None:
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
        if outbox:
            await connection.run_sync(mark_outbox_written)
        if commit:
            await connection.commit()
        else:
            await connection.rollback()


async def test_a_commit_of_outbox_rows_wakes_the_listener_even_after_its_connection_drops(
    engine_and_counter: tuple[AsyncEngine, object],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine, _ = engine_and_counter
    monkeypatch.setattr(commit_notices, "RETRY_SECONDS", 0.1)
    woken = Woken()
    listener = asyncio.create_task(listen(engine.url, woken))
    try:
        await woken.after(0, within=10)  # woken once it listens

        count = woken.count
        await _commit(engine, outbox=True)
        await woken.after(count)

        count = woken.count
        await _commit(engine, outbox=True, commit=False)  # rolled back: no notice
        await _commit(engine, outbox=False)  # no outbox rows: no notice
        await asyncio.sleep(0.5)
        assert woken.count == count

        # Its connection killed by the server: it connects again, wakes (what was committed
        # meanwhile), and the next commit wakes it.
        async with engine.connect() as connection:
            killed = await connection.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = 'entrelieux-outbox-listener' "
                    "AND datname = current_database()"
                )
            )
        assert killed == 1
        await woken.after(count, within=10)
        await asyncio.sleep(0.2)
        count = woken.count
        await _commit(engine, outbox=True)
        await woken.after(count)
    finally:
        listener.cancel()
        with pytest.raises(asyncio.CancelledError):
            await listener
