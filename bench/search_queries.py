"""The search mix: the same searches as GraphQL requests and as Meilisearch request bodies.

Each case is written once, as the `SearchInput` variables the web app's search page sends with
its own document (`SEARCH_DOCUMENT`, copied from `frontend/src/search/documents.ts`: the search
status, the hits with what a result card shows, and the kind and category facets), and as the
`ListingQuery` `schema.search.listing_query` turns it into. The Meilisearch body is built by the
app's own `search_body` for an anonymous viewer with the facets the document reads, so both
targets run exactly the same search; `check` proves it on the live servers.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx

from core.db import Database
from core.models import ListingKind
from core.services.communes import find_commune
from schema.relay import expect_id
from search.listings_search import GeoPoint, ListingQuery, search_body

SEARCH_DOCUMENT = """
    query Search($input: SearchInput!) {
      searchStatus { indexing pending }
      search(input: $input) {
        totalHits endCursor
        facets { kinds { value count } categories { value count } }
        hits {
          distanceKm
          listing {
            id title kind direction category origin
            coverPhoto { url srcset width height }
            location { lat lon communeName department }
            organization { id name }
          }
        }
      }
    }
"""
"""The web app's search page document (`frontend/src/search/documents.ts`); JSON escapes its
line breaks, so each body stays on one line."""
FACETS_READ = ("kind", "category")
"""The facets that document reads: the app asks Meilisearch for these only."""


@dataclass(frozen=True)
class SearchCase:
    name: str
    variables: dict[str, Any]
    """The `input` variable, as the web app sends it."""
    query: ListingQuery
    """What the app makes of it, except `near`, which comes from `commune`."""
    commune: str | None = None


CASES = [
    SearchCase(
        "text near a commune",
        {"text": "découpeuse laser", "commune": "Guéret", "radiusKm": 100},
        ListingQuery(text="découpeuse laser", radius_km=100.0),
        commune="Guéret",
    ),
    SearchCase(
        "typo, no accent",
        {"text": "imprimnte 3d resine"},
        ListingQuery(text="imprimnte 3d resine"),
    ),
    SearchCase(
        "English near a commune",
        {"text": "meeting room", "commune": "Lyon", "radiusKm": 50},
        ListingQuery(text="meeting room", radius_km=50.0),
        commune="Lyon",
    ),
    SearchCase(
        "kinds filter",
        {"text": "atelier bois", "kinds": ["PREMISES", "EQUIPMENT"]},
        ListingQuery(text="atelier bois", kinds=(ListingKind.PREMISES, ListingKind.EQUIPMENT)),
    ),
    SearchCase(
        "date window",
        {"text": "menuiserie", "availableFrom": "2026-12-01", "availableUntil": "2027-03-31"},
        ListingQuery(
            text="menuiserie", available_from=date(2026, 12, 1), available_until=date(2027, 3, 31)
        ),
    ),
    SearchCase(
        "empty text, kind and departments",
        {"kinds": ["MATERIAL"], "departments": ["75", "93", "94"]},
        ListingQuery(kinds=(ListingKind.MATERIAL,), departments=("75", "93", "94")),
    ),
]


def graphql_body(case: SearchCase) -> str:
    body = {"query": SEARCH_DOCUMENT, "variables": {"input": case.variables}}
    return json.dumps(body, ensure_ascii=False)


async def resolved(database: Database, case: SearchCase) -> ListingQuery:
    """The case's query with `near` set as the app sets it: the commune's centre."""
    if case.commune is None:
        return case.query
    async with database.session() as session:
        commune = await find_commune(session, case.commune)
    if commune is None or commune.latitude is None or commune.longitude is None:
        raise RuntimeError(f"unknown commune {case.commune!r}")
    return dataclasses.replace(case.query, near=GeoPoint(commune.latitude, commune.longitude))


def meilisearch_body(query: ListingQuery) -> str:
    body = search_body(None, dataclasses.replace(query, facets=FACETS_READ))
    return json.dumps(body, ensure_ascii=False)


async def bodies(database: Database) -> tuple[list[str], list[str]]:
    """GraphQL bodies and Meilisearch bodies, case by case."""
    raw = [meilisearch_body(await resolved(database, case)) for case in CASES]
    return [graphql_body(case) for case in CASES], raw


def check(
    graphql_url: str, meilisearch_url: str, key: str, graphql: list[str], raw: list[str]
) -> list[dict[str, Any]]:
    """Send each case to both targets once; raises unless both find the same listings."""
    found = []
    headers = {"Content-Type": "application/json"}
    as_admin = headers | {"Authorization": f"Bearer {key}"}
    with httpx.Client(timeout=30) as client:
        for case, through_graphql, direct in zip(CASES, graphql, raw, strict=True):
            answer = client.post(graphql_url, content=through_graphql, headers=headers).json()
            if answer.get("errors"):
                raise RuntimeError(f"{case.name}: {answer['errors']}")
            page = answer["data"]["search"]
            ids = [expect_id(hit["listing"]["id"], "Listing") for hit in page["hits"]]
            response = client.post(meilisearch_url, content=direct.encode(), headers=as_admin)
            response.raise_for_status()
            hits = response.json()
            raw_ids = [int(hit["id"]) for hit in hits["hits"]]
            if ids != raw_ids or page["totalHits"] != hits["estimatedTotalHits"]:
                raise RuntimeError(f"{case.name}: GraphQL found {ids}, Meilisearch {raw_ids}")
            found.append({"case": case.name, "hits": len(ids), "total_hits": page["totalHits"]})
    return found
