"""`Listing.matches` of a whole page goes to Meilisearch as one multi-search, and search calls are
bounded in time and in number per request (issue 13, item 2).

Meilisearch is the real one; its calls are counted by wrapping the client's search call.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from api.app import create_app
from core.db import Database
from core.models import Direction, Listing
from core.settings import Settings
from schema.relay import to_global_id
from search.client import SearchClient
from search.listings_search import search_listings
from search.matching import match_query
from tests.factories import make_listing, make_organization
from tests.graphql import GraphQLClient
from tests.search.conftest import index_now

PAGE = """
{ listings(first: 20) { edges { node { id matches(first: 5) { score listing { id } } } } } }
"""
ONE = """
query($id: ID!) { node(id: $id) { ... on Listing { matches(first: 5) { score listing { id } } } } }
"""
FAN_OUT = """
{ listings(first: 20) { edges { node { matches(first: 20) { listing {
    matches(first: 10) { listing { id } } } } } } } }
"""
SEARCHES = (
    "{ "
    + " ".join(f'a{i}: search(input: {{text: "perceuse {i}"}}) {{ totalHits }}' for i in range(6))
    + " }"
)
TOOLS = ["perceuse", "scie", "ponceuse", "visseuse", "meuleuse"]


class Counting(SearchClient):
    """The real client, counting its search calls by path and the most in flight at once."""

    def __init__(self, url: str, api_key: str | None) -> None:
        super().__init__(url, api_key)
        self.paths: list[str] = []
        self.in_flight = 0
        self.most_in_flight = 0

    async def _search(self, path: str, body: dict[str, Any]) -> Any:
        self.paths.append(path)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            return await super()._search(path, body)
        finally:
            self.in_flight -= 1

    def searches(self) -> list[str]:
        return [p for p in self.paths if p == "/multi-search" or p.endswith("/search")]


@dataclass
class Counted:
    api: GraphQLClient
    calls: Counting
    client: SearchClient
    rows: list[Listing] = field(default_factory=list)


async def counted_api(
    settings: Settings, database: Database, search_client: SearchClient, **changes: Any
) -> AsyncIterator[Counted]:
    calls = counted = Counting(search_client.url, search_client.api_key)
    app = create_app(settings.model_copy(update=changes), database, search=counted)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield Counted(GraphQLClient(http), calls, counted)
    await counted.close()


@pytest.fixture
async def twenty_listings(
    session: AsyncSession, database: Database, search_client: SearchClient
) -> list[Listing]:
    """Ten offers and ten requests of tools around Guéret, by three organizations, indexed."""
    lenders = [await make_organization(session), await make_organization(session)]
    askers = await make_organization(session)
    rows = []
    for index in range(20):
        offer = index % 2 == 0
        rows.append(
            await make_listing(
                session,
                lenders[index % 4 // 2] if offer else askers,
                direction=Direction.OFFER if offer else Direction.REQUEST,
                title=f"{TOOLS[index % 5].capitalize()} {'à prêter' if offer else 'cherchée'}",
                tags=[TOOLS[(index + 1) % 5]],
                latitude=46.17 + index / 1000,
                longitude=1.87 + index / 1000,
                available_from=date(2026, 1, 1),
            )
        )
    await session.commit()
    await index_now(database, search_client)
    return rows


@pytest.fixture
async def counted(
    settings: Settings, database: Database, search_client: SearchClient
) -> AsyncIterator[Counted]:
    async for one in counted_api(settings, database, search_client):
        yield one


async def test_the_matches_of_a_page_are_one_multi_search_with_the_same_answers(
    counted: Counted, twenty_listings: list[Listing], search_client: SearchClient
) -> None:
    began = time.process_time()
    data = await counted.api.execute(PAGE)
    cpu = time.process_time() - began
    calls = counted.calls.searches()
    print(f"\nmatches of 20 listings: {len(calls)} call(s), {cpu * 1000:.1f} ms CPU")

    assert calls == ["/multi-search"]
    nodes = [edge["node"] for edge in data["listings"]["edges"]]
    assert len(nodes) == 20
    assert sum(len(node["matches"]) for node in nodes) >= 20  # something to compare
    for node in nodes:
        alone = await counted.api.execute(ONE, {"id": node["id"]})
        assert alone["node"]["matches"] == node["matches"]
    by_id = {to_global_id("Listing", row.id or 0): row for row in twenty_listings}
    for node in nodes:  # the one-search path of search/, as `matches` ran before
        query = match_query(by_id[node["id"]], None, 5)
        assert query is not None
        page = await search_listings(search_client, None, query)
        expected = [to_global_id("Listing", hit.id) for hit in page.hits]
        assert [match["listing"]["id"] for match in node["matches"]] == expected


async def test_a_fan_out_of_matches_costs_one_multi_search_per_level(
    counted: Counted, twenty_listings: list[Listing]
) -> None:
    """`listings → matches → listing → matches` (within GRAPHQL_MAX_COST): one call per level (each of at most 100
    queries, the same query asked twice is asked once), where each listing's `matches` used to
    be a search of its own."""
    began = time.process_time()
    data = await counted.api.execute(FAN_OUT)
    cpu = time.process_time() - began

    inner = [
        match
        for edge in data["listings"]["edges"]
        for match in edge["node"]["matches"]
        for match in match["listing"]["matches"]
    ]
    calls = counted.calls.searches()
    print(f"\nfan-out: {len(calls)} Meilisearch calls, {len(inner)} items, {cpu * 1000:.1f} ms CPU")
    assert inner, "the fan-out found nothing: the test measures nothing"
    assert calls == ["/multi-search", "/multi-search"]


async def test_one_request_has_at_most_its_share_of_searches_in_flight(
    settings: Settings, database: Database, search_client: SearchClient
) -> None:
    async for limited in counted_api(
        settings, database, search_client, search_max_concurrent_per_request=2
    ):
        data = await limited.api.execute(SEARCHES)
        assert len(data) == 6
        assert len(limited.calls.searches()) == 6
        assert limited.calls.most_in_flight == 2


@pytest.fixture
async def silent_meilisearch() -> AsyncIterator[str]:
    """A loopback server that accepts connections and never answers."""
    held: list[asyncio.StreamWriter] = []

    async def hold(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    for writer in held:
        writer.close()
    server.close()


async def test_a_search_that_takes_too_long_answers_search_unavailable(
    settings: Settings,
    database: Database,
    silent_meilisearch: str,
    twenty_listings: list[Listing],
) -> None:
    silent = SearchClient(silent_meilisearch, None, search_timeout=0.3)
    app = create_app(settings, database, search=silent)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        api = GraphQLClient(http)
        for query in (SEARCHES, PAGE):
            began = time.monotonic()
            errors = await api.errors(query)
            elapsed = time.monotonic() - began
            assert {e["extensions"]["code"] for e in errors} == {"SEARCH_UNAVAILABLE"}, errors
            assert "within 0.3 s" in errors[0]["extensions"]["reason"]
            assert elapsed < 2.0, elapsed
    await silent.close()
