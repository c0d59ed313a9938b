"""Relevance of search over a corpus built from real open data, with labelled queries.

The corpus (`relevance/corpus.jsonl`, 1,582 listings: fablab machines at their labs, public vacant
sites, rooms of tiers-lieux, ROME skills, reuse materials) goes into the real database inside the
test's transaction, through the outbox and the relay into a real Meilisearch; every labelled query
(`relevance/queries.jsonl`) then runs through `search_listings`, the code path of `Query.search`.
Then the v2 set (`relevance/queries_v2.jsonl`, labelled from the rows' source facts, split into a
`tune` and a `held` half) runs over the same index, request->offer cases through `match_query`.
Then the v3 set (`relevance/queries_v3.jsonl`, held only, written after v2 was used): its class
means only are printed, never its queries, so nobody tunes on its misses.
How the corpus and the labels were made, and the measured values, are in `relevance/README.md`.

On failure the per-query table is printed (worst first); `pytest -rP` prints it on success too.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.db import Database
from core.models import (
    Listing,
    Organization,
    OrganizationKind,
    OutboxEvent,
    OutboxTopic,
    Sector,
)
from core.services.communes import find_commune
from search.client import SearchClient
from search.listings_search import GeoPoint, search_listings
from search.matching import match_query
from tests.factories import make_organization
from tests.search.conftest import index_now
from tests.search.relevance import evaluation

# Floors: the values measured (relevance/README.md) minus a margin. Overall: P@5 0.950 and R@10
# 0.959 measured; the floors allow about three queries of 105 to fail outright (3/105 = 0.029).
# They fail with the synonyms the project had before this set (P@5 0.887, R@10 0.905).
FLOORS = {"precision_at_5": 0.92, "recall_at_10": 0.93}
# By category, on (P@5 + R@10) / 2: the measured value minus 1/n, so one query of the category
# may fail outright but not two. Measured: exact_fr 1.000, typo 0.900, accents 0.950,
# english 0.973, synonyms 1.000, geo 0.996, dates 1.000, kind_dir 0.989, hard 0.664.
CATEGORY_FLOORS = {
    "exact_fr": 0.91,
    "typo": 0.80,
    "accents": 0.85,
    "english": 0.93,
    "synonyms": 0.90,
    "geo": 0.91,
    "dates": 0.83,
    "kind_dir": 0.87,
    "hard": 0.52,
}
# The v2 set (relevance/queries_v2.jsonl, README "v2 set"): floors per half, the values measured
# with issue 15's search (vocabulary, spelling, diversity) minus a margin. Its tune half was tuned
# on; its held half was measured once (0.894 / 0.897) and then tuned on too (second round), so
# neither half is untouched any more: the v3 set is (below).
# Each half's means: measured minus 0.02 (about 4 of ~230 queries failing outright). Measured:
# tune P@5 0.948 R@10 0.958, held P@5 0.931 R@10 0.930; matches' P@5: tune 0.938, held 1.000.
# Before issue 15: tune 0.857/0.862, held 0.849/0.849.
V2_FLOORS: dict[str, dict[str, float]] = {
    "tune": {"precision_at_5": 0.93, "recall_at_10": 0.94, "match_precision_at_5": 0.89},
    "held": {"precision_at_5": 0.91, "recall_at_10": 0.91, "match_precision_at_5": 0.95},
}
# Each class of each half, on (P@5 + R@10) / 2: measured minus 1/n (one query may fail outright).
V2_CLASS_FLOORS: dict[str, dict[str, float]] = {
    "tune": {
        "category": 0.82,
        "concept": 0.84,
        "dates": 0.93,
        "english": 0.88,
        "exact_fr": 0.91,
        "kind_dir": 0.94,
        "radius": 0.96,
        "typo": 0.91,
    },
    "held": {
        "category": 0.77,
        "concept": 0.80,
        "dates": 0.89,
        "english": 0.88,
        "exact_fr": 0.94,
        "kind_dir": 0.92,
        "radius": 0.93,
        "typo": 0.89,
    },
}
# The v3 set (relevance/queries_v3.jsonl, README "v3 set"): held only, written apart from the
# vocabulary and never tuned on. Measured once with the final search of issue 15: P@5 0.767,
# R@10 0.775 (before issue 15: 0.685 / 0.689). Floors: the means minus 0.02, each class's
# (P@5 + R@10) / 2 minus 1/n.
V3_FLOORS = {"precision_at_5": 0.745, "recall_at_10": 0.755}
V3_CLASS_FLOORS = {
    "category": 0.60,
    "concept": 0.49,
    "dates": 0.77,
    "english": 0.57,
    "exact_fr": 0.80,
    "kind_dir": 0.77,
    "match": 0.94,
    "radius": 0.81,
    "typo": 0.84,
}
GEO_HITS = 1_000  # geographic queries are checked on every hit, not only the first 10

OWNERS = {
    "fablab": OrganizationKind.TIERS_LIEU,
    "cartofriches": OrganizationKind.COLLECTIVITE,
    "tierslieux": OrganizationKind.TIERS_LIEU,
    "rome": OrganizationKind.ASSOCIATION,
    "material": OrganizationKind.ASSOCIATION,
}


def _owner(key: str) -> str:
    prefix = key.split(":", 1)[0]
    return next(name for name in OWNERS if prefix.startswith(name))


async def load_corpus(session: AsyncSession, rows: list[dict[str, Any]]) -> dict[int, str]:
    """Insert the corpus as published public listings, with their outbox events; id -> key.

    One organization per owner of the corpus (a lab, a public owner, a tiers-lieu), of the kind
    its source says: matching leaves out the asking organization's listings, and the diversity
    rule counts results per owner."""
    kind_of = {row["owner"]: OWNERS[_owner(row["key"])] for row in rows}
    organizations = {
        owner: Organization(
            name=f"Corpus owner {n}",
            kind=kind_of[owner],
            sector=Sector.PUBLIC
            if kind_of[owner] == OrganizationKind.COLLECTIVITE
            else Sector.PRIVATE,
        )
        for n, owner in enumerate(evaluation.owners(rows), start=1)
    }
    session.add_all(organizations.values())
    await session.flush()
    ids = {owner: organization.id for owner, organization in organizations.items()}
    assert None not in ids.values()
    listings = [evaluation.corpus_listing(row, ids[row["owner"]] or 0) for row in rows]
    session.add_all(listings)
    await session.flush()
    session.add_all(
        OutboxEvent(topic=OutboxTopic.LISTING, entity_id=listing.id)
        for listing in listings
        if listing.id is not None
    )
    await session.commit()
    return {listing.id: listing.ref for listing in listings if listing.id and listing.ref}


def _write(path: Path, report: str) -> None:
    path.write_text(report + "\n", encoding="utf-8")


async def near_of(session: AsyncSession, spec: dict[str, Any]) -> GeoPoint | None:
    """A point, or a commune resolved as `Query.search` resolves it."""
    filters = spec.get("filters", {})
    if "near" in filters:
        return GeoPoint(filters["near"]["lat"], filters["near"]["lon"])
    if "commune" in filters:
        commune = await find_commune(session, filters["commune"])
        assert commune is not None, spec
        assert commune.latitude is not None
        assert commune.longitude is not None
        return GeoPoint(commune.latitude, commune.longitude)
    return None


async def run_queries(
    session: AsyncSession,
    client: SearchClient,
    specs: list[dict[str, Any]],
    key_of: dict[int, str],
    by_key: dict[str, dict[str, Any]],
) -> list[evaluation.Outcome]:
    """Each query through `search_listings` (a v2 request->offer case through `match_query`, as
    `Listing.matches` runs it); radius queries are checked on every hit, not only the first 10."""
    outcomes = []
    for spec in specs:
        if "source" in spec:
            source = (
                await session.exec(select(Listing).where(Listing.ref == spec["source"]))
            ).one()
            query = match_query(source, None, 10, evaluation.MATCH_TODAY)
            assert query is not None, spec["id"]
            page = await search_listings(client, None, query)
            outcomes.append(evaluation.score(spec, [key_of[hit.id] for hit in page.hits]))
            evaluation.count_crowding(outcomes[-1], by_key)
            continue
        near = await near_of(session, spec)
        page = await search_listings(client, None, evaluation.listing_query(spec, near, limit=10))
        outcome = evaluation.score(spec, [key_of[hit.id] for hit in page.hits])
        if near is not None and "radiusKm" in spec.get("filters", {}):
            everything = await search_listings(
                client, None, evaluation.listing_query(spec, near, limit=GEO_HITS)
            )
            checked = evaluation.Outcome(spec, [key_of[hit.id] for hit in everything.hits])
            evaluation.check_radius(checked, near, by_key, len(checked.returned))
            outcome.outside_radius = checked.outside_radius
        evaluation.count_crowding(outcome, by_key)
        outcomes.append(outcome)
    return outcomes


async def test_relevance_of_labelled_queries_over_the_real_data_corpus(
    session: AsyncSession, database: Database, search_client: SearchClient
) -> None:
    rows = evaluation.corpus()
    by_key = {row["key"]: row for row in rows}
    key_of = await load_corpus(session, rows)
    await index_now(database, search_client)
    assert await search_client.document_count("listings") == len(rows)

    outcomes = await run_queries(session, search_client, evaluation.queries(), key_of, by_key)
    v2 = await run_queries(session, search_client, evaluation.queries_v2(), key_of, by_key)
    v3 = await run_queries(session, search_client, evaluation.queries_v3(), key_of, by_key)
    report = evaluation.table(outcomes, by_key)
    # The held half's queries are not printed one by one: read its means, never its misses.
    report_v2 = "\n".join(
        [
            "== v2 set, tune half, by query",
            evaluation.table([o for o in v2 if o.half == "tune"], by_key),
            "== v2 set, both halves, by class",
            evaluation.halves_table(v2),
            "== v3 set (held only), by class",
            evaluation.halves_table(v3),
        ]
    )
    print(report)
    print(report_v2)
    if path := os.environ.get("RELEVANCE_REPORT"):
        _write(Path(path), report + "\n\n" + report_v2)
    means = evaluation.summary(outcomes)
    _, precision, recall, _ = means["ALL"]
    outside = {o.id: o.outside_radius for o in outcomes + v2 + v3 if o.outside_radius}
    answered_nothing = [o.id for o in outcomes if not o.spec["relevant"] and o.returned]

    assert not outside, f"listings outside the radius: {outside}\n{report}"
    assert not answered_nothing, f"should find nothing: {answered_nothing}\n{report}"
    assert precision >= FLOORS["precision_at_5"], f"mean precision@5 {precision:.3f}\n{report}"
    assert recall >= FLOORS["recall_at_10"], f"mean recall@10 {recall:.3f}\n{report}"
    for category, floor in CATEGORY_FLOORS.items():
        _, p, r, _ = means[category]
        assert (p + r) / 2 >= floor, f"{category}: P@5 {p:.3f} R@10 {r:.3f}\n{report}"
    assert v2_below_floors(v2) == [], report_v2
    # No first page holds more than two lots of one owner with one title (search/diversity.py).
    assert [o.spec["id"] for o in v2 if o.crowded] == [], report_v2
    # v3: its ids of crowded pages or failed floors name no miss (they are read, not tuned on).
    assert [o.spec["id"] for o in v3 if o.crowded] == [], evaluation.halves_table(v3)
    assert v3_below_floors(v3) == [], evaluation.halves_table(v3)
    # Then the matching cases (relevance/matches.jsonl), over the same indexed corpus.
    assert await match_case_misses(session, database, search_client, key_of) == {}


def v2_below_floors(outcomes: list[evaluation.Outcome]) -> list[str]:
    """Each half's means, its classes' (P@5 + R@10) / 2 and its matches' P@5, against V2_FLOORS."""
    below = []
    for half in ("tune", "held"):
        means = evaluation.summary([o for o in outcomes if o.half == half])
        _, p, r, _ = means["ALL"]
        if p < V2_FLOORS[half]["precision_at_5"] or r < V2_FLOORS[half]["recall_at_10"]:
            below.append(f"{half}: P@5 {p:.3f} R@10 {r:.3f}")
        if means["match"][1] < V2_FLOORS[half]["match_precision_at_5"]:
            below.append(f"{half} match: P@5 {means['match'][1]:.3f}")
        for name, floor in V2_CLASS_FLOORS[half].items():
            _, p, r, _ = means[name]
            if (p + r) / 2 < floor:
                below.append(f"{half} {name}: P@5 {p:.3f} R@10 {r:.3f} < {floor}")
    return below


def v3_below_floors(outcomes: list[evaluation.Outcome]) -> list[str]:
    """The v3 set's means and each class's (P@5 + R@10) / 2, against V3_FLOORS."""
    means = evaluation.summary(outcomes)
    below = []
    _, p, r, _ = means["ALL"]
    if p < V3_FLOORS["precision_at_5"] or r < V3_FLOORS["recall_at_10"]:
        below.append(f"v3: P@5 {p:.3f} R@10 {r:.3f}")
    for name, floor in V3_CLASS_FLOORS.items():
        _, p, r, _ = means[name]
        if (p + r) / 2 < floor:
            below.append(f"v3 {name}: P@5 {p:.3f} R@10 {r:.3f} < {floor}")
    return below


async def match_case_misses(
    session: AsyncSession, database: Database, client: SearchClient, key_of: dict[int, str]
) -> dict[str, Any]:
    """Add each matching case's listings to the indexed corpus and run `Listing.matches`' query
    for each listing with an expectation: returns what each one missed or had wrongly."""
    today = datetime.now(UTC).date()
    misses: dict[str, Any] = {}
    for case in evaluation.match_cases():
        owners: dict[str, int] = {}
        for row in case["listings"]:
            owner = row["key"].split(":")[1].split("-")[0]
            if owner not in owners:
                organization = await make_organization(session, f"Match {case['id']} {owner}")
                assert organization.id is not None
                owners[owner] = organization.id
            listing = evaluation.corpus_listing(evaluation.with_days(row, today), owners[owner])
            session.add(listing)
            await session.flush()
            assert listing.id is not None
            key_of[listing.id] = row["key"]
            session.add(OutboxEvent(topic=OutboxTopic.LISTING, entity_id=listing.id))
        await session.commit()
        await index_now(database, client)
        for key, expected in case["expect"].items():
            source = (await session.exec(select(Listing).where(Listing.ref == key))).one()
            query = match_query(source, case["radiusKm"], 10, today)
            page = None if query is None else await search_listings(client, None, query)
            found = [] if page is None else [key_of[hit.id] for hit in page.hits]
            if not set(expected) <= set(found) or (not expected and found):
                misses[key] = {"expected": expected, "found": found}
    return misses
