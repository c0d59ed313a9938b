"""`Query.spaces` and `Query.space`: places browsed from the database, or found by the search
index (text, or around a point) as a cursor connection."""

from __future__ import annotations

from typing import Annotated

import strawberry

from core.services import spaces as service
from core.services.pagination import Page
from schema import limits
from schema.context import Info
from schema.geo import resolve_near
from schema.limits import page_request
from schema.relay import (
    After,
    Connection,
    Edge,
    First,
    NodeId,
    PageInfo,
    expect_id,
)
from schema.search_engine import offset_cursor, run_place_search
from schema.spaces import Space, SpaceFilter, load_space
from search.places_search import PlaceQuery, search_spaces


async def search_spaces_connection(
    info: Info, given: SpaceFilter, first: int, after: str | None
) -> Connection[Space]:
    limits.page_size(first, info.context.settings)
    limits.radius(given.radius_km, info.context.settings)
    offset = limits.offset(after)
    near = await resolve_near(info, given.near, given.near_commune)
    query = PlaceQuery(
        text=(given.text or "").strip()[:200],
        typologies=(given.typology.value,) if given.typology else (),
        departments=(given.department,) if given.department else (),
        regions=(given.region,) if given.region else (),
        communes=(given.commune_insee,) if given.commune_insee else (),
        organization_id=expect_id(given.organization_id, "Organization")
        if given.organization_id
        else None,
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

    page: Page[Space] = Page(spaces, offset + first < found.total_hits, total)
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        _count=page.count,
    )


@strawberry.type
class SpaceQuery:
    @strawberry.field(description="Places, in the order they were added.")
    async def spaces(
        self,
        info: Info,
        filter: Annotated[
            SpaceFilter | None, strawberry.argument(description="Only the items that match.")
        ] = None,
        first: First = 20,
        after: After = None,
    ) -> Connection[Space]:
        f = filter or SpaceFilter()
        if f.needs_index:
            return await search_spaces_connection(info, f, first, after)
        request = page_request(first, after, info.context.settings)
        where = service.SpaceFilter(
            commune_insee=f.commune_insee,
            department_code=f.department,
            region_code=f.region,
            typology=f.typology,
            name_contains=f.name_contains,
            organization_id=expect_id(f.organization_id, "Organization")
            if f.organization_id
            else None,
        )
        page = await service.browse_spaces(info.context.session, where, request)
        return Connection.of(page, [Space.from_row(r) for r in page.items], lambda s: s.pk, after)

    @strawberry.field(description="One place by its id.")
    async def space(self, info: Info, id: NodeId) -> Space | None:
        return await load_space(info, expect_id(id, "Space"))
