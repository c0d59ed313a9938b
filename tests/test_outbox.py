"""The outbox hook: every change of a booking or a blocked period writes its listing's event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import Booking, Listing, OutboxEvent, OutboxTopic
from tests.factories import make_listing, make_organization

START = datetime(2030, 3, 2, 9, tzinfo=UTC)


async def _events_of(session: AsyncSession, listing: Listing) -> int:
    statement = select(func.count()).where(
        col(OutboxEvent.topic) == OutboxTopic.LISTING, col(OutboxEvent.entity_id) == listing.id
    )
    return (await session.exec(statement)).one()


async def _a_listing(session: AsyncSession) -> Listing:
    listing = await make_listing(session, await make_organization(session))
    assert listing.id is not None
    return listing


async def test_a_booking_inserted_changed_or_deleted_writes_its_listings_event(
    session: AsyncSession,
) -> None:
    listing = await _a_listing(session)
    assert listing.id is not None
    counts = [await _events_of(session, listing)]

    booking = Booking(listing_id=listing.id, starts_at=START, ends_at=START + timedelta(days=2))
    session.add(booking)
    await session.flush()
    counts.append(await _events_of(session, listing))
    booking.ends_at = START + timedelta(days=1)
    await session.flush()
    counts.append(await _events_of(session, listing))
    await session.delete(booking)
    await session.flush()
    counts.append(await _events_of(session, listing))

    assert counts == [counts[0], counts[0] + 1, counts[0] + 2, counts[0] + 3]


async def test_a_bulk_change_of_bookings_is_refused(session: AsyncSession) -> None:
    listing = await _a_listing(session)

    with pytest.raises(TypeError, match="through the session"):
        await session.exec(delete(Booking).where(col(Booking.listing_id) == listing.id))
