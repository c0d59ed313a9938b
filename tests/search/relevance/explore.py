"""Run the labelled queries (or an ad-hoc one) against a throwaway Meilisearch, without a database.

    .venv/bin/python -m tests.search.relevance.explore              # the table, as the test prints it
    .venv/bin/python -m tests.search.relevance.explore -q geo-03    # one query's top hits
    .venv/bin/python -m tests.search.relevance.explore -t "laser cutter" --kinds EQUIPMENT
    .venv/bin/python -m tests.search.relevance.explore --set v2            # the v2 tune half
    .venv/bin/python -m tests.search.relevance.explore --set v2 --plain    # Meilisearch defaults
    .venv/bin/python -m tests.search.relevance.explore --set v3            # a round's report ONLY

The v2 set's `held` half is for the final report only: tune on `tune` (`--half held` says so).
The v3 set is held only (every query): run it once at the end of a round, never to tune.
`--plain` indexes with Meilisearch's default settings (only the filterable and sortable attributes
the queries need): no synonyms, no searchable order, default typo tolerance.

A tool for labelling and tuning (synonyms, taxonomy labels); the test itself goes through the
database and the outbox relay. Documents are built by `search.listings_index.listing_document`
and the index gets `search.listings_index.SETTINGS`, so the ranking is the same.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.models import (
    Listing,
    Organization,
    OrganizationKind,
    Sector,
)
from core.services.communes import fold
from core.services.taxonomy import labels
from core.settings import PROJECT_ROOT
from search.client import SearchClient
from search.listings_index import LISTINGS, SETTINGS, listing_document
from search.listings_search import GeoPoint, search_listings
from search.matching import match_query
from search.server import MeilisearchServer
from tests.search.relevance import evaluation

HELD_WARNING = """
!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
!!  HELD HALF: for the final report only. Do not tune on it, do not read its misses to fix  !!
!!  synonyms or rules: every look makes it less of a held-out measure. Use --half tune.     !!
!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
"""
V3_WARNING = """
!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
!!  v3 SET: held only, for the final report of a round. Nobody tunes on it: do not read its  !!
!!  misses to change vocabulary, spelling or settings. Tune on v2 (--set v2 --half both).    !!
!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
"""


def build_listing(number: int, row: dict[str, Any], organization_id: int) -> Listing:
    return evaluation.corpus_listing(
        row, organization_id=organization_id, id=number, created_at=datetime(2026, 1, 1, tzinfo=UTC)
    )


def plain_settings() -> dict[str, Any]:
    """Meilisearch out of the box, plus what the filters and the geo sort cannot do without."""
    return {key: SETTINGS[key] for key in ("filterableAttributes", "sortableAttributes")}


def specs_of(arguments: argparse.Namespace) -> list[dict[str, Any]]:
    if arguments.set == "v1":
        specs = evaluation.queries()
    elif arguments.set == "v3":
        print(V3_WARNING)
        specs = evaluation.queries_v3()
    else:
        if arguments.half == "held":
            print(HELD_WARNING)
        specs = evaluation.queries_v2(None if arguments.half == "both" else arguments.half)
    if arguments.query:
        specs = [s for s in specs if s["id"] in arguments.query.split(",")]
    return specs


def n_of(organization: Organization) -> int:
    assert organization.id is not None
    return organization.id


def communes() -> dict[str, tuple[float, float]]:
    """Folded name or INSEE code -> centroid, the most populous commune of a name first."""
    found: dict[str, tuple[int, float, float]] = {}
    with (PROJECT_ROOT / "data" / "communes.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if not row["lat"]:
                continue
            point = (int(row["population"] or 0), float(row["lat"]), float(row["lon"]))
            found[row["code_insee"]] = point
            key = fold(row["nom"])
            if key not in found or found[key][0] < point[0]:
                found[key] = point
    return {k: (v[1], v[2]) for k, v in found.items()}


def near_of(spec: dict[str, Any], places: dict[str, tuple[float, float]]) -> GeoPoint | None:
    filters = spec.get("filters", {})
    if "near" in filters:
        return GeoPoint(filters["near"]["lat"], filters["near"]["lon"])
    if "commune" in filters:
        lat, lon = places[fold(filters["commune"])]
        return GeoPoint(lat, lon)
    return None


async def main(arguments: argparse.Namespace) -> None:
    rows = evaluation.corpus()
    by_key = {row["key"]: row for row in rows}
    organizations = {
        owner: Organization(
            id=n, name=f"Owner {n}", kind=OrganizationKind.TIERS_LIEU, sector=Sector.PRIVATE
        )
        for n, owner in enumerate(evaluation.owners(rows), start=1)
    }
    listings = {
        row["key"]: build_listing(n, row, n_of(organizations[row["owner"]]))
        for n, row in enumerate(rows, start=1)
    }
    documents = [
        listing_document(listings[row["key"]], organizations[row["owner"]], labels(row["category"]))
        for row in rows
    ]
    key_of = {n: row["key"] for n, row in enumerate(rows, start=1)}
    places = communes()
    with tempfile.TemporaryDirectory(prefix="relevance-") as folder:
        server = MeilisearchServer(data_dir=Path(folder))
        server.start()
        client = SearchClient(server.url, server.master_key)
        try:
            await client.create_index(LISTINGS, plain_settings() if arguments.plain else SETTINGS)
            await client.wait_for_task(await client.add_documents(LISTINGS, documents), timeout=120)
            if arguments.text is not None:
                filters: dict[str, Any] = {}
                if arguments.kinds:
                    filters["kinds"] = arguments.kinds.split(",")
                if arguments.direction:
                    filters["direction"] = arguments.direction
                if arguments.commune:
                    filters["commune"] = arguments.commune
                    filters["radiusKm"] = arguments.radius
                specs = [
                    {
                        "id": "adhoc",
                        "category": "adhoc",
                        "text": arguments.text,
                        "filters": filters,
                        "relevant": [],
                    }
                ]
            else:
                specs = specs_of(arguments)
            outcomes = []
            for spec in specs:
                near = near_of(spec, places)
                if "source" in spec:  # a v2 request->offer case: the query Listing.matches runs
                    match = match_query(
                        listings[spec["source"]], None, arguments.limit, evaluation.MATCH_TODAY
                    )
                    query = match if match is not None else evaluation.listing_query(spec, None)
                else:
                    query = evaluation.listing_query(spec, near, limit=arguments.limit)
                page = await search_listings(client, None, query)
                returned = [key_of[hit.id] for hit in page.hits]
                outcome = evaluation.score(spec, returned)
                evaluation.check_radius(outcome, near, by_key, len(returned))
                evaluation.count_crowding(outcome, by_key)
                outcomes.append(outcome)
                if arguments.text is not None or arguments.query:
                    print(
                        f"== {spec['id']} {spec['text']!r} {spec.get('filters', {})} total={page.total_hits}"
                    )
                    print(
                        f"   P@5={outcome.precision_at_5:.2f} R@10={outcome.recall_at_10:.2f} outside={outcome.outside_radius}"
                    )
                    for hit in page.hits:
                        row = by_key[key_of[hit.id]]
                        mark = "+" if row["key"] in spec["relevant"] else " "
                        distance = (
                            f"{hit.distance_km:6.1f}km" if hit.distance_km is not None else ""
                        )
                        print(
                            f"   {mark} {hit.score:.3f} {row['kind'][:4]} {row['direction'][:3]} {row['category']!s:<16} {row['title'][:70]:<70} {row['commune_name']} {distance} [{row['key']}]"
                        )
                    missing = [k for k in spec["relevant"] if k not in returned[:10]]
                    for key in missing[:15]:
                        print(f"   missed: {by_key[key]['title'][:80]} [{key}]")
            if arguments.text is None and not arguments.query:
                if arguments.set != "v3":  # v3: its class means only, never its misses
                    print(evaluation.table(outcomes, by_key))
                if arguments.set == "v2":
                    print(evaluation.halves_table(outcomes))
                    if arguments.half in ("held", "both"):
                        print(HELD_WARNING)
                if arguments.set == "v3":
                    print(evaluation.halves_table(outcomes))
                    print(V3_WARNING)
        finally:
            await client.close()
            server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-q", "--query", help="labelled query ids, comma-separated")
    parser.add_argument("-t", "--text", help="an ad-hoc query text")
    parser.add_argument("--kinds")
    parser.add_argument("--direction")
    parser.add_argument("--commune")
    parser.add_argument("--radius", type=float, default=30.0)
    parser.add_argument("--limit", type=int, default=10)
    parser.add_argument("--set", choices=["v1", "v2", "v3"], default="v1")
    parser.add_argument("--half", choices=["tune", "held", "both"], default="tune")
    parser.add_argument("--plain", action="store_true", help="Meilisearch's default settings")
    asyncio.run(main(parser.parse_args()))
