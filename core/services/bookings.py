"""A listing's calendar: the periods its units are taken, and the free slots between them.

The database refuses two bookings of the same unit that overlap (see the `booking` table); this
module picks a free unit and turns the database's refusal, if a concurrent writer won, into a
`Conflict`.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.error_codes import CalendarErrorCode, ExchangeErrorCode
from core.errors import Conflict, FieldProblem, InvalidInput, NotFound
from core.models import Booking, Exchange, Listing, ListingKind
from core.models.exchanges import OVERLAP_CONSTRAINT
from core.services.exchange_commands import Block
from core.services.principal import Principal, require_principal

MAX_WINDOW_DAYS = 366
BOOKABLE_KINDS = (ListingKind.EQUIPMENT, ListingKind.PREMISES, ListingKind.SKILL)


@dataclass(frozen=True)
class Slot:
    """A free period of a listing, and how many of its units are free all along it."""

    starts_at: datetime
    ends_at: datetime
    free_units: int


def units_of(listing: Listing) -> int:
    """How many identical units a listing has: an equipment's quantity, otherwise one."""
    if listing.kind == ListingKind.EQUIPMENT:
        return max(1, int(listing.details.get("quantity") or 1))
    return 1


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def outside_availability(
    listing: Listing, starts_at: datetime, ends_at: datetime
) -> FieldProblem | None:
    """Why the period falls outside the listing's own dates, or None when it fits."""
    if listing.available_from and starts_at < day_start(listing.available_from):
        day = listing.available_from.isoformat()
        return FieldProblem("starts_at", ExchangeErrorCode.BEFORE_AVAILABLE_FROM, value=day)
    if listing.available_until and ends_at > day_start(listing.available_until + timedelta(1)):
        day = listing.available_until.isoformat()
        return FieldProblem("ends_at", ExchangeErrorCode.AFTER_AVAILABLE_UNTIL, value=day)
    return None


async def bookings_between(
    session: AsyncSession, listing_ids: Sequence[int], starts_at: datetime, ends_at: datetime
) -> list[Booking]:
    """Bookings of these listings that overlap [starts_at, ends_at), by start."""
    statement = (
        select(Booking)
        .where(
            col(Booking.listing_id).in_(listing_ids),
            col(Booking.starts_at) < ends_at,
            col(Booking.ends_at) > starts_at,
        )
        .order_by(col(Booking.starts_at), col(Booking.id))
    )
    return list((await session.exec(statement)).all())


async def free_units(
    session: AsyncSession, listing: Listing, starts_at: datetime, ends_at: datetime
) -> list[int]:
    """The units free during the whole period, lowest first."""
    assert listing.id is not None
    taken = {b.unit for b in await bookings_between(session, [listing.id], starts_at, ends_at)}
    return [unit for unit in range(1, units_of(listing) + 1) if unit not in taken]


async def book(
    session: AsyncSession,
    listing: Listing,
    starts_at: datetime,
    ends_at: datetime,
    *,
    exchange: Exchange | None = None,
    reason: str = "",
    created_by_id: int | None = None,
    units: Sequence[int] | None = None,
) -> list[Booking]:
    """Take one free unit (or the given `units`) for the period; `Conflict` when none is free.

    Each insert runs in a savepoint: if a concurrent transaction booked the unit first, the
    database refuses ours and the request fails cleanly instead of double booking.
    """
    assert listing.id is not None
    wanted = list(units) if units is not None else None
    if wanted is None:
        free = await free_units(session, listing, starts_at, ends_at)
        if not free:
            raise Conflict(ExchangeErrorCode.ALREADY_BOOKED)
        wanted = free[:1]
    rows = [
        Booking(
            listing_id=listing.id,
            unit=unit,
            starts_at=starts_at,
            ends_at=ends_at,
            exchange_id=exchange.id if exchange else None,
            reason=reason,
            created_by_id=created_by_id,
        )
        for unit in wanted
    ]
    try:
        async with session.begin_nested():
            session.add_all(rows)
            await session.flush()
    except IntegrityError as error:
        if OVERLAP_CONSTRAINT in str(error.orig):
            raise Conflict(ExchangeErrorCode.BOOKED_MEANWHILE) from None
        raise
    return rows


async def release(session: AsyncSession, exchange_id: int) -> None:
    """Free what an exchange had booked (declined after acceptance, or cancelled)."""
    await _delete(session, col(Booking.exchange_id) == exchange_id)


async def shorten(session: AsyncSession, exchange_id: int, ends_at: datetime) -> None:
    """End an exchange's booking early (returned before the end): the rest is free again."""
    booking = (
        await session.exec(select(Booking).where(col(Booking.exchange_id) == exchange_id))
    ).first()
    if booking is not None and booking.starts_at < ends_at < booking.ends_at:
        booking.ends_at = ends_at
        session.add(booking)


def window(from_day: date, to_day: date) -> tuple[datetime, datetime]:
    """[from 00:00 UTC, the day after `to_day` 00:00 UTC); at most a year and a day long."""
    if to_day < from_day:
        raise InvalidInput.one("to", CalendarErrorCode.WINDOW_REVERSED)
    if (to_day - from_day).days >= MAX_WINDOW_DAYS:
        raise InvalidInput.one("to", CalendarErrorCode.WINDOW_TOO_LONG, value=str(MAX_WINDOW_DAYS))
    return day_start(from_day), day_start(to_day + timedelta(days=1))


def free_slots(
    listing: Listing, bookings: Sequence[Booking], starts_at: datetime, ends_at: datetime
) -> list[Slot]:
    """The periods within [starts_at, ends_at) and the listing's own dates when a unit is free."""
    if listing.available_from:
        starts_at = max(starts_at, day_start(listing.available_from))
    if listing.available_until:
        ends_at = min(ends_at, day_start(listing.available_until + timedelta(days=1)))
    if ends_at <= starts_at:
        return []
    units = units_of(listing)
    edges = sorted(
        {starts_at, ends_at}
        | {b.starts_at for b in bookings if starts_at < b.starts_at < ends_at}
        | {b.ends_at for b in bookings if starts_at < b.ends_at < ends_at}
    )
    slots: list[Slot] = []
    for begin, end in itertools.pairwise(edges):
        busy = {b.unit for b in bookings if b.starts_at < end and b.ends_at > begin}
        free = units - len(busy)
        if free <= 0:
            continue
        if slots and slots[-1].ends_at == begin and slots[-1].free_units == free:
            slots[-1] = Slot(slots[-1].starts_at, end, free)
        else:
            slots.append(Slot(begin, end, free))
    return slots


async def availability(
    session: AsyncSession, listing: Listing, from_day: date, to_day: date
) -> list[Slot]:
    assert listing.id is not None
    starts_at, ends_at = window(from_day, to_day)
    bookings = await bookings_between(session, [listing.id], starts_at, ends_at)
    return free_slots(listing, bookings, starts_at, ends_at)


async def block_period(session: AsyncSession, principal: Principal | None, block: Block) -> Booking:
    """The owner blocks a period on every unit of the listing (all must be free)."""
    acting = require_principal(principal)
    listing = await session.get(Listing, block.listing_id)
    if listing is None or listing.id is None or not acting.acts_for(listing.organization_id):
        raise InvalidInput.one("listing_id", CalendarErrorCode.NOT_A_LISTING_OF_YOURS)
    if listing.kind not in BOOKABLE_KINDS:
        raise InvalidInput.one("listing_id", CalendarErrorCode.NO_CALENDAR)
    assert block.starts_at is not None
    assert block.ends_at is not None
    free = await free_units(session, listing, block.starts_at, block.ends_at)
    if len(free) < units_of(listing):
        raise InvalidInput.one("starts_at", CalendarErrorCode.PARTLY_BOOKED)
    rows = await book(
        session,
        listing,
        block.starts_at,
        block.ends_at,
        reason=block.reason,
        created_by_id=acting.person_id,
        units=free,
    )
    return rows[0]


async def unblock_period(
    session: AsyncSession, principal: Principal | None, booking_id: int
) -> int:
    """Remove a block (every unit's row of the same period); exchanges' bookings are not blocks."""
    require_principal(principal)
    booking = await session.get(Booking, booking_id)
    if booking is None or booking.exchange_id is not None:
        raise NotFound(CalendarErrorCode.BLOCK_NOT_FOUND)
    listing = await session.get(Listing, booking.listing_id)
    assert listing is not None
    if principal is None or not principal.acts_for(listing.organization_id):
        raise NotFound(CalendarErrorCode.BLOCK_NOT_FOUND)
    await _delete(
        session,
        col(Booking.listing_id) == booking.listing_id,
        col(Booking.exchange_id).is_(None),
        col(Booking.starts_at) == booking.starts_at,
        col(Booking.ends_at) == booking.ends_at,
    )
    return booking_id


async def _delete(session: AsyncSession, *where: ColumnElement[bool]) -> None:
    """Delete bookings through the session, so the outbox hook re-pushes their listings."""
    for booking in (await session.exec(select(Booking).where(*where))).all():
        await session.delete(booking)
    await session.flush()
