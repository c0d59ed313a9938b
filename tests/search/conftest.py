"""A real Meilisearch for the search tests: one server per session, an empty index per test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from api.app import create_app
from api.setup import migrate
from core.db import Database
from core.settings import Settings
from search.client import SearchClient
from search.indexing import ensure_indexes, load_communes
from search.listings_index import LISTINGS
from search.places_index import SPACES
from search.relay import drain_once
from search.server import MeilisearchServer
from tests.graphql import GraphQLClient


@pytest.fixture(scope="session")
def meilisearch(tmp_folder: Path) -> Iterator[MeilisearchServer]:
    server = MeilisearchServer(data_dir=tmp_folder / "meilisearch")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
async def prepared_index(meilisearch: MeilisearchServer, settings: Settings) -> str:
    """Every index with its settings, and the communes index filled from the migrated table."""
    client = SearchClient(meilisearch.url, meilisearch.master_key)
    await ensure_indexes(client)
    database = Database.from_settings(settings)
    await load_communes(database, client)
    await database.dispose()
    await client.close()
    return LISTINGS


@pytest.fixture
async def search_client(
    meilisearch: MeilisearchServer, prepared_index: str
) -> AsyncIterator[SearchClient]:
    # A test's search waits as long as a slow machine needs: the product's 2 s bound on one
    # search (`MEILI_TIMEOUT_SECONDS`) is tested where it is meant, with its own client.
    client = SearchClient(meilisearch.url, meilisearch.master_key, search_timeout=30.0)
    for index in (prepared_index, SPACES):
        await client.wait_for_task(await client.delete_all_documents(index))
    yield client
    await client.close()


@pytest.fixture
async def search_api(
    settings: Settings, database: Database, search_client: SearchClient
) -> AsyncIterator[GraphQLClient]:
    app = create_app(settings, database, search=search_client)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield GraphQLClient(http)


async def index_now(database: Database, client: SearchClient) -> None:
    """Drain the outbox into Meilisearch, as the relay would."""
    while await drain_once(database, client):
        pass


@pytest.fixture
async def own_database(settings: Settings, tmp_path: Path) -> AsyncIterator[Database]:
    """A database of its own: the relay's two waves use two connections, not the test's one."""
    url = make_url(settings.database_url)
    admin = None
    if url.get_backend_name() == "sqlite":
        own_url = f"sqlite+aiosqlite:///{tmp_path / 'relay.sqlite3'}"
    else:
        name = f"{url.database}_relay"
        admin = create_async_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        own_url = url.set(database=name).render_as_string(False)
    own = settings.model_copy(update={"database_url": own_url})
    await migrate(own)
    database = Database.from_settings(own)
    yield database
    await database.dispose()
    if admin is not None:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}_relay"'))
        await admin.dispose()
