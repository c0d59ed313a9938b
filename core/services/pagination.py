"""Keyset pagination over primary keys: stable under inserts, and as fast on page 1000 as on 1."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

T = TypeVar("T")


@dataclass(frozen=True)
class PageRequest:
    first: int
    after: int | None = None
    """The primary key of the last row already seen."""
    offset: int = 0
    """Rows to skip first: a page named by its number (`page=3`) rather than by a cursor."""


@dataclass
class Page(Generic[T]):
    items: Sequence[T]
    has_next_page: bool
    count: Callable[[], Awaitable[int]]
    """Runs the COUNT only when a client asks for `totalCount`."""


async def paginate(
    session: AsyncSession,
    statement: SelectOfScalar[Any],
    key: Any,
    request: PageRequest,
    *,
    descending: bool = False,
    count: Callable[[], Awaitable[int]] | None = None,
) -> Page[Any]:
    """Return one page of `statement` ordered by `key`, plus a lazy total count.

    The count is `COUNT(*)` over `statement` (without the cursor) unless the caller gives its own
    `count`, one that knows the same figure without reading every row (a maintained count).
    """
    page = statement
    if request.after is not None:
        page = page.where(key < request.after if descending else key > request.after)
    page = page.order_by(key.desc() if descending else key.asc()).limit(request.first + 1)
    if request.offset:
        page = page.offset(request.offset)
    rows = list((await session.exec(page)).all())

    async def count_rows() -> int:
        counted = select(func.count()).select_from(statement.order_by(None).subquery())
        return int((await session.exec(counted)).one())

    return Page(
        items=rows[: request.first],
        has_next_page=len(rows) > request.first,
        count=count or count_rows,
    )
