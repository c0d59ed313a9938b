"""New settings reach the index with no search downtime: by `reindex` (a new index with the code's
settings, swapped in) and at start by `ensure_indexes` (in place). Real Meilisearch."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import update
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.search_runtime import SearchRuntime
from core.db import Database
from core.models import Listing, Organization, OutboxEvent
from core.settings import Settings
from search import indexing
from search.client import SearchClient
from search.indexing import ensure_indexes, reindex, stale_settings
from search.listings_index import LISTINGS, SETTINGS
from search.listings_search import ListingQuery, search_listings
from search.server import MeilisearchServer
from tests.factories import make_listing, make_organization
from tests.search.conftest import index_now

LISTED = 400
NEW_WORD = "zorglub"


@pytest.fixture
def new_synonym(monkeypatch: pytest.MonkeyPatch) -> None:
    """The code's listings settings with one synonym more, as a deploy would bring them."""
    synonyms = {**SETTINGS["synonyms"], NEW_WORD: ["palettes"]}
    monkeypatch.setitem(indexing.INDEXES, LISTINGS, {**SETTINGS, "synonyms": synonyms})


@pytest.fixture
async def restored_settings(search_client: SearchClient) -> AsyncIterator[None]:
    """The index keeps what a test applied: give it back the code's settings after."""
    yield
    await search_client.create_index(LISTINGS, SETTINGS)


async def _listed(session: AsyncSession, count: int) -> Organization:
    organization = await make_organization(session)
    for index in range(count):
        await make_listing(session, organization, title=f"Palettes lot {index}")
    await session.commit()
    return organization


async def _search_until(done: asyncio.Event, client: SearchClient, expected: int) -> list[str]:
    """Search for the listings until `done`; what went wrong, one line each."""
    problems = []
    rounds = 0
    while not done.is_set() or rounds == 0:
        rounds += 1
        try:
            page = await search_listings(client, None, ListingQuery(text="palettes", facets=()))
        except Exception as error:  # any failure is what the test counts
            problems.append(f"round {rounds}: {error!r}")
        else:
            if page.total_hits < expected or len(page.hits) < 20:
                problems.append(f"round {rounds}: {page.total_hits} hits, {len(page.hits)} shown")
        await asyncio.sleep(0)
    problems.append(f"rounds: {rounds}")
    return problems


async def test_search_answers_in_full_during_a_reindex_that_brings_new_settings(
    session: AsyncSession,
    database: Database,
    search_client: SearchClient,
    new_synonym: None,
    restored_settings: None,
) -> None:
    organization = await _listed(session, LISTED)
    await index_now(database, search_client)
    before = await search_listings(search_client, None, ListingQuery(text=NEW_WORD))
    done = asyncio.Event()
    searching = asyncio.create_task(_search_until(done, search_client, LISTED))

    swap = search_client.swap_indexes

    async def write_then_swap(first: str, second: str) -> None:
        """A listing published once the new index is built, pushed by the relay to the live one
        (the test's one connection allows no writes beside the reindex's reads)."""
        if first == LISTINGS:
            await make_listing(session, organization, title="Palettes lot tardif")
            await session.commit()
            await index_now(database, search_client)
        await swap(first, second)

    search_client.swap_indexes = write_then_swap  # type: ignore[method-assign]
    count = await reindex(database, search_client)
    done.set()
    problems = await searching
    after = await search_listings(search_client, None, ListingQuery(text=NEW_WORD))

    assert before.total_hits == 0
    assert problems[:-1] == [], problems[:5]
    assert int(problems[-1].split()[-1]) >= 3, problems  # the searches ran during the reindex
    assert count == LISTED  # the late listing came after the ids were read
    assert after.total_hits == LISTED + 1  # the new synonym is live; the late write is in


async def test_ensure_indexes_applies_changed_settings_in_place_and_only_then(
    search_client: SearchClient,
    new_synonym: None,
    restored_settings: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert stale_settings(SETTINGS, await search_client.settings(LISTINGS)) == []

    with caplog.at_level(logging.INFO, logger="entrelieux.indexing"):
        await ensure_indexes(search_client)
        await ensure_indexes(search_client)

    live = await search_client.settings(LISTINGS)
    assert live["synonyms"][NEW_WORD] == ["palettes"]
    assert stale_settings(SETTINGS, live) == ["synonyms"]  # the code's without it: differs
    applied = [r.getMessage() for r in caplog.records if "changed settings" in r.getMessage()]
    assert applied == ["listings: applying changed settings in place: synonyms"]


async def test_a_change_committed_late_under_an_earlier_event_id_is_replayed(
    session: AsyncSession, database: Database, search_client: SearchClient
) -> None:
    await _listed(session, 3)
    await index_now(database, search_client)
    listing = (await session.exec(select(Listing).limit(1))).one()
    swap = search_client.swap_indexes

    async def change_then_swap(first: str, second: str) -> None:
        """A transaction that took its event id before the reindex read its mark, and committed
        once the new index was built: the relay pushed it to the old index."""
        if first == LISTINGS:
            listing.title = "Palettes renommées"
            await session.commit()
            await index_now(database, search_client)
            latest = select(func.max(OutboxEvent.id))
            event_id = (await session.exec(latest)).one()
            await session.exec(
                update(OutboxEvent).where(col(OutboxEvent.id) == event_id).values(id=-1)
            )
            await session.commit()
        await swap(first, second)

    search_client.swap_indexes = change_then_swap  # type: ignore[method-assign]
    await reindex(database, search_client)

    found = await search_listings(search_client, None, ListingQuery(text="renommées"))
    assert [hit.id for hit in found.hits] == [listing.id]


async def test_documents_of_an_older_shape_are_rebuilt_by_the_app_that_runs_the_relay(
    own_database: Database,
    search_client: SearchClient,
    settings: Settings,
    meilisearch: MeilisearchServer,
) -> None:
    async with own_database.session() as session:
        await _listed(session, 3)
    await index_now(own_database, search_client)
    # What a deploy before the vocabulary left: documents without its fields, marked version 1.
    older = [
        {k: v for k, v in document.items() if k not in ("concepts", "category_path")}
        for document in await search_client.documents(LISTINGS)
    ]
    await search_client.wait_for_task(await search_client.add_documents(LISTINGS, older))
    await search_client.wait_for_task(
        await search_client.add_documents(indexing.VERSIONS, [{"id": LISTINGS, "version": 1}])
    )
    assert await ensure_indexes(search_client) == [LISTINGS]

    configured = settings.model_copy(
        update={
            "database_url": own_database.engine.url.render_as_string(hide_password=False),
            "meili_url": meilisearch.url,
            "meili_master_key": meilisearch.master_key,
            "run_relay": True,
        }
    )
    runtime = SearchRuntime(configured, own_database)
    await runtime.start()
    try:
        assert runtime._rebuild is not None
        await asyncio.wait_for(runtime._rebuild, 60)
    finally:
        await runtime.stop()

    rebuilt = await search_client.documents(LISTINGS)
    assert len(rebuilt) == 3
    assert all("concepts" in document and "category_path" in document for document in rebuilt)
    assert await ensure_indexes(search_client) == []  # marked: the next start rebuilds nothing


async def test_a_new_index_is_marked_with_the_code_s_document_shape(
    search_client: SearchClient,
) -> None:
    await search_client.delete_index(LISTINGS)
    try:
        assert await ensure_indexes(search_client) == []
        marks = await search_client.documents(indexing.VERSIONS)
        assert {"id": LISTINGS, "version": indexing.DOCUMENT_VERSIONS[LISTINGS]} in marks
    finally:
        await ensure_indexes(search_client)
