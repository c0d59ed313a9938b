"""A territory's figures, each group in one SQL statement whatever the territory's size.

Open figures (places, organizations, listings, premises) count only what the viewer may see:
listings through `visibility.visible_listings`; places and organizations are public. Figures
over exchanges are private to the two organizations of each exchange: the API shows their totals
only to those `territories.private_figures_visible` allows, and this module never says which
organization took part in which exchange.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    case,
    extract,
    func,
    literal,
    or_,
    union_all,
)
from sqlalchemy import select as sql_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import (
    Commune,
    Direction,
    Exchange,
    ExchangeState,
    Listing,
    ListingKind,
    ListingStatus,
    Organization,
    Space,
)
from core.services.principal import Principal
from core.services.territories import Area, TerritoryKind
from core.services.visibility import visible_listings

MONTHS = 24
"""How far back the monthly series of exchanges goes, the current month included."""


def _communes(area: Area) -> Any:
    """The INSEE codes of the territory's communes (a subquery)."""
    column = {
        TerritoryKind.COMMUNE: Commune.code_insee,
        TerritoryKind.EPCI: Commune.epci_siren,
        TerritoryKind.DEPARTMENT: Commune.department_code,
        TerritoryKind.REGION: Commune.region_code,
    }[area.kind]
    return select(Commune.code_insee).where(col(column) == area.code)


def _located_in(area: Area, commune: Any, department: Any, region: Any) -> ColumnElement[bool]:
    """Rows with these location columns are in the territory (indexed columns where there are)."""
    if area.kind == TerritoryKind.COMMUNE:
        return col(commune) == area.code
    if area.kind == TerritoryKind.EPCI:
        return col(commune).in_(_communes(area))
    if area.kind == TerritoryKind.DEPARTMENT:
        return col(department) == area.code
    return col(region) == area.code


def space_in(area: Area) -> ColumnElement[bool]:
    return _located_in(area, Space.commune_insee, Space.department_code, Space.region_code)


def listing_in(area: Area) -> ColumnElement[bool]:
    return _located_in(area, Listing.commune_insee, Listing.department_code, Listing.region_code)


def organization_in(area: Area) -> ColumnElement[bool]:
    """Its commune is in the territory, or it runs a place there."""
    if area.kind == TerritoryKind.COMMUNE:
        at_home = col(Organization.insee_code) == area.code
    else:
        at_home = col(Organization.insee_code).in_(_communes(area))
    runs_a_place = col(Organization.id).in_(
        select(Space.organization_id).where(space_in(area), col(Space.organization_id).is_not(None))
    )
    return or_(at_home, runs_a_place)


@dataclass(frozen=True)
class Page:
    total: int
    rows: list[Any]


async def places(session: AsyncSession, area: Area, first: int) -> Page:
    """The first places by name, and how many there are."""
    statement = (
        select(Space, func.count().over())
        .where(space_in(area))
        .order_by(col(Space.name), col(Space.id))
        .limit(first)
    )
    rows = (await session.exec(statement)).all()
    return Page(int(rows[0][1]) if rows else 0, [space for space, _ in rows])


async def organizations(session: AsyncSession, area: Area, first: int) -> Page:
    """The first organizations by name, and how many there are."""
    statement = (
        select(Organization, func.count().over())
        .where(organization_in(area))
        .order_by(col(Organization.name), col(Organization.id))
        .limit(first)
    )
    rows = (await session.exec(statement)).all()
    return Page(int(rows[0][1]) if rows else 0, [row for row, _ in rows])


async def places_by_typology(session: AsyncSession, area: Area) -> tuple[int, Counter[str]]:
    """How many places, and how many of each typology (a place may have several). Typologies
    are a JSON list: the one statement reads that column alone and Python counts (at most a few
    thousand places in a region)."""
    rows = (await session.exec(select(Space.typologies).where(space_in(area)))).all()
    counts: Counter[str] = Counter()
    for typologies in rows:
        counts.update(set(typologies or []))
    return len(rows), counts


@dataclass(frozen=True)
class ListingCount:
    direction: Direction
    kind: ListingKind
    category: str | None
    count: int


def _visible_published(principal: Principal | None) -> list[ColumnElement[bool]]:
    return [col(Listing.status) == ListingStatus.PUBLISHED, visible_listings(principal)]


async def listing_counts(
    session: AsyncSession, principal: Principal | None, area: Area
) -> list[ListingCount]:
    """Published listings the viewer may see, by direction, kind and category."""
    keys = (col(Listing.direction), col(Listing.kind), col(Listing.category))
    statement = (
        select(*keys, func.count(col(Listing.id)))
        .where(listing_in(area), *_visible_published(principal))
        .group_by(*keys)
        .order_by(*keys)
    )
    rows = (await session.exec(statement)).all()
    return [ListingCount(Direction(d), ListingKind(k), c, int(n)) for d, k, c, n in rows]


@dataclass(frozen=True)
class Premises:
    offered: int
    occupied: int

    @property
    def free(self) -> int:
        return self.offered - self.occupied


async def premises(session: AsyncSession, principal: Principal | None, area: Area) -> Premises:
    """Published premises offers the viewer may see, and how many are occupied now (an exchange
    of theirs is IN_PROGRESS)."""
    occupied = (
        select(Exchange.id)
        .where(
            col(Exchange.listing_id) == col(Listing.id),
            col(Exchange.state) == ExchangeState.IN_PROGRESS,
        )
        .exists()
    )
    statement = select(
        func.count(col(Listing.id)), func.coalesce(func.sum(case((occupied, 1), else_=0)), 0)
    ).where(
        listing_in(area),
        col(Listing.direction) == Direction.OFFER,
        col(Listing.kind) == ListingKind.PREMISES,
        *_visible_published(principal),
    )
    offered, taken = (await session.exec(statement)).one()
    return Premises(int(offered), int(taken or 0))


@dataclass(frozen=True)
class ExchangeMonth:
    month: date
    requested: int = 0
    started: int = 0
    completed: int = 0


@dataclass(frozen=True)
class ExchangeFigures:
    requested: int
    """Waiting for an answer now (REQUESTED)."""
    in_progress: int
    completed: int
    by_month: list[ExchangeMonth]
    """The last `MONTHS` UTC months, oldest first, zeros included."""


def first_month(today: date) -> date:
    months = today.year * 12 + today.month - 1 - (MONTHS - 1)
    return date(months // 12, months % 12 + 1, 1)


async def exchange_figures(session: AsyncSession, area: Area, today: date) -> ExchangeFigures:
    """Totals now by state, and per month: requested by when asked, started by the start of
    the period of those handed over, completed by when. One statement: the territory's
    exchanges are found once (a common table expression), then grouped four ways."""
    found = (
        select(Exchange.state, Exchange.created_at, Exchange.starts_at, Exchange.completed_at)
        .where(col(Exchange.listing_id).in_(select(Listing.id).where(listing_in(area))))
        .cte("territory_exchange")
    )
    since = datetime.combine(first_month(today), datetime.min.time(), UTC)
    handed_over = found.c.state.in_([ExchangeState.IN_PROGRESS, ExchangeState.COMPLETED])
    none = literal(None, Integer)
    groups: list[Any] = [
        sql_select(literal("state"), found.c.state, none, none, func.count()).group_by(
            found.c.state
        )
    ]
    for measure, column, *where in (
        ("requested", found.c.created_at),
        ("started", found.c.starts_at, handed_over),
        ("completed", found.c.completed_at),
    ):
        year, month = _year_month(session, column)
        groups.append(
            sql_select(literal(measure), literal(None, String), year, month, func.count())
            .where(column >= since, *where)
            .group_by(year, month)
        )
    statement: Any = union_all(*groups)
    states: dict[str, int] = {}
    months = {m: dict[str, int]() for m in _month_list(today)}
    for measure, state, year, month, count in (await session.exec(statement)).all():
        if measure == "state":
            states[state] = int(count)
        elif (key := date(int(year), int(month), 1)) in months:
            months[key][measure] = int(count)
    return ExchangeFigures(
        requested=states.get(ExchangeState.REQUESTED, 0),
        in_progress=states.get(ExchangeState.IN_PROGRESS, 0),
        completed=states.get(ExchangeState.COMPLETED, 0),
        by_month=[ExchangeMonth(m, **counts) for m, counts in months.items()],
    )


def _year_month(session: AsyncSession, column: Any) -> tuple[Any, Any]:
    """The UTC year and month of a timestamp column."""
    moment: Any = column
    if session.get_bind().dialect.name == "postgresql":
        moment = func.timezone("UTC", moment)
    return extract("year", moment), extract("month", moment)


def _month_list(today: date) -> list[date]:
    start = first_month(today)
    index = start.year * 12 + start.month - 1
    return [date((index + i) // 12, (index + i) % 12 + 1, 1) for i in range(MONTHS)]
