"""`Query.search`: what Meilisearch finds, loaded back from the database."""

from __future__ import annotations

import datetime
from dataclasses import replace
from typing import Annotated

import strawberry

from core.services.bookings import MAX_WINDOW_DAYS
from core.services.search_hits import hit_rows
from schema import limits
from schema.context import Info
from schema.enums import Direction, ListingKind
from schema.geo import GeoInput, resolve_near
from schema.listings import Listing, load_listings
from schema.organizations import Organization
from schema.relay import bad_argument, from_global_id, selected_names
from schema.search_engine import offset_cursor, run_search
from search.listings_search import GeoPoint, ListingQuery, SearchPage


@strawberry.input(description="What to look for. Every given criterion must hold.")
class SearchInput:
    text: str = strawberry.field(
        default="", description="Free text; typos, missing accents and FR/EN synonyms are fine."
    )
    kinds: list[ListingKind] | None = strawberry.field(default=None, description="Any of these.")
    direction: Direction | None = strawberry.field(default=None, description="Offers or requests.")
    categories: list[str] | None = strawberry.field(
        default=None, description="Any of these category codes."
    )
    departments: list[str] | None = strawberry.field(
        default=None, description="Any of these department codes."
    )
    regions: list[str] | None = strawberry.field(
        default=None, description="Any of these region codes."
    )
    organization_id: strawberry.ID | None = strawberry.field(
        default=None, description="Published by this organization."
    )
    near: GeoInput | None = strawberry.field(default=None, description="Around this point.")
    commune: str | None = strawberry.field(
        default=None, description="Around this commune: INSEE code, postcode or name."
    )
    radius_km: float | None = strawberry.field(
        default=None, description="Within this distance of `near` or `commune`, 0 to 1000 km."
    )
    available_from: datetime.date | None = strawberry.field(
        default=None, description="Available at some point of the window from this day."
    )
    available_until: datetime.date | None = strawberry.field(
        default=None, description="... to this day."
    )
    free_from: datetime.date | None = strawberry.field(
        default=None,
        description="Free to book from this day (UTC) to `freeUntil`, both included: the "
        "listing is available on both days and, on each day between, at least one of its units "
        "(equipment) or the premises has no booking. Give both; at most 366 days. Skills and "
        "materials have no calendar: only their availability dates count.",
    )
    free_until: datetime.date | None = strawberry.field(
        default=None, description="The last day of the `freeFrom` window, included."
    )
    first: int = strawberry.field(default=20, description="How many hits, 1 to 100.")
    after: str | None = strawberry.field(
        default=None, description="The `endCursor` of the previous page."
    )


@strawberry.type(description="How many hits have one value of a facet.")
class FacetValue:
    value: str = strawberry.field(description="The value.")
    count: int = strawberry.field(description="How many hits have it.")


@strawberry.type(description="Hit counts by kind, category and department.")
class Facets:
    kinds: list[FacetValue] = strawberry.field(description="By kind.")
    categories: list[FacetValue] = strawberry.field(description="By category.")
    departments: list[FacetValue] = strawberry.field(description="By department.")


def _facets(page: SearchPage) -> Facets:
    def values(name: str) -> list[FacetValue]:
        counts = page.facets.get(name, {})
        return [
            FacetValue(value=v, count=c) for v, c in sorted(counts.items(), key=lambda i: -i[1])
        ]

    return Facets(
        kinds=values("kind"), categories=values("category"), departments=values("department")
    )


FACET_FIELDS = (("kinds", "kind"), ("categories", "category"), ("departments", "department"))
"""Each field of `Facets` and the Meilisearch facet it shows."""


@strawberry.type(description="One listing found, with its score and distance.")
class SearchHit:
    listing: Listing = strawberry.field(description="The listing.")
    score: float = strawberry.field(description="Relevance, 0 to 1.")
    distance_km: float | None = strawberry.field(
        description="Distance from the search's point, when it has one."
    )


@strawberry.type(description="A page of search hits, with facet counts.")
class SearchResults:
    total_hits: int = strawberry.field(description="How many listings match (estimated).")
    hits: list[SearchHit] = strawberry.field(description="This page of hits, best first.")
    facets: Facets = strawberry.field(description="Counts by kind, category, department.")
    end_cursor: str | None = strawberry.field(
        description="Pass as `after` for the next page; null on the last page."
    )


async def listing_query(info: Info, given: SearchInput) -> ListingQuery:
    """Check the input and turn it into a typed query; bad values name their argument."""
    limits.page_size(given.first, info.context.settings)
    limits.radius(given.radius_km, info.context.settings)
    if (
        given.available_from
        and given.available_until
        and given.available_until < given.available_from
    ):
        raise bad_argument("availableUntil", "is before availableFrom")
    free_from, free_until = _free_window(given)
    near = await _near(info, given)
    offset = limits.offset(given.after)
    organization_ids: tuple[int, ...] = ()
    if given.organization_id is not None:
        decoded = from_global_id(given.organization_id)
        if decoded is None or decoded[0] != "Organization":
            raise bad_argument("organizationId", "not the id of an Organization")
        organization_ids = (decoded[1],)
    return ListingQuery(
        text=given.text.strip()[:500],
        kinds=tuple(given.kinds or ()),
        direction=given.direction,
        categories=tuple(given.categories or ()),
        departments=tuple(given.departments or ()),
        regions=tuple(given.regions or ()),
        organization_ids=organization_ids,
        near=near,
        radius_km=given.radius_km if near is not None else None,
        available_from=given.available_from,
        available_until=given.available_until,
        free_from=free_from,
        free_until=free_until,
        limit=given.first,
        offset=offset,
    )


def _free_window(given: SearchInput) -> tuple[datetime.date | None, datetime.date | None]:
    start, end = given.free_from, given.free_until
    if start is None and end is None:
        return None, None
    if start is None:
        raise bad_argument("freeFrom", "is required with freeUntil")
    if end is None:
        raise bad_argument("freeUntil", "is required with freeFrom")
    if end < start:
        raise bad_argument("freeUntil", "is before freeFrom")
    if (end - start).days + 1 > MAX_WINDOW_DAYS:
        raise bad_argument("freeUntil", f"the window spans more than {MAX_WINDOW_DAYS} days")
    return start, end


COMMUNE_FIELDS = {"communeName", "departmentName", "regionName"}
"""The fields of `Location` that read the commune's row."""


async def _hit_listings(info: Info, ids: list[int]) -> list[Listing | None]:
    """The hits' listings, in order (None for one the viewer may not see). Their organizations,
    communes and cover photos, when the query reads them, come in the same statement
    (`hit_rows`): the loaders are primed with them, so no resolver of the page goes back to the
    database."""
    wanted = selected_names(info, ("hits", "listing"))
    location = selected_names(info, ("hits", "listing", "location"))
    rows = await hit_rows(
        info.context.session,
        info.context.principal,
        ids,
        organizations="organization" in wanted,
        communes=bool(location & COMMUNE_FIELDS),
        covers="coverPhoto" in wanted and "photos" not in wanted,
    )
    loaders, prefetched = info.context.loaders, info.context.prefetched
    found = {row.id: row for row in rows.listings}
    for pk in ids:
        loaders.listing_by_id.prime(pk, found.get(pk))
    for organization in rows.organizations:
        assert organization.id is not None
        prefetched["Organization", organization.id] = Organization.from_row(organization)
    for commune in rows.communes:
        loaders.commune_by_insee.prime(commune.code_insee, commune)
    for pk, cover in rows.covers.items():  # only when `photos` is not read: it wants them all
        loaders.photos_by_listing_id.prime(pk, [cover] if cover else [])
    return await load_listings(info, ids)


async def _near(info: Info, given: SearchInput) -> GeoPoint | None:
    return await resolve_near(info, given.near, given.commune)


@strawberry.type
class SearchQuery:
    @strawberry.field(description="Search listings: text, kinds, place, radius and dates.")
    async def search(
        self,
        info: Info,
        input: Annotated[SearchInput, strawberry.argument(description="What to look for.")],
    ) -> SearchResults:
        query = await listing_query(info, input)
        # Meilisearch counts only the facets the query reads: each costs it a pass over the hits
        read = selected_names(info, ("facets",))
        query = replace(query, facets=tuple(f for g, f in FACET_FIELDS if g in read))
        page = await run_search(info, query)
        listings = await _hit_listings(info, [hit.id for hit in page.hits])
        hits = [  # the database is the truth: a hit it no longer shows is skipped
            SearchHit(listing=listing, score=hit.score, distance_km=hit.distance_km)
            for hit, listing in zip(page.hits, listings, strict=True)
            if listing is not None
        ]
        next_offset = query.offset + query.limit
        return SearchResults(
            total_hits=page.total_hits,
            hits=hits,
            facets=_facets(page),
            end_cursor=offset_cursor(next_offset) if next_offset < page.total_hits else None,
        )
