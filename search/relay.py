"""The outbox relay: pushes the current state of changed listings to Meilisearch.

Idempotent: documents are keyed by listing id and built from the row as it is now, so replaying
an event is harmless. An event is marked done only once its Meilisearch task has succeeded;
while Meilisearch is down, events wait with an exponential backoff and nothing is lost.
On PostgreSQL, `FOR UPDATE SKIP LOCKED` lets several workers drain side by side.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.background import BackgroundLoop
from core.db import Database
from core.models import Commune, Listing, Organization, OutboxEvent, OutboxTopic, Space
from core.models.base import utcnow
from core.services.taxonomy import labels
from core.transactions import begin_writing, is_postgresql
from core.wakeup import sleep_until
from search.alerts import notify_alerts
from search.availability import busy_days_by_listing
from search.client import SearchClient, SearchUnavailable
from search.listings_index import LISTINGS, is_indexed, listing_document
from search.places_index import SPACES, space_document

logger = logging.getLogger("entrelieux.relay")
MAX_BACKOFF = timedelta(seconds=5)  # short: a restarted Meilisearch must catch up in seconds


async def drain_once(database: Database, client: SearchClient, batch: int = 200) -> int:
    """Push one batch of pending events; returns how many were done (0 when none or failed)."""
    async with database.session() as session:
        events = await _claim(session, batch)
        if not events:
            return 0
        changes = await read_changes(
            session, await listing_ids_of(session, events), await space_ids_of(session, events)
        )
        if not is_postgresql(session):
            # End SQLite's read snapshot before the slow part: a write after another connection's
            # commit would fail on a stale snapshot. SQLite runs one relay, so nothing is lost.
            await session.commit()
        try:
            await apply_changes(client, changes)
            await begin_writing(session)
            # Alerts follow listings that changed, not a re-push for their organization's sake.
            edited = {event.entity_id for event in events if event.topic == OutboxTopic.LISTING}
            await notify_alerts(
                session, client, [d for d in changes.documents if d["id"] in edited]
            )
        except SearchUnavailable as error:
            await begin_writing(session)
            await _postpone(session, events, str(error))
            await session.commit()
            logger.warning("search unavailable, %d events postponed: %s", len(events), error)
            return 0
        ids = [event.id for event in events]
        now = utcnow()
        await session.exec(
            update(OutboxEvent).where(col(OutboxEvent.id).in_(ids)).values(processed_at=now)
        )
        if any(event.attempts for event in events) or await _has_postponed(session, now):
            # Meilisearch is back: what waited for it need not wait out its backoff.
            await session.exec(
                update(OutboxEvent)
                .where(col(OutboxEvent.processed_at).is_(None), col(OutboxEvent.available_at) > now)
                .values(available_at=now)
            )
        await session.commit()
        return len(events)


async def _has_postponed(session: AsyncSession, now: datetime) -> bool:
    statement = select(OutboxEvent.id).where(
        col(OutboxEvent.processed_at).is_(None), col(OutboxEvent.available_at) > now
    )
    return (await session.exec(statement.limit(1))).first() is not None


@dataclass
class IndexChanges:
    documents: list[dict[str, Any]]
    removed: list[int]
    spaces: list[dict[str, Any]] = field(default_factory=list)
    removed_spaces: list[int] = field(default_factory=list)


async def read_changes(
    session: AsyncSession, listing_ids: Sequence[int], space_ids: Sequence[int] = ()
) -> IndexChanges:
    """The documents of these listings and places as they are now, and what must leave."""
    spaces = await _space_documents(session, space_ids)
    kept_spaces = {document["id"] for document in spaces}
    removed_spaces = [i for i in space_ids if i not in kept_spaces]
    if not listing_ids:
        return IndexChanges([], [], spaces, removed_spaces)
    rows = (
        await session.exec(
            select(Listing, Organization, Commune.name)
            .join(Organization, col(Organization.id) == col(Listing.organization_id))
            .outerjoin(Commune, col(Commune.code_insee) == col(Listing.commune_insee))
            .where(col(Listing.id).in_(listing_ids))
        )
    ).all()
    indexed = [row for row in rows if is_indexed(row[0])]
    busy = await busy_days_by_listing(session, [listing for listing, _, _ in indexed])
    documents = [
        listing_document(
            listing,
            organization,
            labels(listing.category),
            commune_name or "",
            busy.get(listing.id or 0, ()),
        )
        for listing, organization, commune_name in indexed
    ]
    kept = {document["id"] for document in documents}
    removed = [i for i in listing_ids if i not in kept]
    return IndexChanges(documents, removed, spaces, removed_spaces)


async def _space_documents(session: AsyncSession, space_ids: Sequence[int]) -> list[dict[str, Any]]:
    if not space_ids:
        return []
    statement = (
        select(Space, Commune.epci_siren)
        .outerjoin(Commune, col(Commune.code_insee) == col(Space.commune_insee))
        .where(col(Space.id).in_(space_ids))
    )
    rows = (await session.exec(statement)).all()
    return [space_document(space, epci_siren) for space, epci_siren in rows]


async def apply_changes(client: SearchClient, changes: IndexChanges, index: str = LISTINGS) -> None:
    """Send the changes and wait until Meilisearch has applied them."""
    tasks = []
    if changes.documents:
        tasks.append(await client.add_documents(index, changes.documents))
    if changes.removed:
        tasks.append(await client.delete_documents(index, changes.removed))
    if changes.spaces:
        tasks.append(await client.add_documents(SPACES, changes.spaces))
    if changes.removed_spaces:
        tasks.append(await client.delete_documents(SPACES, changes.removed_spaces))
    for task in tasks:
        await client.wait_for_task(task)


async def _claim(session: AsyncSession, batch: int) -> list[OutboxEvent]:
    statement = (
        select(OutboxEvent)
        .where(col(OutboxEvent.processed_at).is_(None), col(OutboxEvent.available_at) <= utcnow())
        .order_by(col(OutboxEvent.id))
        .limit(batch)
    )
    if is_postgresql(session):
        statement = statement.with_for_update(skip_locked=True)
    return list((await session.exec(statement)).all())


async def space_ids_of(session: AsyncSession, events: Sequence[OutboxEvent]) -> list[int]:
    """The places these events changed: their own, and those of the organizations they changed
    (a place's document says whether an organization runs it)."""
    ids = {e.entity_id for e in events if e.topic == OutboxTopic.SPACE}
    organizations = [e.entity_id for e in events if e.topic == OutboxTopic.ORGANIZATION]
    if organizations:
        statement = select(Space.id).where(col(Space.organization_id).in_(organizations))
        ids.update(i for i in (await session.exec(statement)).all() if i is not None)
    return sorted(ids)


async def listing_ids_of(session: AsyncSession, events: Sequence[OutboxEvent]) -> list[int]:
    ids = {e.entity_id for e in events if e.topic == OutboxTopic.LISTING}
    organizations = [e.entity_id for e in events if e.topic == OutboxTopic.ORGANIZATION]
    if organizations:
        statement = select(Listing.id).where(col(Listing.organization_id).in_(organizations))
        ids.update(i for i in (await session.exec(statement)).all() if i is not None)
    return sorted(ids)


async def _postpone(session: AsyncSession, events: Sequence[OutboxEvent], error: str) -> None:
    now = utcnow()
    for event in events:
        event.attempts += 1
        event.last_error = error[:500]
        event.available_at = now + min(timedelta(seconds=0.5 * 2**event.attempts), MAX_BACKOFF)


class Relay(BackgroundLoop):
    """Drains the outbox in the background of the app (or of `entrelieux worker`)."""

    name = "outbox-relay"

    def __init__(
        self, database: Database, client: SearchClient, poll_seconds: float, batch: int = 200
    ) -> None:
        super().__init__()
        self.database = database
        self.client = client
        self.poll_seconds = poll_seconds
        self.batch = batch
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Something was committed: look now rather than at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        while True:
            try:
                done = await drain_once(self.database, self.client, self.batch)
            except Exception:
                logger.exception("outbox relay failed; retrying")
                done = 0
            if not done:
                await sleep_until(self._wake, self.poll_seconds)
