"""Real databases for every test: SQLite by default, PostgreSQL with TEST_DATABASE_URL.

The database is migrated from empty once per session (so every run tests the migrations), then
each test runs inside a transaction that is rolled back: the app's commits become savepoints.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from api.app import create_app
from api.setup import migrate
from core.db import Database, StatementCounter, attach_counter, create_engine
from core.settings import Settings
from tests.graphql import GraphQLClient


def _test_database_url(folder: Path) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite+aiosqlite:///{folder / 'test.sqlite3'}"


async def _empty_postgres(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@pytest.fixture(scope="session")
def tmp_folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="entrelieux-tests-"))


@pytest.fixture(scope="session")
async def settings(tmp_folder: Path) -> Settings:
    url = _test_database_url(tmp_folder)
    if url.startswith("postgresql"):
        await _empty_postgres(url)
    configured = Settings(environment="test", database_url=url, var_dir=tmp_folder)
    await migrate(configured)
    return configured


@pytest.fixture(scope="session")
async def engine_and_counter(settings: Settings) -> AsyncIterator[tuple[object, StatementCounter]]:
    engine = create_engine(settings)
    counter = attach_counter(engine)
    yield engine, counter
    await engine.dispose()


@pytest.fixture
async def connection(
    engine_and_counter: tuple[object, StatementCounter],
) -> AsyncIterator[AsyncConnection]:
    engine, _ = engine_and_counter
    async with engine.connect() as connection:  # type: ignore[attr-defined]
        transaction = await connection.begin()
        yield connection
        await transaction.rollback()


@pytest.fixture
def statements(engine_and_counter: tuple[object, StatementCounter]) -> StatementCounter:
    return engine_and_counter[1]


@pytest.fixture
def database(connection: AsyncConnection) -> Database:
    return Database(connection)


@pytest.fixture
async def session(database: Database) -> AsyncIterator[object]:
    async with database.session() as session:
        yield session


@pytest.fixture
async def client(settings: Settings, database: Database) -> AsyncIterator[GraphQLClient]:
    app = create_app(settings, database)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield GraphQLClient(http)
