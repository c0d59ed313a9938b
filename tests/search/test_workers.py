"""Several relays drain one outbox without doing the same work twice (PostgreSQL, SKIP LOCKED)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import col, select

from api.setup import migrate
from core.db import Database
from core.models import OutboxEvent
from core.models.base import utcnow
from core.settings import Settings
from search.client import SearchClient
from search.relay import drain_once
from tests.factories import make_listing, make_organization


@pytest.fixture
async def own_database(settings: Settings) -> AsyncIterator[Database]:
    """A database of its own: the workers must see each other's commits, not one transaction."""
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("FOR UPDATE SKIP LOCKED is the PostgreSQL path; SQLite runs one relay")
    url = make_url(settings.database_url)
    name = f"{url.database}_workers"
    admin = create_async_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    own = settings.model_copy(
        update={"database_url": url.set(database=name).render_as_string(False)}
    )
    await migrate(own)
    database = Database.from_settings(own)
    yield database
    await database.dispose()
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    await admin.dispose()


class CountingClient(SearchClient):
    """The real client, noting every listing id it pushes."""

    def __init__(self, url: str, key: str) -> None:
        super().__init__(url, key)
        self.pushed: Counter[int] = Counter()

    async def add_documents(self, index: str, documents: Any) -> int:
        self.pushed.update(int(d["id"]) for d in documents)
        await asyncio.sleep(0.05)  # hold the claimed rows a little, as a slow push would
        return await super().add_documents(index, documents)


async def test_three_workers_share_the_outbox_and_push_each_listing_once(
    own_database: Database, meilisearch: Any, prepared_index: str
) -> None:
    async with own_database.session() as session:
        organization = await make_organization(session)
        await session.commit()
        # Only the listings' own events are left to drain (the organization's re-pushes them all).
        await session.exec(update(OutboxEvent).values(processed_at=utcnow()))
        for index in range(300):
            await make_listing(session, organization, title=f"Perceuse {index}")
        await session.commit()
    client = CountingClient(meilisearch.url, meilisearch.master_key)

    async def worker() -> None:
        while await drain_once(own_database, client, batch=20):
            pass

    await asyncio.gather(worker(), worker(), worker())
    await client.close()

    async with own_database.session() as session:
        pending = (
            await session.exec(select(OutboxEvent).where(col(OutboxEvent.processed_at).is_(None)))
        ).all()
    assert pending == []
    assert len(client.pushed) == 300
    assert set(client.pushed.values()) == {1}
