"""The data version: a number that grows in the same transaction as every committed write.

Any statement that writes (an INSERT, UPDATE or DELETE, whether from an ORM flush, a Core
statement a service or an importer runs, or the relay marking its events done) marks its
connection; when that transaction commits, `UPDATE data_version SET version = version + 1` runs
just before the COMMIT, on the same connection, so the new version and the write become visible
together, to every process. A reader that reads the version first and then the data can never
keep an answer under a version that a write it missed had already advanced (a write commits its
data no later than its new version). The row lock is held only from that last statement to the
commit, so writers wait on each other for one statement, not for their whole transaction.

What does not advance it: writes to tables no anonymous answer shows (`UNSEEN`: rate-limit
counters, sign-in state, tokens' last use, idempotency keys), and transaction control. Anything
else that is not a plain read (a CTE that writes, DDL) advances it, to be safe. Migrations
advance it once at the end of their run (`bump_after_migrations`).

The bump goes through the driver's own cursor, so it is not one more statement for the
statement counters of tests (`core/db.py` `StatementCounter`).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import event, text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import DataVersion

WRITTEN = "entrelieux_data_written"
"""The key in a connection's `info` saying its transaction wrote something a read may show."""

UNSEEN = frozenset(
    {
        "data_version",
        "rate_limit",
        "web_session",
        "pending_login",
        "access_token",
        "idempotency_key",
    }
)
"""Tables whose writes no cached (anonymous) answer can show: a write to them alone does not
advance the version. Add a table here only when that holds for every cached read."""

BUMP = "UPDATE data_version SET version = version + 1 WHERE id = 1"
READ = "SELECT version FROM data_version WHERE id = 1"

_WRITE = re.compile(
    r"\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)\"?", re.IGNORECASE
)
_READ_OR_CONTROL = re.compile(
    r"\s*(?:SELECT|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|PRAGMA|SHOW|SET|EXPLAIN)\b",
    re.IGNORECASE,
)
_WRITE_WORD = re.compile(r"\b(?:INSERT|UPDATE|DELETE|MERGE|TRUNCATE)\b", re.IGNORECASE)


def writes_data(statement: str) -> bool:
    """Whether a statement may change what a cached read shows (conservative)."""
    if found := _WRITE.match(statement):
        return found.group(1).lower() not in UNSEEN
    if _READ_OR_CONTROL.match(statement):
        return False
    head = statement.lstrip()[:4].upper()
    if head == "WITH":
        return _WRITE_WORD.search(statement) is not None
    return True  # DDL or anything unknown


def track_writes(engine: Engine) -> None:
    """Advance the data version with every transaction of `engine` that writes."""
    event.listen(engine, "before_cursor_execute", _note_write)
    event.listen(engine, "begin", _forget)
    event.listen(engine, "commit", _bump)
    event.listen(engine, "rollback", _forget)


def _note_write(connection: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
    if not connection.info.get(WRITTEN) and writes_data(statement):
        connection.info[WRITTEN] = True


def _forget(connection: Connection) -> None:
    try:
        flags = connection.info
    except SQLAlchemyError:  # invalidated (a cancelled statement): dropped with its flag
        return
    flags.pop(WRITTEN, None)


def _bump(connection: Connection) -> None:
    """Runs inside `Connection.commit`, before the driver's COMMIT (SQLAlchemy's `commit`
    event): the bump commits with the write, or not at all."""
    if connection.info.pop(WRITTEN, None):
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(BUMP)
        finally:
            cursor.close()


def bump_after_migrations(connection: Connection) -> None:
    """Advance the version once after a migration run (its data changes are not tracked one
    by one: the table may not exist yet while the earlier migrations run)."""
    if connection.dialect.has_table(connection, "data_version"):
        connection.execute(text(BUMP))


async def read_version(engine: AsyncEngine) -> int | None:
    """The version now (one statement; on PostgreSQL without BEGIN and ROLLBACK around it);
    None when the table has no row (a database not migrated to it)."""
    async with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        value = (await connection.exec_driver_sql(READ)).scalar()
    return None if value is None else int(value)


async def advance(session: AsyncSession) -> None:
    """Advance the version and commit, with no write of ours: after something outside the
    database that cached answers show changed (the search index rebuilt by `reindex`)."""
    row = col(DataVersion.id) == 1
    await session.exec(update(DataVersion).where(row).values(version=col(DataVersion.version) + 1))
    await session.commit()
