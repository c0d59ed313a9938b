"""The index follows the database through outages, restarts and reindexing (real Meilisearch)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.db import Database
from core.models import Listing, ListingStatus, OutboxEvent
from core.services.listing_commands import ListingDraft
from core.services.listings import publish_listing
from core.services.principal import Principal
from core.services.taxonomy import labels
from search.client import SearchClient
from search.indexing import ensure_indexes, reindex
from search.listings_index import LISTINGS, listing_document
from search.relay import drain_once
from search.server import MeilisearchServer
from tests.factories import make_listing, make_organization
from tests.search.conftest import index_now


async def _principal(session: AsyncSession) -> Principal:
    from core.models import Role
    from core.services.tokens import ensure_member

    organization = await make_organization(session)
    person = await ensure_member(session, "relay@example.org", organization, Role.MEMBER)
    assert person.id is not None
    return Principal(
        person_id=person.id,
        organization_id=organization.id,
        role=Role.MEMBER,
        network_ids=frozenset({organization.id}),
    )


async def _indexed_ids(client: SearchClient) -> set[int]:
    return {int(d["id"]) for d in await client.documents(LISTINGS, limit=10_000)}


async def test_publishing_while_search_is_down_loses_nothing(
    tmp_path: Path, database: Database, session: AsyncSession
) -> None:
    server = MeilisearchServer(data_dir=tmp_path / "meili")
    server.start()
    client = SearchClient(server.url, server.master_key, timeout=2.0)
    await ensure_indexes(client)
    principal = await _principal(session)
    await session.commit()
    server.stop()
    # The relay's loop, run in step with the test (they share the test's one connection).
    try:
        for index in range(100):
            draft = ListingDraft(direction="OFFER", kind="SKILL", title=f"Atelier couture {index}")
            await publish_listing(session, principal, draft)
            await session.commit()
            assert await drain_once(database, client) == 0
        assert await _indexed_ids_or_none(client) is None  # still down

        server.start()
        deadline = time.monotonic() + 10
        expected = set((await session.exec(select(Listing.id))).all())
        while await _indexed_ids_or_none(client) != expected:
            assert time.monotonic() < deadline, "not all 100 listings searchable 10 s after restart"
            await drain_once(database, client)
            await asyncio.sleep(0.1)
        while await drain_once(database, client):
            assert time.monotonic() < deadline, "the outbox did not empty within 10 s"
    finally:
        await client.close()
        server.stop()
    assert len(expected) == 100
    pending = (
        await session.exec(select(OutboxEvent).where(col(OutboxEvent.processed_at).is_(None)))
    ).all()
    assert pending == []


async def _indexed_ids_or_none(client: SearchClient) -> set[int] | None:
    try:
        return await _indexed_ids(client)
    except Exception:
        return None


async def test_a_reindex_killed_midway_converges_to_the_database(
    tmp_path: Path, database: Database, session: AsyncSession
) -> None:
    server = MeilisearchServer(data_dir=tmp_path / "meili")
    server.start()
    client = SearchClient(server.url, server.master_key, timeout=2.0)
    organization = await make_organization(session)
    for index in range(3000):
        status = ListingStatus.WITHDRAWN if index % 10 == 0 else ListingStatus.PUBLISHED
        await make_listing(
            session,
            organization,
            title=f"Matériel {index}",
            status=status,
            tags=[f"t{index % 7}"],
            category="laser",
        )
    await session.commit()
    await ensure_indexes(client)
    # A stale document the database no longer has must disappear too.
    await client.wait_for_task(await client.add_documents(LISTINGS, [{"id": 999_999_999}]))

    async def kill_and_restart() -> None:
        await asyncio.sleep(0.3)
        server.kill()
        await asyncio.sleep(0.5)
        await asyncio.to_thread(server.start)

    try:
        indexed, _ = await asyncio.gather(
            reindex(database, client, retry_for=60), kill_and_restart()
        )
        documents = {int(d["id"]): d for d in await client.documents(LISTINGS, limit=10_000)}
    finally:
        await client.close()
        server.stop()

    rows = (
        await session.exec(select(Listing).where(Listing.status == ListingStatus.PUBLISHED))
    ).all()
    assert indexed == len(rows) == 2700
    assert set(documents) == {row.id for row in rows}
    for row in rows[:50]:
        expected = listing_document(row, organization, labels(row.category))
        expected["_geo"] = expected["_geo"]
        assert documents[row.id] == expected


async def test_reindex_replaces_the_index_while_search_answers(
    database: Database, session: AsyncSession, search_client: SearchClient
) -> None:
    organization = await make_organization(session)
    for index in range(20):
        await make_listing(session, organization, title=f"Scie {index}")
    await session.commit()
    await index_now(database, search_client)

    searching = asyncio.create_task(_search_many(search_client))
    count = await reindex(database, search_client)
    failures = await searching

    assert count == 20
    assert failures == 0
    assert len(await _indexed_ids(search_client)) == 20


async def _search_many(client: SearchClient) -> int:
    failures = 0
    for _ in range(30):
        try:
            result = await client.search(LISTINGS, {"q": "scie", "limit": 1})
            failures += result["estimatedTotalHits"] == 0
        except Exception:
            failures += 1
        await asyncio.sleep(0.02)
    return failures
