"""`Query.territory(code:)`: a commune, EPCI, department or region and its figures.

Each group of figures is one resolver and one service call (one or two SQL statements); a
territory's `parent` is the same type, so a page asks the enclosing territory's figures with the
same fragment. Totals over private data (exchanges, impact) are null unless
`privateFiguresVisible`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Any

import strawberry

from core.models import Direction, ListingKind, Typology
from core.services import impact as impact_service
from core.services import territories as service
from core.services import territory_figures as figures
from core.services.territory_report import impact_filter
from schema.context import Info
from schema.impact import Impact, impact_of
from schema.limits import page_size
from schema.organizations import Organization
from schema.relay import bad_argument
from schema.spaces import Space, TypologyCount

strawberry.enum(
    service.TerritoryKind,
    description="The level of a territory: a commune, an intercommunality (EPCI), a department "
    "or a region.",
)
TerritoryKind = service.TerritoryKind


@strawberry.type(description="Published listings the viewer may see, of one kind and direction.")
class ListingKindCount:
    direction: Direction = strawberry.field(description="Offers or requests.")
    kind: ListingKind = strawberry.field(description="The kind of listing.")
    count: int = strawberry.field(description="How many.")


@strawberry.type(description="Published listings the viewer may see, of one category.")
class ListingCategoryCount(ListingKindCount):
    category: str | None = strawberry.field(description="The category code; null when none.")


@strawberry.type(description="Published listings of the territory that the viewer may see.")
class TerritoryListings:
    offered: int = strawberry.field(description="Offers.")
    requested: int = strawberry.field(description="Requests.")
    by_kind: list[ListingKindCount] = strawberry.field(
        description="By direction and kind, every pair listed, zeros included."
    )
    by_category: list[ListingCategoryCount] = strawberry.field(
        description="By direction, kind and category, only those with at least one listing."
    )


@strawberry.type(
    description="Premises offered in the territory (published, visible to the viewer)."
)
class TerritoryPremises:
    offered: int = strawberry.field(description="Premises offers.")
    occupied: int = strawberry.field(
        description="Of which occupied now: an exchange of theirs is IN_PROGRESS."
    )
    free: int = strawberry.field(description="Of which not occupied now.")


@strawberry.type(description="Exchanges about the territory's listings in one UTC month.")
class TerritoryExchangeMonth:
    month: str = strawberry.field(description="The month, as `YYYY-MM`.")
    requested: int = strawberry.field(description="Exchanges asked for that month.")
    started: int = strawberry.field(
        description="Exchanges handed over (in progress or since completed) whose period began "
        "that month."
    )
    completed: int = strawberry.field(description="Exchanges completed that month.")


@strawberry.type(
    description="Totals of the exchanges about the territory's listings, never who took part."
)
class TerritoryExchanges:
    requested: int = strawberry.field(description="Waiting for an answer now (REQUESTED).")
    in_progress: int = strawberry.field(description="In progress now (IN_PROGRESS).")
    completed: int = strawberry.field(description="Completed, ever.")
    by_month: list[TerritoryExchangeMonth] = strawberry.field(
        description="The last 24 UTC months, oldest first, the current one included, zeros too."
    )


@strawberry.type(description="The first places of the territory by name, and how many there are.")
class TerritoryPlaces:
    total_count: int = strawberry.field(description="How many places the territory has.")
    nodes: list[Space] = strawberry.field(description="The first ones, by name.")


@strawberry.type(
    description="The first organizations of the territory by name (their commune is in it, or "
    "they run a place there), and how many there are."
)
class TerritoryOrganizations:
    total_count: int = strawberry.field(description="How many organizations.")
    nodes: list[Organization] = strawberry.field(description="The first ones, by name.")


First = Annotated[int, strawberry.argument(description="How many to list, up to the page limit.")]


@strawberry.type(
    description="A commune, intercommunality (EPCI), department or region, with its figures. "
    "Open figures count only what the viewer may see; totals over private data (exchanges, "
    "impact) are null unless `privateFiguresVisible`."
)
class Territory:
    row: strawberry.Private[service.Territory]
    memo: strawberry.Private[dict[str, asyncio.Future[Any]]]
    kind: TerritoryKind = strawberry.field(description="Its level.")
    code: str = strawberry.field(
        description="Its canonical code: the INSEE code of a commune (`93048`, `2A004`), the "
        "SIREN of an EPCI (`200057867`), `dep-<code>` for a department (`dep-23`, `dep-2A`), "
        "`reg-<code>` for a region (`reg-75`)."
    )
    name: str = strawberry.field(description="Its name.")

    @classmethod
    def of(cls, row: service.Territory) -> Territory:
        return cls(
            row=row, memo={}, kind=row.area.kind, code=row.area.canonical, name=row.area.name
        )

    def _once(self, key: str, work: Coroutine[Any, Any, Any]) -> asyncio.Future[Any]:
        """One computation per object even when sibling fields resolve concurrently."""
        if key in self.memo:
            work.close()
        else:
            self.memo[key] = asyncio.ensure_future(work)
        return self.memo[key]

    @strawberry.field(
        description="The enclosing territory: a commune's EPCI (its department when it has "
        "none), an EPCI's department (of most of its communes), a department's region; null "
        "for a region. Ask it the same figures to compare."
    )
    async def parent(self, info: Info) -> Territory | None:
        area = self.row.parent
        return None if area is None else await territory_of(info, area)

    @strawberry.field(
        description="Every territory around it, nearest first (a commune: its EPCI, "
        "department, region), with code and name: links without further requests."
    )
    def enclosing(self) -> list[TerritoryLink]:
        return [
            TerritoryLink(kind=a.kind, code=a.canonical, name=a.name) for a in self.row.enclosing
        ]

    @strawberry.field(description="Its places by typology, every typology listed.")
    async def places_by_typology(self, info: Info) -> list[TypologyCount]:
        _, counts = await figures.places_by_typology(info.context.session, self.row.area)
        return [TypologyCount(typology=t, count=counts.get(t.value, 0)) for t in Typology]

    @strawberry.field(description="Its places, first ones by name.")
    async def places(self, info: Info, first: First = 20) -> TerritoryPlaces:
        limit = page_size(first, info.context.settings)
        page = await figures.places(info.context.session, self.row.area, limit)
        return TerritoryPlaces(total_count=page.total, nodes=[Space.from_row(r) for r in page.rows])

    @strawberry.field(description="Its organizations, first ones by name.")
    async def organizations(self, info: Info, first: First = 20) -> TerritoryOrganizations:
        limit = page_size(first, info.context.settings)
        page = await figures.organizations(info.context.session, self.row.area, limit)
        return TerritoryOrganizations(
            total_count=page.total, nodes=[Organization.from_row(r) for r in page.rows]
        )

    @strawberry.field(description="Its published listings the viewer may see, counted.")
    async def listings(self, info: Info) -> TerritoryListings:
        rows = await figures.listing_counts(
            info.context.session, info.context.principal, self.row.area
        )
        return _listings(rows)

    @strawberry.field(description="Its premises offers the viewer may see: occupied or free.")
    async def premises(self, info: Info) -> TerritoryPremises:
        counts = await figures.premises(info.context.session, info.context.principal, self.row.area)
        return TerritoryPremises(offered=counts.offered, occupied=counts.occupied, free=counts.free)

    @strawberry.field(
        description="Whether the viewer may read `exchanges` and `impact`: members of the "
        "territory's own public organization (a verified COLLECTIVITE whose INSEE code is the "
        "commune's or whose SIREN is the EPCI's) and of the networks whose area covers all of it."
    )
    async def private_figures_visible(self, info: Info) -> bool:
        work = service.private_figures_visible(
            info.context.session, info.context.principal, self.row
        )
        return bool(await self._once("private", work))

    @strawberry.field(
        description="Totals of the exchanges about its listings. Null unless "
        "`privateFiguresVisible`."
    )
    async def exchanges(self, info: Info) -> TerritoryExchanges | None:
        if not await self.private_figures_visible(info):
            return None
        today = datetime.now(UTC).date()
        result = await figures.exchange_figures(info.context.session, self.row.area, today)
        return TerritoryExchanges(
            requested=result.requested,
            in_progress=result.in_progress,
            completed=result.completed,
            by_month=[
                TerritoryExchangeMonth(month=m.month.strftime("%Y-%m"), **_counts(m))
                for m in result.by_month
            ],
        )

    @strawberry.field(
        description="What its completed exchanges achieved (kg reused, km, hours, days), as "
        "totals. Null unless `privateFiguresVisible`."
    )
    async def impact(self, info: Info) -> Impact | None:
        if not await self.private_figures_visible(info):
            return None
        report = await impact_service.impact(
            info.context.session, None, impact_filter(self.row.area)
        )
        return impact_of(report)


@strawberry.type(description="A territory's level, code and name, for a link.")
class TerritoryLink:
    kind: TerritoryKind = strawberry.field(description="Its level.")
    code: str = strawberry.field(description="Its canonical code (see `Territory.code`).")
    name: str = strawberry.field(description="Its name.")


def _counts(month: figures.ExchangeMonth) -> dict[str, int]:
    return {k: v for k, v in asdict(month).items() if k != "month"}


def _listings(rows: list[figures.ListingCount]) -> TerritoryListings:
    pairs = {(d, k): 0 for d in Direction for k in ListingKind}
    for row in rows:
        pairs[(row.direction, row.kind)] += row.count
    return TerritoryListings(
        offered=sum(r.count for r in rows if r.direction == Direction.OFFER),
        requested=sum(r.count for r in rows if r.direction == Direction.REQUEST),
        by_kind=[ListingKindCount(direction=d, kind=k, count=n) for (d, k), n in pairs.items()],
        by_category=[
            ListingCategoryCount(
                direction=r.direction, kind=r.kind, category=r.category, count=r.count
            )
            for r in rows
        ],
    )


async def territory_of(info: Info, area: service.Area) -> Territory | None:
    row = await service.find_territory(info.context.session, area)
    return None if row is None else Territory.of(row)


def parse_territory_code(code: str) -> service.Area:
    """The territory a code names; a BAD_USER_INPUT error naming `code` when it has no form."""
    area = service.parse_code(code)
    if area is None:
        raise bad_argument("code", f"not a territory code: give {service.CODE_FORMS}")
    return area


@strawberry.type
class TerritoryQuery:
    @strawberry.field(
        description="A territory by its code (see `Territory.code` for the forms). A code of "
        "none of the forms is a BAD_USER_INPUT error naming `code`; a well-formed code of no "
        "known territory answers null."
    )
    async def territory(
        self,
        info: Info,
        code: Annotated[str, strawberry.argument(description="The territory's code.")],
    ) -> Territory | None:
        return await territory_of(info, parse_territory_code(code))
