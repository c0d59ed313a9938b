"""The served app's PostgreSQL pool: a connection the server closed does not fail a request.

The pool checks nothing over the wire at checkout (no `pool_pre_ping` round trip): it looks at
whether asyncpg saw the connection closed (`core/db.py`). Here the server really closes them:
every backend of the app's pool is ended with `pg_terminate_backend`, as a restart would.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from core.settings import Settings
from tests.served_app import Served, own_database
from tests.served_app import served as serve_in_this_loop

POOL = 3
QUERY = "{ listings(first: 5) { totalCount } }"


@pytest.fixture(scope="module")
async def served(settings: Settings, tmp_folder: Path) -> AsyncIterator[Served]:
    if settings.is_sqlite:
        pytest.skip("SQLite has no server to close a connection")
    async with (
        own_database(settings, tmp_folder, "pool", database_pool_size=POOL) as own,
        serve_in_this_loop(own) as app,
    ):
        yield app


async def _terminate_the_apps_backends(settings: Settings) -> set[int]:
    """Ends every connection to the app's database; waits until they are gone. The pids are
    read first, then ended one by one: in one statement PostgreSQL may evaluate
    `pg_terminate_backend(pid)` below the view's join, on every backend of the server."""
    pids = await _app_backends(settings)
    url = make_url(settings.database_url)
    engine = create_async_engine(url.set(database="postgres"))  # not one of those it ends
    try:
        async with engine.connect() as connection:
            for pid in pids:
                ended = await connection.execute(
                    text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid}
                )
                assert ended.scalar_one() is True, pid
    finally:
        await engine.dispose()
    return pids


async def _app_backends(settings: Settings) -> set[int]:
    url = make_url(settings.database_url)
    name = url.database
    engine = create_async_engine(url.set(database="postgres"))  # not one of those it ends
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                text("SELECT pid FROM pg_stat_activity WHERE datname = :name"),
                {"name": name},
            )
            return set(rows.scalars())
    finally:
        await engine.dispose()


async def test_requests_after_the_server_closed_every_pooled_connection_succeed(
    served: Served,
) -> None:
    async with httpx.AsyncClient(base_url=served.base_url, timeout=10) as http:

        async def ask() -> httpx.Response:
            return await http.post("/graphql", json={"query": QUERY})

        # Pooled connections: requests, some at once.
        assert all(
            r.status_code == 200 for r in await asyncio.gather(*(ask() for _ in range(POOL)))
        )
        before = await _app_backends(served.settings)
        assert before, "the pool holds no connection"

        ended = await _terminate_the_apps_backends(served.settings)
        assert ended == before

        answers = [await ask() for _ in range(POOL + 1)]
        answers += await asyncio.gather(*(ask() for _ in range(POOL)))

    for answer in answers:
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"data": {"listings": {"totalCount": 0}}}
    assert not (await _app_backends(served.settings)) & before  # new connections, all of them
