"""Finding places and communes: ids out, in the index's order; the database loads them back."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from search.client import SearchClient
from search.filters import all_of, any_of, quote
from search.listings_search import GeoPoint
from search.places_index import COMMUNES, SPACES


@dataclass(frozen=True)
class PlaceQuery:
    text: str = ""
    typologies: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    communes: tuple[str, ...] = ()
    epcis: tuple[str, ...] = ()
    claimed: bool | None = None
    organization_id: int | None = None
    near: GeoPoint | None = None
    radius_km: float | None = None
    limit: int = 20
    offset: int = 0


@dataclass
class PlacePage:
    ids: list[int]
    total_hits: int
    distances_km: dict[int, float]


async def search_spaces(client: SearchClient, query: PlaceQuery) -> PlacePage:
    body: dict[str, Any] = {
        "q": query.text,
        "filter": _filter(query),
        "limit": query.limit,
        "offset": query.offset,
        "attributesToRetrieve": ["id"],
    }
    if query.near is not None:
        body["sort"] = [f"_geoPoint({query.near.lat}, {query.near.lon}):asc"]
    result = await client.search(SPACES, body)
    hits = result["hits"]
    return PlacePage(
        ids=[int(hit["id"]) for hit in hits],
        total_hits=int(result.get("estimatedTotalHits", len(hits))),
        distances_km={
            int(hit["id"]): float(hit["_geoDistance"]) / 1000
            for hit in hits
            if "_geoDistance" in hit
        },
    )


async def count_typologies(client: SearchClient, query: PlaceQuery) -> dict[str, int]:
    """How many places of each typology match the query, its own typologies aside."""
    body: dict[str, Any] = {
        "q": query.text,
        "filter": _filter(replace(query, typologies=())),
        "limit": 0,
        "facets": ["typologies"],
    }
    result = await client.search(SPACES, body)
    counts: dict[str, int] = result.get("facetDistribution", {}).get("typologies", {})
    return {value: int(count) for value, count in counts.items()}


def _filter(query: PlaceQuery) -> str:
    return all_of(
        any_of("typologies", query.typologies),
        any_of("department", query.departments),
        any_of("region", query.regions),
        any_of("commune", query.communes),
        any_of("epci", query.epcis),
        f"claimed = {str(query.claimed).lower()}" if query.claimed is not None else None,
        f"organization_id = {int(query.organization_id)}"
        if query.organization_id is not None
        else None,
        f"_geoRadius({float(query.near.lat)}, {float(query.near.lon)}, "
        f"{int(query.radius_km * 1000)})"
        if query.near is not None and query.radius_km is not None
        else None,
    )


async def search_communes(
    client: SearchClient, text: str, limit: int, department: str | None = None
) -> list[str]:
    """INSEE codes of the communes that best match a name or a postcode, biggest first on ties."""
    body: dict[str, Any] = {
        "q": text,
        "limit": limit,
        "attributesToRetrieve": ["id"],
        "filter": f"department = {quote(department)}" if department else None,
    }
    result = await client.search(COMMUNES, body)
    return [str(hit["id"]) for hit in result["hits"]]
