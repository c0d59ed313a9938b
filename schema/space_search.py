"""`Query.spaces` and `Query.space`: the directory of places, browsed from the database, or found
by the search index (text, or around a point); both honour every filter of `SpaceFilter`, and
both count the places of each typology for the page's filters."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Annotated

import strawberry

from core.services import space_browsing as service
from core.services.pagination import PageRequest
from schema import limits
from schema.context import Info
from schema.enums import Typology
from schema.geo import resolve_near
from schema.relay import (
    After,
    Connection,
    Edge,
    First,
    NodeId,
    PageInfo,
    bad_argument,
    expect_id,
    from_global_id,
    to_global_id,
)
from schema.search_engine import offset_cursor, run_place_search
from schema.spaces import Space, SpaceFilter, TypologyCount, load_space
from search.places_search import PlaceQuery, count_typologies, search_spaces

SIREN = re.compile(r"^\d{9}$")
Counts = Callable[[], Awaitable[dict[str, int]]]


@strawberry.type(description="A page of places, with the total count and counts by typology.")
class SpaceConnection(Connection[Space]):
    _typologies: strawberry.Private[Counts]

    @strawberry.field(
        description="How many places of each typology match the other filters (the `typology` "
        "filter aside, so each count says what choosing it would show); most first, none at 0. "
        "A place of several typologies counts in each."
    )
    async def typology_counts(self) -> list[TypologyCount]:
        counts = await self._typologies()
        known = [(Typology(t), n) for t, n in counts.items() if t in Typology.__members__ and n]
        order = list(Typology)
        known.sort(key=lambda item: (-item[1], order.index(item[0])))
        return [TypologyCount(typology=t, count=n) for t, n in known]


def _filter(info: Info, given: SpaceFilter) -> service.SpaceFilter:
    """The filter checked: a bad value names its field instead of matching nothing silently."""
    if given.epci is not None and not SIREN.match(given.epci):
        raise bad_argument("epci", "must be the SIREN of an EPCI, 9 digits")
    organization_id = None
    if given.organization_id is not None:
        organization_id = expect_id(given.organization_id, "Organization")
        if organization_id is None:
            raise bad_argument("organizationId", "not the id of an Organization")
    if given.name_contains and given.needs_index:
        # The index matches words with typos, not substrings: `text` is the index's way.
        raise bad_argument("nameContains", "cannot be combined with text, near or nearCommune")
    if given.radius_km is not None and given.near is None and not given.near_commune:
        raise bad_argument("radiusKm", "needs near or nearCommune")
    limits.radius(given.radius_km, info.context.settings)
    return service.SpaceFilter(
        commune_insee=given.commune_insee,
        epci_siren=given.epci,
        department_code=given.department,
        region_code=given.region,
        typology=given.typology,
        claimed=given.claimed,
        name_contains=given.name_contains,
        organization_id=organization_id,
    )


async def search_spaces_connection(
    info: Info, given: SpaceFilter, where: service.SpaceFilter, first: int, after: str | None
) -> SpaceConnection:
    limits.page_size(first, info.context.settings)
    offset = limits.offset(after)
    near = await resolve_near(info, given.near, given.near_commune, field="nearCommune")
    query = PlaceQuery(
        text=(given.text or "").strip()[:200],
        typologies=(where.typology.value,) if where.typology else (),
        departments=_one(where.department_code),
        regions=_one(where.region_code),
        communes=_one(where.commune_insee),
        epcis=_one(where.epci_siren),
        claimed=where.claimed,
        organization_id=where.organization_id,
        near=near,
        radius_km=given.radius_km if near is not None else None,
        limit=first,
        offset=offset,
    )
    found = await run_place_search(info, lambda client: search_spaces(client, query))
    rows = await info.context.loaders.space_by_id.load_many(found.ids)
    spaces = [Space.from_row(row) for row in rows if row is not None]
    edges = [Edge(node=s, cursor=offset_cursor(offset + i + 1)) for i, s in enumerate(spaces)]

    async def total() -> int:
        return found.total_hits

    async def typologies() -> dict[str, int]:
        return await run_place_search(info, lambda client: count_typologies(client, query))

    return SpaceConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=offset + first < found.total_hits,
            has_previous_page=offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        _count=total,
        _typologies=typologies,
    )


async def browse_spaces_connection(
    info: Info, where: service.SpaceFilter, first: int, after: str | None
) -> SpaceConnection:
    request = _page_request(info, first, after)
    page = await service.browse_spaces(info.context.session, where, request)
    spaces = [Space.from_row(r) for r in page.items]
    edges = [Edge(node=s, cursor=to_global_id("cursor", s.pk)) for s in spaces]

    async def typologies() -> dict[str, int]:
        counts = await service.typology_counts(info.context.session, where)
        return {typology.value: count for typology, count in counts.items()}

    return SpaceConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=request.after is not None or request.offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        _count=page.count,
        _typologies=typologies,
    )


def _page_request(info: Info, first: int, after: str | None) -> PageRequest:
    """A cursor this list returned, or an offset cursor like a search page's: both name a page,
    so a link to page 3 (`page=3`) opens it directly whichever path serves the filters."""
    decoded = from_global_id(after) if after is not None else None
    if decoded is not None and decoded[0] == "offset":
        return PageRequest(first=limits.page_size(first, info.context.settings), offset=decoded[1])
    return limits.page_request(first, after, info.context.settings)


def _one(value: str | None) -> tuple[str, ...]:
    return (value,) if value is not None else ()


@strawberry.type
class SpaceQuery:
    @strawberry.field(
        description="Places: in the order they were added; with `text`, best match first; with "
        "`near` or `nearCommune`, nearest first. `after` takes the cursors this list returns, or "
        "an offset cursor (`offset:<n>` as a global id, as `search` returns) to open a page "
        "directly."
    )
    async def spaces(
        self,
        info: Info,
        filter: Annotated[
            SpaceFilter | None, strawberry.argument(description="Only the items that match.")
        ] = None,
        first: First = 20,
        after: After = None,
    ) -> SpaceConnection:
        given = filter or SpaceFilter()
        where = _filter(info, given)
        if given.needs_index:
            return await search_spaces_connection(info, given, where, first, after)
        return await browse_spaces_connection(info, where, first, after)

    @strawberry.field(description="One place by its id.")
    async def space(self, info: Info, id: NodeId) -> Space | None:
        return await load_space(info, expect_id(id, "Space"))
