"""Searching listings: typed query in, ids with scores, distances and facets out.

The index answers which listings and in what order; the database stays the source of truth, so
callers load the hits back through their loaders (which apply visibility once more).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from core.models import Direction, ListingKind
from core.services.communes import haversine_km
from core.services.principal import Principal
from search.availability import day_index
from search.client import SearchClient
from search.diversity import FIELDS as DIVERSITY_FIELDS
from search.diversity import diverse_page, fetch_range
from search.filters import all_of, any_of, quote, visible_to
from search.listings_index import LISTINGS, NO_END, NO_START, day_number
from search.spelling import correct
from search.vocabulary import rewrite_query

FACETS = ("kind", "category", "department")
MULTI_SEARCH_MAX = 100
"""The most queries one multi-search carries; a request with more sends several."""


@dataclass(frozen=True)
class GeoPoint:
    lat: float
    lon: float


@dataclass(frozen=True)
class ListingQuery:
    text: str = ""
    kinds: tuple[ListingKind, ...] = ()
    direction: Direction | None = None
    categories: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    organization_ids: tuple[int, ...] = ()
    near: GeoPoint | None = None
    radius_km: float | None = None
    available_from: date | None = None
    available_until: date | None = None
    free_from: date | None = None
    free_until: date | None = None
    exclude_ids: tuple[int, ...] = ()
    exclude_organization_id: int | None = None
    limit: int = 20
    offset: int = 0
    facets: tuple[str, ...] = FACETS
    """The facets Meilisearch counts (names from `FACETS`); none costs it least."""
    matching_strategy: str = "last"


@dataclass(frozen=True)
class Hit:
    id: int
    score: float
    distance_km: float | None


@dataclass
class SearchPage:
    hits: list[Hit]
    total_hits: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


def search_body(principal: Principal | None, query: ListingQuery) -> dict[str, Any]:
    filters = all_of(
        visible_to(principal),
        any_of("kind", [k.value for k in query.kinds]),
        f"direction = {quote(query.direction.value)}" if query.direction else None,
        any_of("category", query.categories),
        any_of("department", query.departments),
        any_of("region", query.regions),
        any_of("organization_id", [str(i) for i in query.organization_ids]),
        _window(query.available_from, query.available_until),
        _free(query.free_from, query.free_until),
        _radius(query.near, query.radius_km),
        f"NOT id IN [{', '.join(str(int(i)) for i in query.exclude_ids)}]"
        if query.exclude_ids
        else None,
        f"organization_id != {int(query.exclude_organization_id)}"
        if query.exclude_organization_id is not None
        else None,
    )
    body: dict[str, Any] = {
        "q": rewrite_query(correct(query.text)),
        "filter": filters,
        "limit": query.limit,
        "offset": query.offset,
        "attributesToRetrieve": ["id", "_geo"],
        "showRankingScore": True,
        "matchingStrategy": query.matching_strategy,
    }
    if query.facets:
        body["facets"] = list(query.facets)
    if query.near is not None:
        body["sort"] = [f"_geoPoint({query.near.lat}, {query.near.lon}):asc"]
    elif not query.text.strip():
        body["sort"] = ["created_at:desc", "id:desc"]
    return body


async def search_listings(
    client: SearchClient, principal: Principal | None, query: ListingQuery
) -> SearchPage:
    """One page of hits, cut from the varied order of `search.diversity`."""
    page = _page(query, await client.search(LISTINGS, _fetch_body(principal, query)))
    if page is None:  # duplicates crowded the short first fetch: fetch the whole window
        body = _fetch_body(principal, query, whole=True)
        page = _page(query, await client.search(LISTINGS, body), whole=True)
    assert page is not None
    return page


async def search_listings_many(
    client: SearchClient, principal: Principal | None, queries: Sequence[ListingQuery]
) -> list[SearchPage]:
    """Many searches in one Meilisearch call (a multi-search): the pages in the queries' order;
    a second call for the few whose short first fetch duplicates crowded (`search_listings`)."""
    bodies = [_fetch_body(principal, query) for query in queries]
    results = await client.multi_search(LISTINGS, bodies)
    pages = [_page(query, result) for query, result in zip(queries, results, strict=True)]
    again = [i for i, page in enumerate(pages) if page is None]
    if again:
        bodies = [_fetch_body(principal, queries[i], whole=True) for i in again]
        results = await client.multi_search(LISTINGS, bodies)
        for i, result in zip(again, results, strict=True):
            pages[i] = _page(queries[i], result, whole=True)
    settled = [page for page in pages if page is not None]
    assert len(settled) == len(pages)
    return settled


def _varied(query: ListingQuery) -> bool:
    """A search restricted to organizations names its owners: their listings come as ranked."""
    return not query.organization_ids


def _fetch_body(
    principal: Principal | None, query: ListingQuery, *, whole: bool = False
) -> dict[str, Any]:
    if not _varied(query):
        return search_body(principal, query)
    offset, limit = fetch_range(query.offset, query.limit, whole=whole)
    body = search_body(principal, replace(query, offset=offset, limit=limit))
    body["attributesToRetrieve"] = [*body["attributesToRetrieve"], *DIVERSITY_FIELDS]
    return body


def _page(query: ListingQuery, result: dict[str, Any], *, whole: bool = False) -> SearchPage | None:
    """The page of `query` from Meilisearch's answer to `_fetch_body`; None when it must be
    fetched again `whole` (`search.diversity.diverse_page`)."""
    if _varied(query):
        page = diverse_page(result["hits"], query.offset, query.limit, query.text, whole=whole)
        if page is None:
            return None
        result["hits"] = page
    hits = [
        Hit(
            id=int(hit["id"]),
            score=float(hit.get("_rankingScore", 0.0)),
            distance_km=_distance_km(query.near, hit),
        )
        for hit in result["hits"]
    ]
    total = int(result.get("estimatedTotalHits", result.get("totalHits", len(hits))))
    facets = {name: dict(values) for name, values in result.get("facetDistribution", {}).items()}
    return SearchPage(hits=hits, total_hits=total, facets=facets)


def _distance_km(near: GeoPoint | None, hit: dict[str, Any]) -> float | None:
    if "_geoDistance" in hit:
        return float(hit["_geoDistance"]) / 1000
    point = hit.get("_geo")
    if near is None or not point:
        return None
    return haversine_km(near.lat, near.lon, float(point["lat"]), float(point["lng"]))


def _window(start: date | None, end: date | None) -> str | None:
    """The listing's availability must overlap [start, end]."""
    conditions = []
    if end is not None:
        conditions.append(f"available_from <= {day_number(end, NO_END)}")
    if start is not None:
        conditions.append(f"available_until >= {day_number(start, NO_START)}")
    return " AND ".join(conditions) or None


def _free(start: date | None, end: date | None) -> str | None:
    """Bookable over all of [start, end]: available on both ends, and no day of it on which every
    unit is taken. On an array, `a TO b` holds when any element is in the range, so `NOT` keeps
    the documents with none in it, an empty `busy_days` included (tests/search/
    test_availability_search.py checks this against Meilisearch)."""
    if start is None or end is None:
        return None
    return (
        f"available_from <= {day_number(start, NO_START)}"
        f" AND available_until >= {day_number(end, NO_END)}"
        f" AND NOT busy_days {day_index(start)} TO {day_index(end)}"
    )


def _radius(near: GeoPoint | None, radius_km: float | None) -> str | None:
    if near is None or radius_km is None:
        return None
    return f"_geoRadius({float(near.lat)}, {float(near.lon)}, {int(radius_km * 1000)})"
