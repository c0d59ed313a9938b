"""The relay's loop sends what is committed while Meilisearch applies the previous wave, and
still loses nothing when Meilisearch refuses a push (both databases, a real Meilisearch)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select

from core.db import Database
from core.models import Listing, Organization, OutboxEvent
from core.models.base import utcnow
from search.client import SearchClient, SearchUnavailable
from search.listings_index import LISTINGS
from search.relay import Relay
from search.server import MeilisearchServer
from tests.factories import make_listing, make_organization

SLOW_TASK_S = 0.6
"""What each task's wait costs here on top of Meilisearch's own time: its batch floor."""


class SlowClient(SearchClient):
    """The real client; each task's wait lasts `SLOW_TASK_S` longer, and every push notes how
    many waits were under way when it was sent."""

    def __init__(self, url: str, key: str, failures: int = 0) -> None:
        super().__init__(url, key)
        self.waiting = 0
        self.waited = asyncio.Event()
        self.pushes: list[tuple[list[int], int]] = []
        self.failures = failures

    async def add_documents(self, index: str, documents: Any) -> int:
        if index == LISTINGS:
            if self.failures:
                self.failures -= 1
                raise SearchUnavailable("refused on purpose")
            self.pushes.append(([int(d["id"]) for d in documents], self.waiting))
        return await super().add_documents(index, documents)

    async def wait_for_task(self, task_uid: int, timeout: float = 30.0) -> dict[str, Any]:  # noqa: ASYNC109
        self.waiting += 1
        self.waited.set()
        try:
            await asyncio.sleep(SLOW_TASK_S)
            return await super().wait_for_task(task_uid, timeout)
        finally:
            self.waiting -= 1


async def _publish(database: Database, count: int, organization_id: int | None = None) -> list[int]:
    async with database.session() as session:
        if organization_id is None:
            organization = await make_organization(session)
            await session.commit()
            # Only the listings' own events matter here.
            await session.exec(update(OutboxEvent).values(processed_at=utcnow()))
        else:
            found = await session.get(Organization, organization_id)
            assert found is not None
            organization = found
        listings = [await make_listing(session, organization) for _ in range(count)]
        await session.commit()
    return [listing.id or 0 for listing in listings]


async def _drained(database: Database, client: SearchClient, ids: set[int], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        async with database.session() as session:
            pending = (
                await session.exec(
                    select(OutboxEvent.id).where(col(OutboxEvent.processed_at).is_(None))
                )
            ).all()
        indexed = {int(d["id"]) for d in await client.documents(LISTINGS, limit=1000)}
        if not pending and ids <= indexed:
            return
        assert time.monotonic() < deadline, f"pending {pending}, missing {ids - indexed}"
        await asyncio.sleep(0.1)


async def test_what_commits_during_a_wave_is_sent_before_that_wave_ends(
    own_database: Database, meilisearch: MeilisearchServer, search_client: SearchClient
) -> None:
    client = SlowClient(meilisearch.url, meilisearch.master_key)
    relay = Relay(own_database, client, poll_seconds=5)
    relay.start()
    try:
        first = await _publish(own_database, 2)
        relay.wake()
        await asyncio.wait_for(client.waited.wait(), 10)  # the first wave waits for its task
        async with own_database.session() as session:
            listing = await session.get(Listing, first[0])
            assert listing is not None
            organization_id = listing.organization_id
        second = await _publish(own_database, 3, organization_id)
        relay.wake()
        await _drained(own_database, client, set(first + second), 15)
    finally:
        await relay.stop()
        await client.close()
    sent_while_waiting = {i for ids, waiting in client.pushes if waiting for i in ids}
    assert set(second) <= sent_while_waiting, client.pushes
    assert not set(first) & sent_while_waiting


async def test_the_loop_loses_nothing_when_meilisearch_refuses_pushes(
    own_database: Database, meilisearch: MeilisearchServer, search_client: SearchClient
) -> None:
    client = SlowClient(meilisearch.url, meilisearch.master_key, failures=2)
    relay = Relay(own_database, client, poll_seconds=0.2)
    relay.start()
    try:
        ids = await _publish(own_database, 5)
        relay.wake()
        await _drained(own_database, client, set(ids), 20)
    finally:
        await relay.stop()
        await client.close()
    assert client.failures == 0
    async with own_database.session() as session:
        events = (await session.exec(select(OutboxEvent))).all()
    assert any(event.attempts for event in events)  # postponed, then done
