"""Impact: what completed exchanges achieved, added up in SQL for a territory, a period or one
organization.

Totals by territory are open statistics: anyone may read them. Figures about one organization
(`organization_id`) are for the people who act for it, or for its network (its parent).

Two statements whatever the volume: one groups the exchanges by listing kind and month (totals and
both breakdowns are sums of its rows), one counts the distinct organizations on either side.
Months are UTC calendar months; `from_`/`to` are UTC days, both included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, extract, func, or_, union
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.error_codes import ImpactErrorCode
from core.errors import InvalidInput, NotAllowed
from core.models import Commune, Exchange, ExchangeState, Listing, ListingKind, Organization
from core.services.principal import Principal, require_principal

REGION_CODE = re.compile(r"\d{2}")
"""INSEE region codes: 01–06 overseas, 11–94 in metropolitan France."""
DEPARTMENT_CODE = re.compile(r"\d{2}|2[AB]|97\d", re.IGNORECASE)


@dataclass(frozen=True)
class ImpactFilter:
    region: str | None = None
    department: str | None = None
    commune: str | None = None
    """An INSEE code (territory figures; not offered by `Query.impact`)."""
    epci: str | None = None
    """An intercommunality's SIREN: listings in its communes (territory figures)."""
    organization_id: int | None = None
    from_: date | None = None
    to: date | None = None


@dataclass(frozen=True)
class Figures:
    """Sums over a set of completed exchanges; unknown measures count as zero."""

    exchanges_completed: int = 0
    kg_reused: float = 0.0
    km_between_places: float = 0.0
    skill_hours: float = 0.0
    equipment_days: float = 0.0
    premises_days: float = 0.0

    def __add__(self, other: Figures) -> Figures:
        return Figures(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(Figures)))


@dataclass(frozen=True)
class ImpactReport:
    totals: Figures
    organizations_involved: int
    by_kind: dict[ListingKind, Figures]
    """Every kind, in the enum's order, zeros included."""
    by_month: dict[date, Figures]
    """First day of each UTC month with at least one completed exchange, in order."""


def check_filter(given: ImpactFilter) -> ImpactFilter:
    """The filter with its codes normalised; a bad value is an `InvalidInput` naming it."""
    if given.region is not None and not REGION_CODE.fullmatch(given.region):
        raise InvalidInput.one("region", ImpactErrorCode.NOT_A_REGION)
    if given.department is not None and not DEPARTMENT_CODE.fullmatch(given.department):
        raise InvalidInput.one("department", ImpactErrorCode.NOT_A_DEPARTMENT)
    if given.from_ and given.to and given.to < given.from_:
        raise InvalidInput.one("to", ImpactErrorCode.TO_BEFORE_FROM)
    department = given.department.upper() if given.department else None
    return replace(given, department=department)


async def impact(
    session: AsyncSession, principal: Principal | None, given: ImpactFilter
) -> ImpactReport:
    """The impact of the COMPLETED exchanges that match `given`."""
    given = check_filter(given)
    if given.organization_id is not None:
        await _require_reader(session, principal, given.organization_id)
    where = _conditions(given)
    year, month = _utc_year_month(session)
    grouped = (
        select(col(Listing.kind), year, month, *_sums())
        .join(Listing, col(Listing.id) == col(Exchange.listing_id))
        .where(*where)
        .group_by(col(Listing.kind), year, month)
    )
    rows = (await session.exec(grouped)).all()
    return ImpactReport(
        totals=sum((_figures(row[3:]) for row in rows), Figures()),
        organizations_involved=await _organizations_involved(session, where),
        by_kind=_by_kind(rows),
        by_month=_by_month(rows),
    )


async def _require_reader(
    session: AsyncSession, principal: Principal | None, organization_id: int
) -> None:
    """Members of the organization, or of the network it belongs to."""
    acting = require_principal(principal)
    if acting.acts_for(organization_id):
        return
    organization = await session.get(Organization, organization_id)
    if organization is None:
        raise InvalidInput.one(
            "organization", ImpactErrorCode.UNKNOWN_ORGANIZATION, value=str(organization_id)
        )
    if not acting.acts_for(organization.parent_id):
        raise NotAllowed(ImpactErrorCode.IMPACT_NOT_ALLOWED)


def _conditions(given: ImpactFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [col(Exchange.state) == ExchangeState.COMPLETED]
    if given.region is not None:
        where.append(col(Listing.region_code) == given.region)
    if given.department is not None:
        where.append(col(Listing.department_code) == given.department)
    if given.commune is not None:
        where.append(col(Listing.commune_insee) == given.commune)
    if given.epci is not None:
        communes = select(Commune.code_insee).where(Commune.epci_siren == given.epci)
        where.append(col(Listing.commune_insee).in_(communes))
    if given.organization_id is not None:
        where.append(
            or_(
                col(Exchange.owner_organization_id) == given.organization_id,
                col(Exchange.requester_organization_id) == given.organization_id,
            )
        )
    if given.from_ is not None:
        where.append(col(Exchange.completed_at) >= datetime.combine(given.from_, time(), UTC))
    if given.to is not None:
        end = datetime.combine(given.to + timedelta(days=1), time(), UTC)
        where.append(col(Exchange.completed_at) < end)
    return where


def _sums() -> list[Any]:
    measures = (
        Exchange.kg_reused,
        Exchange.distance_km,
        Exchange.skill_hours,
        Exchange.equipment_days,
        Exchange.premises_days,
    )
    return [func.count(col(Exchange.id))] + [
        func.coalesce(func.sum(col(measure)), 0.0) for measure in measures
    ]


def _utc_year_month(session: AsyncSession) -> tuple[Any, Any]:
    """Year and month of `completed_at` in UTC (SQLite stores UTC; PostgreSQL converts)."""
    moment: Any = col(Exchange.completed_at)
    if session.get_bind().dialect.name == "postgresql":
        moment = func.timezone("UTC", moment)
    return extract("year", moment).label("year"), extract("month", moment).label("month")


def _figures(values: Any) -> Figures:
    count, *measures = values
    return Figures(int(count), *(float(value or 0) for value in measures))


def _by_kind(rows: Any) -> dict[ListingKind, Figures]:
    by_kind = dict.fromkeys(ListingKind, Figures())
    for row in rows:
        kind = ListingKind(row[0])
        by_kind[kind] = by_kind[kind] + _figures(row[3:])
    return by_kind


def _by_month(rows: Any) -> dict[date, Figures]:
    by_month: dict[date, Figures] = {}
    for row in rows:
        if row[1] is None:  # completed without a completion time: counted, but in no month
            continue
        month = date(int(row[1]), int(row[2]), 1)
        by_month[month] = by_month.get(month, Figures()) + _figures(row[3:])
    return dict(sorted(by_month.items()))


async def _organizations_involved(session: AsyncSession, where: list[ColumnElement[bool]]) -> int:
    def side(column: Any) -> Any:
        return (
            select(column.label("organization_id"))
            .join(Listing, col(Listing.id) == col(Exchange.listing_id))
            .where(and_(*where))
        )

    either = union(
        side(col(Exchange.owner_organization_id)), side(col(Exchange.requester_organization_id))
    ).subquery()
    count = await session.exec(select(func.count()).select_from(either))
    return int(count.one())
