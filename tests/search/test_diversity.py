"""Varied first pages (`search/diversity.py`) against the real Meilisearch."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from core.db import Database
from core.models import Direction, Listing, Organization
from schema.relay import to_global_id
from search.client import SearchClient
from search.diversity import FIRST_PAGE, PER_GROUP, WINDOW, rerank
from search.listings_search import ListingQuery, search_listings, search_listings_many
from tests.factories import make_listing, make_organization
from tests.graphql import GraphQLClient
from tests.search.conftest import index_now
from tests.search.test_matching import MATCHES

LOT = "Lot de palettes Europe"
QUERY = "palettes europe"


async def _five_lots_and_others(
    session: AsyncSession, others: int = 20
) -> tuple[Organization, list[Listing], list[Listing]]:
    """Five identical lots of one owner that rank first for `QUERY`, and `others` weaker matches
    of four other owners (each its own title)."""
    owner = await make_organization(session, name="Ressourcerie du Bâtiment")
    lots = [
        await make_listing(session, owner, title=LOT, description="Palettes Europe 80×120")
        for _ in range(5)
    ]
    rivals = [await make_organization(session) for _ in range(4)]
    weaker = [
        await make_listing(session, rivals[i % 4], title=f"Palettes bois n°{i}")
        for i in range(others)
    ]
    await session.commit()
    return owner, lots, weaker


async def _pages(client: SearchClient, query: ListingQuery, size: int) -> tuple[list[int], int]:
    """Every id of the search, page by page of `size`, and the total each page reported."""
    ids: list[int] = []
    totals = set()
    for offset in range(0, 3 * WINDOW, size):
        page = await search_listings(client, None, replace(query, limit=size, offset=offset))
        totals.add(page.total_hits)
        ids += [hit.id for hit in page.hits]
    assert len(totals) == 1
    return ids, totals.pop()


async def test_at_most_two_lots_of_one_owner_on_the_first_page_and_the_others_next(
    session: AsyncSession, database: Database, search_client: SearchClient
) -> None:
    _, lots, weaker = await _five_lots_and_others(session)
    await index_now(database, search_client)
    lot_ids = {lot.id for lot in lots}
    plain = await search_client.search(
        "listings", {"q": QUERY, "limit": 5, "attributesToRetrieve": ["id"]}
    )
    assert {hit["id"] for hit in plain["hits"]} == lot_ids  # Meilisearch alone: all five first

    first = await search_listings(search_client, None, ListingQuery(text=QUERY, limit=FIRST_PAGE))
    second = await search_listings(
        search_client, None, ListingQuery(text=QUERY, limit=FIRST_PAGE, offset=FIRST_PAGE)
    )

    first_ids = [hit.id for hit in first.hits]
    assert first_ids[:2] == [hit["id"] for hit in plain["hits"][:2]]
    assert len(first_ids) == FIRST_PAGE
    assert sum(i in lot_ids for i in first_ids) == PER_GROUP
    assert lot_ids - set(first_ids) <= {hit.id for hit in second.hits}
    assert [hit.id for hit in second.hits][:3] == [hit["id"] for hit in plain["hits"][2:5]]
    everything = first_ids + [hit.id for hit in second.hits]
    assert Counter(everything) == Counter({x.id: 1 for x in [*lots, *weaker]})
    assert first.total_hits == second.total_hits == len(lots) + len(weaker)


async def test_any_page_size_cuts_the_same_order_with_nothing_lost_or_repeated(
    session: AsyncSession, database: Database, search_client: SearchClient
) -> None:
    _, lots, weaker = await _five_lots_and_others(session, others=70)  # past the window
    await index_now(database, search_client)
    query = ListingQuery(text=QUERY, facets=())

    by_twenty, total = await _pages(search_client, query, FIRST_PAGE)
    by_seven, _ = await _pages(search_client, query, 7)
    by_hundred, _ = await _pages(search_client, query, 100)

    assert total == len(lots) + len(weaker)
    assert by_seven == by_twenty == by_hundred
    assert sorted(by_twenty) == sorted(x.id or 0 for x in [*lots, *weaker])
    assert sum(i in {lot.id for lot in lots} for i in by_twenty[:FIRST_PAGE]) == PER_GROUP


async def test_a_query_that_names_them_keeps_them_all_first(
    session: AsyncSession, database: Database, search_client: SearchClient
) -> None:
    owner, lots, _ = await _five_lots_and_others(session)
    await index_now(database, search_client)
    lot_ids = {lot.id for lot in lots}
    assert owner.id is not None

    by_title = await search_listings(
        search_client, None, ListingQuery(text="lot de Palettes, EUROPE", limit=5)
    )
    by_owner = await search_listings(
        search_client, None, ListingQuery(text=QUERY, organization_ids=(owner.id,), limit=5)
    )

    assert {hit.id for hit in by_title.hits} == lot_ids
    assert {hit.id for hit in by_owner.hits} == lot_ids


SEARCH = """
query($input: SearchInput!) {
  search(input: $input) { totalHits endCursor hits { listing { id title } } }
}
"""


async def test_query_search_pages_are_varied_and_complete(
    search_api: GraphQLClient,
    session: AsyncSession,
    database: Database,
    search_client: SearchClient,
) -> None:
    _, lots, weaker = await _five_lots_and_others(session)
    await index_now(database, search_client)

    first = (await search_api.execute(SEARCH, {"input": {"text": QUERY}}))["search"]
    after = first["endCursor"]
    second = (await search_api.execute(SEARCH, {"input": {"text": QUERY, "after": after}}))[
        "search"
    ]

    first_titles = [hit["listing"]["title"] for hit in first["hits"]]
    assert first_titles[:2] == [LOT, LOT]
    assert first_titles.count(LOT) == PER_GROUP
    assert [hit["listing"]["title"] for hit in second["hits"]][:3] == [LOT] * 3
    ids = [hit["listing"]["id"] for page in (first, second) for hit in page["hits"]]
    assert sorted(ids) == sorted(to_global_id("Listing", x.id or 0) for x in [*lots, *weaker])
    assert first["totalHits"] == second["totalHits"] == 25
    assert second["endCursor"] is None


def test_the_rerank_moves_only_the_excess_of_a_group_and_only_inside_the_window() -> None:
    hits: list[dict[str, Any]] = [
        {"id": i, "organization_id": 1, "title": "Même lot"} for i in range(4)
    ] + [{"id": 10 + i, "organization_id": 2 + i, "title": f"Autre {i}"} for i in range(WINDOW)]

    order = [hit["id"] for hit in rerank(hits, "")]

    assert order[:3] == [0, 1, 10]
    assert order[FIRST_PAGE : FIRST_PAGE + 2] == [2, 3]
    assert order[WINDOW:] == [hit["id"] for hit in hits[WINDOW:]]
    assert sorted(order) == sorted(hit["id"] for hit in hits)


async def test_the_matches_of_a_request_show_two_identical_lots_and_other_owners(
    search_api: GraphQLClient,
    session: AsyncSession,
    database: Database,
    search_client: SearchClient,
) -> None:
    await _five_lots_and_others(session, others=8)
    asker = await make_organization(session)
    request = await make_listing(
        session, asker, direction=Direction.REQUEST, title="Cherche palettes Europe"
    )
    await session.commit()
    await index_now(database, search_client)

    data = await search_api.execute(MATCHES, {"id": to_global_id("Listing", request.id or 0)})

    titles = [m["listing"]["title"] for m in data["node"]["matches"]]
    assert len(titles) == 10
    assert titles[:2] == [LOT, LOT]
    assert titles.count(LOT) == PER_GROUP


async def test_a_short_first_page_crowded_by_duplicates_asks_for_the_whole_window(
    session: AsyncSession, database: Database, search_client: SearchClient
) -> None:
    owner, _, _ = await _five_lots_and_others(session, others=4)
    for _ in range(7):  # twelve identical lots: they fill the three-times prefix of a page of 3
        await make_listing(session, owner, title=LOT, description="Palettes Europe 80×120")
    await session.commit()
    await index_now(database, search_client)
    calls: list[int] = []
    search = search_client._search

    async def counted(path: str, body: dict[str, object]) -> object:
        calls.append(1)
        return await search(path, body)

    search_client._search = counted  # type: ignore[method-assign]
    full = await search_listings(search_client, None, ListingQuery(text=QUERY, limit=FIRST_PAGE))
    short = await search_listings(search_client, None, ListingQuery(text=QUERY, limit=3))
    many = await search_listings_many(
        search_client, None, [ListingQuery(text=QUERY, limit=3), ListingQuery(text="bois", limit=3)]
    )

    assert calls == [1, 1, 1, 1, 1]  # the page of 20 once; each short one twice (one multi)
    assert [hit.id for hit in short.hits] == [hit.id for hit in full.hits[:3]]
    assert [hit.id for hit in many[0].hits] == [hit.id for hit in full.hits[:3]]
    assert len(many[1].hits) == 3
