"""Across processes, on PostgreSQL: "outbox rows were committed, look now".

`core/wakeup.py` only wakes listeners of the process that committed. With `serve --workers N`
the outbox relay runs in the parent while the writes commit in the workers, so without this the
relay would see them only at its next poll (OUTBOX_POLL_SECONDS). A transaction that inserted
outbox rows sends `NOTIFY entrelieux_outbox` just before its COMMIT, through the driver's own
cursor (not one more statement for the tests' counters); PostgreSQL delivers it on commit, and
not at all on rollback, folding the notices of one transaction into one. `listen` keeps a
dedicated connection LISTENing and calls `wake` for each notice, reconnecting if it drops. The
poll stays the fallback (a notice sent while nobody listens is lost); SQLite has one process.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import suppress
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

logger = logging.getLogger("entrelieux")

CHANNEL = "entrelieux_outbox"
WROTE_OUTBOX = "entrelieux_outbox_written"
"""The key in a connection's `info` saying its transaction inserted outbox rows."""
RETRY_SECONDS = 1.0  # between attempts to (re)connect the listener
CHECK_SECONDS = 30.0  # a silent connection is probed this often


def mark_outbox_written(connection: Connection) -> None:
    """Called by the outbox hook after it inserted rows on `connection`."""
    connection.info[WROTE_OUTBOX] = True


def notify_on_commit(engine: Engine) -> None:
    """On PostgreSQL, NOTIFY CHANNEL in every transaction of `engine` that wrote outbox rows."""
    if engine.dialect.name != "postgresql":
        return
    event.listen(engine, "begin", _forget)
    event.listen(engine, "rollback", _forget)
    event.listen(engine, "commit", _notify)


def _forget(connection: Connection) -> None:
    with suppress(SQLAlchemyError):  # invalidated: dropped with its flag
        connection.info.pop(WROTE_OUTBOX, None)


def _notify(connection: Connection) -> None:
    """Inside `Connection.commit`, before the driver's COMMIT: delivered when that commits."""
    if connection.info.pop(WROTE_OUTBOX, None):
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(f"NOTIFY {CHANNEL}")
        finally:
            cursor.close()


def dsn(url: URL) -> str:
    """asyncpg's form of the engine's URL (`postgresql+asyncpg://` → `postgresql://`)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def listen(url: URL, wake: Callable[[], None]) -> None:
    """LISTEN on CHANNEL until cancelled, calling `wake` for each notice and after each
    (re)connection (what was committed while nobody listened)."""
    failing = False
    while True:
        try:
            connection = await asyncpg.connect(
                dsn(url), server_settings={"application_name": "entrelieux-outbox-listener"}
            )
        except (OSError, asyncpg.PostgresError) as error:
            if not failing:
                logger.warning("outbox listener cannot connect (%s); polling meanwhile", error)
            failing = True
            await asyncio.sleep(RETRY_SECONDS)
            continue
        if failing:
            logger.info("outbox listener connected again")
        failing = False
        try:
            await _listen_on(connection, wake)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            logger.warning("outbox listener lost its connection (%s); reconnecting", error)
        finally:
            connection.terminate()
        await asyncio.sleep(RETRY_SECONDS)


async def _listen_on(connection: Any, wake: Callable[[], None]) -> None:
    lost = asyncio.Event()
    connection.add_termination_listener(lambda _connection: lost.set())
    await connection.add_listener(CHANNEL, lambda *_notice: wake())
    wake()
    while not lost.is_set():
        try:
            await asyncio.wait_for(lost.wait(), CHECK_SECONDS)
        except TimeoutError:  # a connection cut without a word: a probe finds out
            await connection.fetchval("SELECT 1", timeout=CHECK_SECONDS)
    logger.warning("outbox listener lost its connection; reconnecting")
