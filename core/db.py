"""The async engine, its sessions, and a statement counter that tests use to catch N+1 queries."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    async_sessionmaker,
    create_async_engine,
)
from sqlmodel.ext.asyncio.session import AsyncSession

from core import listing_counts
from core.commit_notices import notify_on_commit
from core.data_version import track_writes
from core.outbox import OutboxSession
from core.settings import Settings
from core.sqlite_driver import one_hop_dbapi
from core.transactions import WRITE_OPTION

listing_counts.listen(OutboxSession)

_TRANSACTION_CONTROL = ("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "PRAGMA")


class StatementCounter:
    """Counts the queries an engine sends (not transaction control); tests read `total`."""

    def __init__(self) -> None:
        self.total = 0
        self.last: list[str] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(_TRANSACTION_CONTROL):
            self.total += 1
            self.last = [*self.last[-49:], statement]


def create_engine(settings: Settings, versioned: bool = True) -> AsyncEngine:
    """The app's engine; `versioned`: each transaction that writes advances the data version
    (`core/data_version.py`; migrations advance it once at the end instead)."""
    url = settings.database_url
    if url.startswith("sqlite"):
        # One trip to aiosqlite's thread per statement (core/sqlite_driver.py).
        engine = create_async_engine(url, connect_args={"timeout": 30}, module=one_hop_dbapi())
        _make_sqlite_transactional(engine)
        _interrupt_when_dropped(engine)
    else:
        engine = create_async_engine(
            url,
            pool_size=settings.database_pool_size,
            max_overflow=5,
            pool_recycle=RECYCLE_SECONDS,
        )
        _replace_closed_on_checkout(engine)
    if versioned:
        track_writes(engine.sync_engine)
    notify_on_commit(engine.sync_engine)
    return engine


RECYCLE_SECONDS = 1800
"""A pooled PostgreSQL connection is replaced after this long, whatever its state: what
no FIN announces (a middlebox forgetting an idle connection) does not outlive it."""


def _replace_closed_on_checkout(engine: AsyncEngine) -> None:
    """A pooled connection the server closed (a restart, `pg_terminate_backend`, an idle
    timeout) is replaced when checked out, so the request that takes it does not fail.

    What `pool_pre_ping` guaranteed, without its round trips (asyncpg pings with BEGIN, `;`,
    ROLLBACK: three trips to the server, ~0.7 ms of CPU, on every checkout): the server's
    closing reaches the event loop, which marks asyncpg's connection closed before the next
    request can take it, so looking is enough. A backend that dies a moment after the look (a
    `pg_terminate_backend` is answered before the backend has gone) fails the first statement:
    the query is then run again on a fresh connection (`api/graphql_app.py` `execute_single`).
    Raising `DisconnectionError` here makes the pool drop the connection and try another,
    or open a new one (SQLAlchemy's "checkout" event protocol).
    """

    @event.listens_for(engine.sync_engine, "checkout")
    def _on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        driver = getattr(dbapi_connection, "driver_connection", None)
        if driver is None or driver.is_closed():
            raise exc.DisconnectionError("the server closed this pooled connection")


def _make_sqlite_transactional(engine: AsyncEngine) -> None:
    """Let SQLAlchemy, not the sqlite3 module, issue BEGIN, so SAVEPOINTs and locks behave.

    The recipe from SQLAlchemy's SQLite dialect documentation; WAL lets readers run beside the
    writer, and foreign keys are off in SQLite unless asked for.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # A transaction that reads and then writes must hold the write lock from the start:
        # upgrading later fails at once ("database is locked") if another connection committed.
        writing = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def _interrupt_when_dropped(engine: AsyncEngine) -> None:
    """Stop the statement a dropped SQLite connection is running.

    A request cancelled mid-statement (its deadline, its client gone: `api/deadlines.py`) makes
    SQLAlchemy drop ("invalidate") its connection, closing it in aiosqlite's thread, behind the
    statement: without an interrupt the cancellation, and the thread's CPU, would last as long
    as the statement. `sqlite3.Connection.interrupt` may be called from any thread.
    """

    @event.listens_for(engine.sync_engine, "invalidate")
    def _on_invalidate(dbapi_connection: Any, _record: Any, _exception: Any) -> None:
        driver = getattr(dbapi_connection, "driver_connection", None)
        sqlite_connection = getattr(driver, "_connection", None)
        if sqlite_connection is not None:
            sqlite_connection.interrupt()


def attach_counter(engine: AsyncEngine) -> StatementCounter:
    counter = StatementCounter()
    event.listen(engine.sync_engine, "before_cursor_execute", counter)
    return counter


class SerializedSession(AsyncSession):
    """A session that runs one statement at a time when coroutines share it.

    graphql-core resolves sibling fields concurrently (that is what lets DataLoaders batch),
    and they all use the request's one session; a plain AsyncSession refuses overlapping use.
    """

    sync_session_class = OutboxSession

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lock = asyncio.Lock()

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        async with self._lock:
            return await super().execute(*args, **kwargs)

    async def scalar(self, *args: Any, **kwargs: Any) -> Any:
        async with self._lock:
            return await super().scalar(*args, **kwargs)

    async def exec(self, *args: Any, **kwargs: Any) -> Any:
        async with self._lock:
            return await super().exec(*args, **kwargs)

    async def get(self, *args: Any, **kwargs: Any) -> Any:
        async with self._lock:
            return await super().get(*args, **kwargs)

    async def flush(self, *args: Any, **kwargs: Any) -> None:
        async with self._lock:
            await super().flush(*args, **kwargs)

    async def commit(self) -> None:
        async with self._lock:
            await super().commit()

    async def rollback(self) -> None:
        async with self._lock:
            await super().rollback()


class Database:
    """An engine, or one connection in tests, and the session factory bound to it.

    Bound to a connection inside an open transaction, every commit becomes a SAVEPOINT release,
    so a test can roll back everything the app did.
    """

    def __init__(self, bind: AsyncEngine | AsyncConnection) -> None:
        self.bind = bind
        self.engine = bind if isinstance(bind, AsyncEngine) else bind.engine
        self.sessionmaker = async_sessionmaker(
            bind,
            class_=SerializedSession,
            expire_on_commit=False,
            autoflush=False,
            join_transaction_mode="create_savepoint",
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        return cls(create_engine(settings))

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessionmaker() as session:
            yield session

    async def dispose(self) -> None:
        if isinstance(self.bind, AsyncEngine):
            await self.engine.dispose()
