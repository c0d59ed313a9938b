"""A GraphQL operation over HTTP stops at its deadline, or as soon as its client leaves, and the
statement it was running leaves no broken connection behind (issue 13, item 2).

The app runs under uvicorn on a database of its own with a real pool (the per-test rolled-back
connection has no pool to break). An operation is made slow by a statement on the request's own
session: `pg_sleep` on PostgreSQL, a long recursive count on SQLite.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from core.services import listings as listing_service
from core.settings import Settings
from tests.served_app import Served, own_database
from tests.served_app import served as serve_in_this_loop

DEADLINE = 1.5
POOL = 3
SLOW_QUERY = "{ listings(first: 5) { totalCount } }"
PG_SLEEP = "SELECT pg_sleep(10)"
SQLITE_COUNT = (
    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 20000000) "
    "SELECT count(*) FROM n"
)


@pytest.fixture(scope="module")
async def own_settings(settings: Settings, tmp_folder: Path) -> AsyncIterator[Settings]:
    async with own_database(
        settings,
        tmp_folder,
        "deadlines",
        graphql_deadline_seconds=DEADLINE,
        database_pool_size=POOL,
    ) as own:
        yield own


@pytest.fixture(scope="module")
async def served(own_settings: Settings) -> AsyncIterator[Served]:
    async with serve_in_this_loop(own_settings) as app:
        yield app


@dataclass
class SlowListings:
    """`Query.listings` made slow: one long statement on the request's session."""

    started: list[float] = field(default_factory=list)
    cancelled: list[float] = field(default_factory=list)
    stopped: asyncio.Event = field(default_factory=asyncio.Event)


@pytest.fixture
def slow_listings(served: Served, monkeypatch: pytest.MonkeyPatch) -> SlowListings:
    record = SlowListings()
    statement = text(SQLITE_COUNT if served.settings.is_sqlite else PG_SLEEP)

    async def slow(session: AsyncSession, *_args: Any, **_kwargs: Any) -> Any:
        record.started.append(time.monotonic())
        try:
            await session.exec(statement)
        except asyncio.CancelledError:
            record.cancelled.append(time.monotonic())
            record.stopped.set()
            raise
        raise AssertionError("the slow statement ended: nothing cancelled it")

    monkeypatch.setattr(listing_service, "browse_listings", slow)
    return record


async def post(base_url: str, query: str, patience: float = 12.0) -> httpx.Response:
    async with httpx.AsyncClient(base_url=base_url, timeout=patience) as http:
        return await http.post("/graphql", json={"query": query})


async def test_a_slow_operation_is_answered_timeout_at_its_deadline(
    served: Served, slow_listings: SlowListings
) -> None:
    began = time.monotonic()
    response = await post(served.base_url, SLOW_QUERY)
    elapsed = time.monotonic() - began

    assert response.status_code == 504, response.text
    body = response.json()
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["TIMEOUT"]
    assert "1.5 s" in body["errors"][0]["message"]
    assert slow_listings.started, "the slow statement never ran"
    assert DEADLINE <= elapsed < DEADLINE + 0.5, elapsed
    print(f"\ndeadline answer after {elapsed:.3f} s (deadline {DEADLINE} s)")


async def test_a_client_that_leaves_cancels_its_operation(
    served: Served, slow_listings: SlowListings
) -> None:
    began = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        await post(served.base_url, SLOW_QUERY, patience=0.3)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(slow_listings.stopped.wait(), DEADLINE * 3)

    assert slow_listings.cancelled, "the operation went on after its client left"
    cancelled_after = slow_listings.cancelled[0] - began
    assert cancelled_after < DEADLINE * 0.6, cancelled_after  # the client, not the deadline
    print(f"\ncancelled {cancelled_after:.3f} s after the request (its client left at 0.3 s)")


async def test_cancelled_statements_leave_the_pool_healthy(
    served: Served, slow_listings: SlowListings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More cancelled operations at once than the pool has connections, then every connection
    works and the app answers as before."""
    engine = served.database.engine
    cancelled = 2 * POOL + 1
    answers = await asyncio.gather(*(post(served.base_url, SLOW_QUERY) for _ in range(cancelled)))
    assert [a.status_code for a in answers] == [504] * cancelled
    monkeypatch.undo()  # `listings` fast again

    for _ in range(250):  # the answers went first; the cancelled work unwinds just after
        unwound = len(slow_listings.cancelled) == cancelled
        if unwound and engine.pool.checkedout() == 0:  # type: ignore[attr-defined]
            break
        await asyncio.sleep(0.02)
    assert len(slow_listings.cancelled) == cancelled
    assert engine.pool.checkedout() == 0, engine.pool.status()  # type: ignore[attr-defined]
    fine = await asyncio.gather(*(post(served.base_url, SLOW_QUERY) for _ in range(2 * POOL)))
    for answer in fine:
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"data": {"listings": {"totalCount": 0}}}
    await _every_pooled_connection_works(engine)
    if not served.settings.is_sqlite:
        assert await _sleeping_statements(served.settings) == 0


async def _every_pooled_connection_works(engine: AsyncEngine) -> None:
    held = [await engine.connect() for _ in range(POOL)]
    try:
        for connection in held:
            assert (await connection.execute(text("SELECT 1"))).scalar_one() == 1
    finally:
        for connection in held:
            await connection.close()


async def _sleeping_statements(settings: Settings) -> int:
    """The `pg_sleep` statements still running in the module's database: the server must
    have stopped them too (a cancel request, or the connection closed), soon after."""
    engine = create_async_engine(settings.database_url)
    name = make_url(settings.database_url).database
    try:
        for _ in range(50):
            async with engine.connect() as connection:
                running = (
                    await connection.execute(
                        text(
                            "SELECT count(*) FROM pg_stat_activity WHERE datname = :name "
                            "AND state = 'active' AND query = :sleep"
                        ),
                        {"name": name, "sleep": PG_SLEEP},
                    )
                ).scalar_one()
            if running == 0:
                return 0
            await asyncio.sleep(0.1)
        return int(running)
    finally:
        await engine.dispose()


async def test_the_clock_starts_once_the_body_is_in(served: Served) -> None:
    """A body sent slowly (a photo on a poor link) does not count against the operation."""
    body = json.dumps({"query": SLOW_QUERY}).encode()

    async def slowly() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 8):
            await asyncio.sleep(DEADLINE * 1.5 / (len(body) / 8))
            yield body[start : start + 8]

    began = time.monotonic()
    async with httpx.AsyncClient(base_url=served.base_url, timeout=12) as http:
        headers = {"content-type": "application/json"}
        response = await http.post("/graphql", content=slowly(), headers=headers)

    assert time.monotonic() - began > DEADLINE
    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"listings": {"totalCount": 0}}}
