"""Creating the index, and rebuilding it from the database while search keeps answering."""

from __future__ import annotations

import asyncio
import logging
import time

from sqlmodel import col, func, select

from api.db import Database
from api.models import Listing, ListingStatus, OutboxEvent
from search.client import SearchClient, SearchUnavailable
from search.listings_index import LISTINGS, SETTINGS
from search.relay import apply_changes, listing_ids_of, read_changes

logger = logging.getLogger("entrelieux.indexing")
BATCH = 5_000


async def ensure_indexes(client: SearchClient) -> None:
    await client.create_index(LISTINGS, SETTINGS)


async def reindex(database: Database, client: SearchClient, *, retry_for: float = 120.0) -> int:
    """Build a fresh index from the database, swap it in, drop the old one; returns its size.

    If Meilisearch goes away meanwhile, start again once it is back (within `retry_for` s).
    """
    deadline = time.monotonic() + retry_for
    while True:
        try:
            return await _rebuild(database, client)
        except SearchUnavailable as error:
            if time.monotonic() > deadline:
                raise
            logger.warning("reindex interrupted (%s); retrying", error)
            await asyncio.sleep(1.0)


async def _rebuild(database: Database, client: SearchClient) -> int:
    building = f"{LISTINGS}_rebuild"
    await client.delete_index(building)
    await client.create_index(building, SETTINGS)
    async with database.session() as session:
        mark = (await session.exec(select(func.max(OutboxEvent.id)))).one() or 0
        ids = list(
            (
                await session.exec(
                    select(Listing.id)
                    .where(col(Listing.status) == ListingStatus.PUBLISHED)
                    .order_by(col(Listing.id))
                )
            ).all()
        )
    for start in range(0, len(ids), BATCH):
        async with database.session() as session:
            changes = await read_changes(session, [i for i in ids[start : start + BATCH] if i])
        await apply_changes(client, changes, index=building)
    if not await client.index_exists(LISTINGS):
        await client.create_index(LISTINGS, SETTINGS)
    await client.swap_indexes(LISTINGS, building)
    await client.delete_index(building)
    # Changes committed while we were building went to the old index: replay them on the new one.
    async with database.session() as session:
        late = (await session.exec(select(OutboxEvent).where(col(OutboxEvent.id) > mark))).all()
        changes = await read_changes(session, await listing_ids_of(session, late))
    await apply_changes(client, changes)
    return len(ids)
