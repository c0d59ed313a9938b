"""`totalCount` of a listings page without counting its rows, when the count table can answer.

What anyone sees (PUBLISHED, PUBLIC, not hidden) is counted per department, kind and direction in
`listing_count`, kept by the flush that changes a listing (`core/listing_counts.py`): exact, and in
the same transaction. A viewer who sees nothing more than that (anonymous, or belonging to no
organization: `visibility.sees_only_public`) filtering on those keys only gets the sum of at most
`SLOTS` × 101 departments × 8 rows, whatever the number of listings. Anyone else, or a filter on an
organization, a place, a status or a visibility, gets an exact `COUNT(*)` of the filtered,
visibility-checked statement: it reads one organization's or one place's rows, or a member's view.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import Direction, ListingKind
from core.models.listing_counts import NO_DEPARTMENT, ListingCount


def public_total(
    session: AsyncSession,
    *,
    department: str | None = None,
    kind: ListingKind | None = None,
    direction: Direction | None = None,
) -> Callable[[], Awaitable[int]]:
    """How many listings anyone sees with these keys (None: any); runs when awaited."""
    statement = select(func.coalesce(func.sum(ListingCount.n), 0))
    if department is not None:
        statement = statement.where(col(ListingCount.department_code) == department)
    if kind is not None:
        statement = statement.where(col(ListingCount.kind) == kind)
    if direction is not None:
        statement = statement.where(col(ListingCount.direction) == direction)

    async def count() -> int:
        return int((await session.exec(statement)).one())

    return count


__all__ = ["NO_DEPARTMENT", "public_total"]
