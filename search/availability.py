"""Busy days: the days on which every unit of a listing is taken, for "free during this window".

A listing's document carries `busy_days`, the days (counted from 1970-01-01, UTC) from today to
`HORIZON_DAYS` ahead on which each of its units has a booking covering at least part of the day.
A search for a window then keeps listings with no busy day in it. Only equipment and premises
have a calendar; an equipment listing has `details["quantity"]` units, premises one.

The days are computed when the document is pushed: the outbox hook writes the listing's event in
the transaction that books or frees it (any `Booking` row changed), so the relay re-pushes it. A
booking that starts beyond the horizon shows once the listing is pushed again (any edit, booking
or `reindex`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import Booking, Listing, ListingKind
from core.services import bookings

HORIZON_DAYS = 400
EPOCH = date(1970, 1, 1)
CALENDAR_KINDS = frozenset({ListingKind.EQUIPMENT, ListingKind.PREMISES})


def day_index(value: date) -> int:
    """Days since 1970-01-01: the integer Meilisearch stores for a calendar day."""
    return (value - EPOCH).days


def units_of(listing: Listing) -> int:
    """The listing's units (`bookings.units_of`); 0 when search shows no calendar for its kind."""
    return bookings.units_of(listing) if listing.kind in CALENDAR_KINDS else 0


def busy_days(
    units: int, periods: Iterable[tuple[int, datetime, datetime]], today: date
) -> list[int]:
    """The days from `today` to `today + HORIZON_DAYS` on which every unit `1..units` has some
    half-open period `[starts_at, ends_at)` of `(unit, starts_at, ends_at)` overlapping it."""
    if units < 1:
        return []
    first, last = day_index(today), day_index(today) + HORIZON_DAYS
    taken: defaultdict[int, set[int]] = defaultdict(set)
    for unit, starts_at, ends_at in periods:
        if not 1 <= unit <= units:
            continue  # a unit the listing no longer has (its quantity went down)
        start, end = starts_at.astimezone(UTC), ends_at.astimezone(UTC)
        # The last day touched is the one holding the instant just before `end`.
        start_day = day_index(start.date())
        end_day = day_index((end - timedelta(microseconds=1)).date())
        for day in range(max(start_day, first), min(end_day, last) + 1):
            taken[day].add(unit)
    return sorted(day for day, booked in taken.items() if len(booked) == units)


async def busy_days_by_listing(
    session: AsyncSession, listings: Sequence[Listing], today: date | None = None
) -> dict[int, list[int]]:
    """Busy days of each of these listings, read with one query; listings without any are left
    out."""
    today = today or datetime.now(UTC).date()
    units = {listing.id: units_of(listing) for listing in listings if listing.id is not None}
    ids = [listing_id for listing_id, count in units.items() if count]
    if not ids:
        return {}
    statement = select(Booking.listing_id, Booking.unit, Booking.starts_at, Booking.ends_at).where(
        col(Booking.listing_id).in_(ids),
        col(Booking.ends_at) > bookings.day_start(today),
        col(Booking.starts_at) < bookings.day_start(today + timedelta(days=HORIZON_DAYS + 1)),
    )
    periods: defaultdict[int, list[tuple[int, datetime, datetime]]] = defaultdict(list)
    for listing_id, unit, starts_at, ends_at in (await session.exec(statement)).all():
        periods[listing_id].append((unit, starts_at, ends_at))
    found = {i: busy_days(units[i], periods[i], today) for i in periods}
    return {listing_id: days for listing_id, days in found.items() if days}
