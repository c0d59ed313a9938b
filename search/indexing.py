"""Creating the indexes, and rebuilding them from the database while search keeps answering."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import col, func, or_, select

from core.data_version import advance
from core.db import Database
from core.models import Commune, Listing, ListingStatus, OutboxEvent, Space
from core.models.base import utcnow
from search.client import SearchClient, SearchUnavailable
from search.listings_index import DOCUMENT_VERSION, LISTINGS, SETTINGS
from search.places_index import (
    COMMUNES,
    COMMUNES_SETTINGS,
    SPACES,
    SPACES_SETTINGS,
    commune_document,
)
from search.relay import apply_changes, listing_ids_of, read_changes, space_ids_of

logger = logging.getLogger("entrelieux.indexing")
BATCH = 5_000
REPLAY_MARGIN = timedelta(minutes=1)
INDEXES = {LISTINGS: SETTINGS, SPACES: SPACES_SETTINGS, COMMUNES: COMMUNES_SETTINGS}
VERSIONS = "document_versions"
"""One document per index built from the database: the shape (`DOCUMENT_VERSIONS`) its
documents were written with."""
DOCUMENT_VERSIONS = {LISTINGS: DOCUMENT_VERSION}


ORDERED = frozenset({"searchableAttributes", "rankingRules"})
"""Settings whose lists are ranked: their order is part of the value. Meilisearch may give the
others back in another order (`disableOnAttributes` sorted)."""
WHOLE = frozenset({"synonyms"})
"""Settings that map our data: compared whole, so a synonym taken out of the code leaves the index
too. Meilisearch's own setting objects (`typoTolerance`, ...) fill the sub-keys we leave out with
its defaults: only the sub-keys we set are compared."""


async def ensure_indexes(client: SearchClient) -> list[str]:
    """Create the missing indexes, and bring the settings of the others to the code's.

    This is how a deploy with new settings (synonyms, searchable attributes, ...) gets them: at
    start, in place. Meilisearch applies a settings update as one task and searches keep
    answering from the index as it was until that task is done, so nothing goes dark; what
    waits is the relay's pushes, queued behind it. Settings already live send nothing, so the
    start of each app process does not queue a task. `entrelieux reindex` is the other way: it
    builds a new index with the code's settings beside the live one and swaps it in.

    Returns the indexes whose documents were written in an older shape than the code's
    (`DOCUMENT_VERSIONS`): settings cannot add a field to documents, only a rebuild can
    (`reindex`, which the app that runs the relay starts by itself: `api/search_runtime.py`).
    """
    marks = await _document_versions(client)
    outdated, created = [], []
    for index, settings in INDEXES.items():
        if await client.index_exists(index):
            if index in DOCUMENT_VERSIONS and marks.get(index) != DOCUMENT_VERSIONS[index]:
                outdated.append(index)
            changed = stale_settings(settings, await client.settings(index))
            if not changed:
                continue
            logger.info("%s: applying changed settings in place: %s", index, ", ".join(changed))
        else:
            created.append(index)
        await client.create_index(index, settings)
    await mark_document_versions(client, [i for i in created if i in DOCUMENT_VERSIONS])
    return outdated


async def _document_versions(client: SearchClient) -> dict[str, int]:
    if not await client.index_exists(VERSIONS):
        await client.create_index(VERSIONS, {})
        return {}
    return {str(d["id"]): int(d["version"]) for d in await client.documents(VERSIONS)}


async def mark_document_versions(client: SearchClient, indexes: Sequence[str]) -> None:
    """Record that `indexes` hold documents of the code's shape (new, or just rebuilt)."""
    if indexes:
        marks = [{"id": index, "version": DOCUMENT_VERSIONS[index]} for index in indexes]
        await client.wait_for_task(await client.add_documents(VERSIONS, marks))


def stale_settings(ours: dict[str, Any], live: dict[str, Any]) -> list[str]:
    """The keys of `ours` whose value the live settings do not hold."""
    return [key for key, value in ours.items() if not _holds(live.get(key), value, key)]


def _holds(live: Any, ours: Any, key: str) -> bool:
    if isinstance(ours, dict):
        if not isinstance(live, dict) or (key in WHOLE and live.keys() != ours.keys()):
            return False
        return all(_holds(live.get(k), value, key) for k, value in ours.items())
    if isinstance(ours, list) and isinstance(live, list) and key not in ORDERED:
        return sorted(map(repr, ours)) == sorted(map(repr, live))
    return bool(live == ours)


async def load_communes(database: Database, client: SearchClient) -> int:
    """Fill the communes index from the communes table when they differ in size."""
    async with database.session() as session:
        communes = list((await session.exec(select(Commune))).all())
    if await client.document_count(COMMUNES) == len(communes):
        return 0
    await _push_all(client, COMMUNES, [commune_document(c) for c in communes])
    return len(communes)


async def reindex(database: Database, client: SearchClient, *, retry_for: float = 120.0) -> int:
    """Rebuild listings and places from the database, swapping each new index in; returns the
    number of listings indexed. If Meilisearch goes away meanwhile, start again once it is back.
    """
    deadline = time.monotonic() + retry_for
    while True:
        try:
            started = utcnow()
            async with database.session() as session:
                mark = (await session.exec(select(func.max(OutboxEvent.id)))).one() or 0
            count = await _rebuild(
                client, LISTINGS, await _listing_ids(database), _listings(database)
            )
            await _rebuild(client, SPACES, await _space_ids(database), _spaces(database))
            await _replay_since(database, client, mark, started)
            await load_communes(database, client)
            await mark_document_versions(client, list(DOCUMENT_VERSIONS))
            async with database.session() as session:  # cached answers were the old index's
                await advance(session)
            return count
        except SearchUnavailable as error:
            if time.monotonic() > deadline:
                raise
            logger.warning("reindex interrupted (%s); retrying", error)
            await asyncio.sleep(1.0)


Reader = Callable[[Sequence[int]], Awaitable[list[dict[str, Any]]]]


async def _rebuild(client: SearchClient, index: str, ids: list[int], read: Reader) -> int:
    building = f"{index}_rebuild"
    await client.delete_index(building)
    await client.create_index(building, INDEXES[index])
    tasks = []  # sent as read, waited for at the end: Meilisearch indexes while we read
    for start in range(0, len(ids), BATCH):
        if documents := await read(ids[start : start + BATCH]):
            tasks.append(await client.add_documents(building, documents))
    for task in tasks:
        await client.wait_for_task(task, 300)
    if not await client.index_exists(index):
        await client.create_index(index, INDEXES[index])
    await client.swap_indexes(index, building)
    await client.delete_index(building)
    return len(ids)


async def _replay_since(
    database: Database, client: SearchClient, mark: int, started: datetime
) -> None:
    """Changes committed while we were building went to the old index: apply them again.

    The events after `mark` are not all of them: a transaction that took an earlier id and
    committed after we read `mark` (PostgreSQL hands ids out before commit) is invisible to both
    the mark and the rebuild's reads, and the relay may push it to the old index before the
    swap. So the events still pending or done since the rebuild began (`REPLAY_MARGIN` earlier,
    for another process's clock) are replayed too; applying one twice is harmless.
    """
    since = started - REPLAY_MARGIN
    late = or_(
        col(OutboxEvent.id) > mark,
        col(OutboxEvent.processed_at).is_(None),
        col(OutboxEvent.processed_at) >= since,
    )
    async with database.session() as session:
        events = (await session.exec(select(OutboxEvent).where(late))).all()
        changes = await read_changes(
            session, await listing_ids_of(session, events), await space_ids_of(session, events)
        )
    await apply_changes(client, changes)


async def _listing_ids(database: Database) -> list[int]:
    async with database.session() as session:
        statement = select(Listing.id).where(
            col(Listing.status) == ListingStatus.PUBLISHED, col(Listing.hidden_at).is_(None)
        )
        return [i for i in (await session.exec(statement.order_by(col(Listing.id)))).all() if i]


async def _space_ids(database: Database) -> list[int]:
    async with database.session() as session:
        return [
            i for i in (await session.exec(select(Space.id).order_by(col(Space.id)))).all() if i
        ]


def _listings(database: Database) -> Reader:
    async def read(ids: Sequence[int]) -> list[dict[str, Any]]:
        async with database.session() as session:
            return (await read_changes(session, ids)).documents

    return read


def _spaces(database: Database) -> Reader:
    async def read(ids: Sequence[int]) -> list[dict[str, Any]]:
        async with database.session() as session:
            return (await read_changes(session, (), ids)).spaces

    return read


async def _push_all(client: SearchClient, index: str, documents: list[dict[str, Any]]) -> None:
    tasks = [
        await client.add_documents(index, documents[start : start + BATCH * 2])
        for start in range(0, len(documents), BATCH * 2)
    ]
    for task in tasks:
        await client.wait_for_task(task, 300)
