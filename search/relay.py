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
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.background import BackgroundLoop
from core.commit_notices import listen
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
COALESCE_SECONDS = 0.02
"""After a commit woke a growing wave, how long the commits of the same instant may join it."""
FIRST = asyncio.FIRST_COMPLETED


async def drain_once(database: Database, client: SearchClient, batch: int = 200) -> int:
    """Push one batch of pending events; returns how many were done (0 when none or failed)."""
    async with database.session() as session:
        wave = Wave(session, client, set())
        if not await wave.claim_and_send(batch):
            return 0
        return await wave.finish()


class Wave:
    """Events claimed and pushed, marked done together once every task of theirs succeeded.

    `claim_and_send` may run several times before `finish`: what is committed while Meilisearch
    applies the previous wave joins this one and is sent at once, so the engine's next batch
    takes it (Meilisearch batches the tasks queued behind the one it is applying). On PostgreSQL
    the claimed rows stay locked (`FOR UPDATE SKIP LOCKED`) until `finish` commits; `in_flight`,
    the ids this process claimed and has not finished, keeps a wave from claiming them again
    (its own locks do not skip them, and SQLite has no locks).
    """

    def __init__(self, session: AsyncSession, client: SearchClient, in_flight: set[int]) -> None:
        self.session = session
        self.client = client
        self.in_flight = in_flight
        self.events: list[OutboxEvent] = []
        self.tasks: list[int] = []
        self.alerting: list[dict[str, Any]] = []
        """Documents of listings that changed: alerts follow them, not an organization's re-push."""
        self.error: str | None = None
        """Why Meilisearch refused a push: the wave takes no more, and `finish` postpones it."""

    async def claim_and_send(self, batch: int) -> int:
        """Claim up to `batch` pending events and send their documents; how many were claimed."""
        session = self.session
        events = await _claim(session, batch, self.in_flight)
        if not events:
            if not is_postgresql(session):
                await session.commit()
            return 0
        self.in_flight.update(event.id or 0 for event in events)
        self.events += events
        changes = await read_changes(
            session, await listing_ids_of(session, events), await space_ids_of(session, events)
        )
        if not is_postgresql(session):
            # End SQLite's read snapshot before the slow part: a write after another connection's
            # commit would fail on a stale snapshot. SQLite runs one relay, so nothing is lost.
            await session.commit()
        edited = {event.entity_id for event in events if event.topic == OutboxTopic.LISTING}
        self.alerting += [d for d in changes.documents if d["id"] in edited]
        try:
            self.tasks += await send_changes(self.client, changes)
        except SearchUnavailable as error:
            self.error = str(error)
        return len(events)

    async def finish(self) -> int:
        """Wait for the tasks, run the alerts, mark the events done and commit; how many were
        done (0 when Meilisearch failed: the events are postponed with a backoff)."""
        session = self.session
        try:
            try:
                if self.error is not None:
                    raise SearchUnavailable(self.error)
                for task in self.tasks:
                    await self.client.wait_for_task(task)
                await begin_writing(session)
                await notify_alerts(session, self.client, self.alerting)
            except SearchUnavailable as error:
                await begin_writing(session)
                await _postpone(session, self.events, str(error))
                await session.commit()
                count = len(self.events)
                logger.warning("search unavailable, %d events postponed: %s", count, error)
                return 0
            ids = [event.id for event in self.events]
            now = utcnow()
            await session.exec(
                update(OutboxEvent).where(col(OutboxEvent.id).in_(ids)).values(processed_at=now)
            )
            if any(event.attempts for event in self.events) or await _has_postponed(session, now):
                # Meilisearch is back: what waited for it need not wait out its backoff.
                await session.exec(
                    update(OutboxEvent)
                    .where(
                        col(OutboxEvent.processed_at).is_(None), col(OutboxEvent.available_at) > now
                    )
                    .values(available_at=now)
                )
            await session.commit()
            return len(self.events)
        finally:
            self.in_flight.difference_update(event.id or 0 for event in self.events)


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
    for task in await send_changes(client, changes, index):
        await client.wait_for_task(task)


async def send_changes(
    client: SearchClient, changes: IndexChanges, index: str = LISTINGS
) -> list[int]:
    """Send the changes; the uids of Meilisearch's tasks, in the order they will be applied."""
    tasks = []
    if changes.documents:
        tasks.append(await client.add_documents(index, changes.documents))
    if changes.removed:
        tasks.append(await client.delete_documents(index, changes.removed))
    if changes.spaces:
        tasks.append(await client.add_documents(SPACES, changes.spaces))
    if changes.removed_spaces:
        tasks.append(await client.delete_documents(SPACES, changes.removed_spaces))
    return tasks


async def _claim(
    session: AsyncSession, batch: int, in_flight: set[int] | frozenset[int] = frozenset()
) -> list[OutboxEvent]:
    statement = (
        select(OutboxEvent)
        .where(col(OutboxEvent.processed_at).is_(None), col(OutboxEvent.available_at) <= utcnow())
        .order_by(col(OutboxEvent.id))
        .limit(batch)
    )
    if in_flight:
        statement = statement.where(col(OutboxEvent.id).not_in(sorted(in_flight)))
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
    """Drains the outbox in the background of the app (or of `entrelieux worker`).

    Pipelined: while one wave waits for Meilisearch (a batch costs it about half a second however
    small, mostly rewriting its geo index), the next wave claims what is committed meanwhile and
    sends it at once, so it is in the engine's very next batch instead of waiting for the first
    wave to be marked. At most two waves, so at most two of the pool's connections.
    """

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
        self._in_flight: set[int] = set()

    def wake(self) -> None:
        """Something was committed: look now rather than at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        finishing: asyncio.Task[int] | None = None
        listener: asyncio.Task[None] | None = None
        if self.database.engine.dialect.name == "postgresql":  # commits of other processes
            listener = asyncio.create_task(
                listen(self.database.engine.url, self.wake), name="outbox-listener"
            )
        try:
            while True:
                wave = await self._fill(finishing)
                if wave is None:
                    await sleep_until(self._wake, self.poll_seconds)
                    continue
                if finishing is not None:
                    await finishing
                finishing = asyncio.create_task(self._finish(wave), name="outbox-wave")
        finally:
            if listener is not None:
                listener.cancel()
                with suppress(asyncio.CancelledError):
                    await listener
            if finishing is not None and not finishing.done():
                finishing.cancel()
                with suppress(asyncio.CancelledError):
                    await finishing

    async def _fill(self, finishing: asyncio.Task[int] | None) -> Wave | None:
        """A wave of claimed and sent events, grown while `finishing` is not done; None when
        nothing was pending (or the claim failed)."""
        wave = Wave(self.database.sessionmaker(), self.client, self._in_flight)
        try:
            claimed = await wave.claim_and_send(self.batch)
            while (
                claimed
                and wave.error is None
                and finishing is not None
                and len(wave.events) < self.batch
            ):
                if not await self._woken_before(finishing):
                    break
                await asyncio.sleep(COALESCE_SECONDS)  # let the commits of this instant join
                await wave.claim_and_send(self.batch - len(wave.events))
        except Exception:
            logger.exception("outbox relay failed; retrying")
            await self._close(wave)
            return None
        if not wave.events:
            await self._close(wave)
            return None
        return wave

    async def _woken_before(self, finishing: asyncio.Task[int]) -> bool:
        """Wait for a commit (or a poll's time) while `finishing` runs; False once it is done."""
        while not finishing.done():
            woken = asyncio.ensure_future(self._wake.wait())
            await asyncio.wait({woken, finishing}, timeout=self.poll_seconds, return_when=FIRST)
            woken.cancel()
            if self._wake.is_set():
                self._wake.clear()
                return not finishing.done()
            if not finishing.done():
                return True  # the poll's time: another process may have committed
        return False

    async def _finish(self, wave: Wave) -> int:
        try:
            return await wave.finish()
        except Exception:
            logger.exception("outbox relay failed; retrying")
            return 0
        finally:
            await self._close(wave)

    async def _close(self, wave: Wave) -> None:
        self._in_flight.difference_update(event.id or 0 for event in wave.events)
        await wave.session.close()
