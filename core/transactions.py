"""Declaring that a transaction will write, so SQLite takes its write lock at BEGIN.

A SQLite transaction that reads and then writes fails at once ("database is locked") when
another connection committed in between; one that starts with `BEGIN IMMEDIATE` waits its turn
instead. PostgreSQL ignores the option.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import OperationalError
from sqlmodel.ext.asyncio.session import AsyncSession

logger = logging.getLogger("entrelieux.db")

WRITE_OPTION = "entrelieux_writes"


def is_postgresql(session: AsyncSession) -> bool:
    """PostgreSQL-only paths (FOR UPDATE SKIP LOCKED) ask this; SQLite has one writer anyway."""
    return session.bind is not None and session.bind.dialect.name == "postgresql"


async def begin_writing(session: AsyncSession) -> None:
    """Call before the first statement of a session whose transaction will write."""
    if not session.in_transaction():
        await session.connection(execution_options={WRITE_OPTION: True})


async def commit_touch(session: AsyncSession) -> None:
    """Commit a best-effort bookkeeping write (a "last used" time) made after a read.

    Under concurrent writers SQLite may refuse it; the request goes on, and the next one records it.
    """
    try:
        await session.commit()
    except OperationalError:
        await session.rollback()
        logger.info("skipped a last-used update: the database is busy")
