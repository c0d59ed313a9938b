"""A signed-in request while another connection holds SQLite's write lock: the session's "last
seen" time is best effort, so the request still knows who is signed in (it used to answer 500,
"database is locked", when the touch was flushed before the principal was read)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import create_async_engine

from api.setup import migrate
from core.db import Database
from core.models import WebSession
from core.models.base import utcnow
from core.services.web_sessions import open_session, session_principal
from core.settings import Settings
from core.transactions import commit_touch
from tests.factories import make_member, make_organization


async def test_a_locked_sqlite_database_does_not_fail_a_signed_in_request(
    tmp_path: Path, settings: Settings
) -> None:
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("SQLite's single writer; PostgreSQL locks rows, not the database")
    url = f"sqlite+aiosqlite:///{tmp_path / 'busy.sqlite3'}"
    configured = Settings(environment="test", database_url=url, var_dir=tmp_path)
    await migrate(configured)
    database = Database.from_settings(configured)
    holder = create_async_engine(url, connect_args={"timeout": 0.2})
    try:
        async with database.session() as session:
            member = await make_member(session, await make_organization(session))
            assert member.person.id is not None
            secret = await open_session(
                session, member.person.id, "generic", "", timedelta(hours=1)
            )
            long_ago = utcnow() - timedelta(minutes=10)
            await session.exec(update(WebSession).values(last_seen_at=long_ago))  # type: ignore[call-overload]
            await session.commit()

        async with holder.connect() as other:
            raw = await other.get_raw_connection()
            raw.driver_connection.isolation_level = None  # type: ignore[union-attr]
            await other.exec_driver_sql("BEGIN IMMEDIATE")  # another writer holds the lock
            async with database.session() as session:
                principal = await session_principal(session, secret, timedelta(hours=1))
                await commit_touch(session)  # refused by the lock: skipped, not raised
            await other.exec_driver_sql("ROLLBACK")

        assert principal is not None
        assert principal.person_id == member.person.id
    finally:
        await holder.dispose()
        await database.dispose()
