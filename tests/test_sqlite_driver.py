"""SQLite statements take one trip to aiosqlite's thread, and answer as the stock adapter does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiosqlite.core
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db import create_engine
from core.settings import Settings


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'hops.sqlite3'}")
    engine = create_engine(settings, versioned=False)  # a bare table, no data version
    async with engine.begin() as connection:
        await connection.execute(
            text("CREATE TABLE thing (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)")
        )
    yield engine
    await engine.dispose()


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every function sent to aiosqlite's thread."""
    sent: list[Any] = []
    original = aiosqlite.core.Connection._execute

    async def counted(self: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(fn)
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.core.Connection, "_execute", counted)
    return sent


async def test_a_statement_is_one_trip_to_the_thread(engine: AsyncEngine, trips: list[Any]) -> None:
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))  # the connection's own set-up, first
        trips.clear()
        rows = (await connection.execute(text("SELECT 1 UNION SELECT 2"))).all()
        sent = len(trips)
    assert [tuple(row) for row in rows] == [(1,), (2,)]
    assert sent == 1  # the stock adapter: cursor, execute, fetchall, close


async def test_rows_counts_ids_and_errors_are_the_stock_adapters(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        inserted = await connection.execute(text("INSERT INTO thing (name) VALUES ('a')"))
        assert inserted.lastrowid == 1
        await connection.execute(
            text("INSERT INTO thing (name) VALUES (:name)"), [{"name": "b"}, {"name": "c"}]
        )
        returned = await connection.execute(
            text("INSERT INTO thing (name) VALUES ('d') RETURNING id, name")
        )
        assert tuple(returned.one()) == (4, "d")
        updated = await connection.execute(text("UPDATE thing SET name = name || '!'"))
        assert updated.rowcount == 4
        names = (await connection.execute(text("SELECT name FROM thing ORDER BY id"))).scalars()
        assert list(names) == ["a!", "b!", "c!", "d!"]
        partial = await connection.execute(text("SELECT id FROM thing ORDER BY id"))
        assert partial.fetchmany(3) == [(1,), (2,), (3,)]
        assert partial.fetchone() == (4,)
        assert partial.fetchone() is None
    with pytest.raises(IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO thing (name) VALUES ('a!')"))
    async with engine.connect() as connection:
        count = (await connection.execute(text("SELECT count(*) FROM thing"))).scalar_one()
    assert count == 4  # the refused insert left nothing
