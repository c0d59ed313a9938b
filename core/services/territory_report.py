"""A territory's figures as rows (figure, detail, value): what the CSV export writes.

The same service calls and the same visibility as `Query.territory`: open figures over what the
viewer may see, exchanges and impact only when `private_figures_visible` says so (otherwise one
row says they are withheld).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import Typology
from core.services import territory_figures as figures
from core.services.impact import ImpactFilter, impact
from core.services.principal import Principal
from core.services.territories import Area, Territory, TerritoryKind, private_figures_visible

Row = tuple[str, str, str]
HEADER: Row = ("figure", "detail", "value")


async def territory_rows(
    session: AsyncSession, principal: Principal | None, territory: Territory, today: date
) -> list[Row]:
    area = territory.area
    parent = territory.parent
    rows: list[Row] = [
        ("territory", "kind", area.kind.value),
        ("territory", "code", area.canonical),
        ("territory", "name", area.name),
        ("territory", "parent", parent.canonical if parent else ""),
    ]
    total, typologies = await figures.places_by_typology(session, area)
    rows.append(("places", "total", str(total)))
    rows += [("places", t.value, str(typologies.get(t.value, 0))) for t in Typology]
    organizations = await figures.organizations(session, area, 1)
    rows.append(("organizations", "total", str(organizations.total)))
    rows += _listing_rows(await figures.listing_counts(session, principal, area))
    premises = await figures.premises(session, principal, area)
    rows += [
        ("premises", "offered", str(premises.offered)),
        ("premises", "occupied", str(premises.occupied)),
        ("premises", "free", str(premises.free)),
    ]
    if not await private_figures_visible(session, principal, territory):
        return [*rows, ("private_figures", "visible", "false")]
    rows.append(("private_figures", "visible", "true"))
    return rows + await _private_rows(session, area, today)


def _listing_rows(counts: list[figures.ListingCount]) -> list[Row]:
    rows: list[Row] = []
    for direction in ("OFFER", "REQUEST"):
        mine = [c for c in counts if c.direction.value == direction]
        rows.append(("listings", direction, str(sum(c.count for c in mine))))
        rows += [
            ("listings", f"{direction}/{c.kind.value}/{c.category or ''}", str(c.count))
            for c in mine
        ]
    return rows


async def _private_rows(session: AsyncSession, area: Area, today: date) -> list[Row]:
    exchanges = await figures.exchange_figures(session, area, today)
    rows: list[Row] = [
        ("exchanges", "requested", str(exchanges.requested)),
        ("exchanges", "in_progress", str(exchanges.in_progress)),
        ("exchanges", "completed", str(exchanges.completed)),
    ]
    for month in exchanges.by_month:
        key = month.month.strftime("%Y-%m")
        rows += [
            ("exchanges_requested", key, str(month.requested)),
            ("exchanges_started", key, str(month.started)),
            ("exchanges_completed", key, str(month.completed)),
        ]
    report = await impact(session, None, impact_filter(area))
    rows += [("impact", name, f"{value:g}") for name, value in asdict(report.totals).items()]
    return rows


def impact_filter(area: Area) -> ImpactFilter:
    """The impact service's filter for the listings of this territory."""
    return ImpactFilter(
        commune=area.code if area.kind == TerritoryKind.COMMUNE else None,
        epci=area.code if area.kind == TerritoryKind.EPCI else None,
        department=area.code if area.kind == TerritoryKind.DEPARTMENT else None,
        region=area.code if area.kind == TerritoryKind.REGION else None,
    )
