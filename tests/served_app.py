"""The app under uvicorn, in the test's event loop, on a freshly migrated database of its own
(a real pool, apart from the rolled-back test connection): for tests of what only a served app
with concurrent connections shows (races, deadlines, cancelled statements)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from api.app import create_app
from api.setup import migrate
from core.db import Database
from core.loopback import free_port
from core.settings import Settings


@dataclass
class Served:
    database: Database
    base_url: str
    settings: Settings


@asynccontextmanager
async def own_database(
    settings: Settings, folder: Path, name: str, **changes: Any
) -> AsyncIterator[Settings]:
    """`settings` (with `changes`) on a database called `name`, migrated, dropped after: a
    PostgreSQL database beside the test one, or a SQLite file in `folder`."""
    changes = {"search_enabled": False, "run_relay": False, **changes}
    admin = None
    if settings.database_url.startswith("postgresql"):
        url = make_url(settings.database_url)
        database = f"{url.database}_{name}"
        drop = f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'
        admin = create_async_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        async with admin.connect() as connection:
            await connection.execute(text(drop))
            await connection.execute(text(f'CREATE DATABASE "{database}"'))
        changes["database_url"] = url.set(database=database).render_as_string(False)
    else:
        path = folder / f"{name}.sqlite3"
        path.unlink(missing_ok=True)
        changes["database_url"] = f"sqlite+aiosqlite:///{path}"
    own = settings.model_copy(update=changes)
    await migrate(own)
    try:
        yield own
    finally:
        if admin is not None:
            async with admin.connect() as connection:
                await connection.execute(text(drop))
            await admin.dispose()


@asynccontextmanager
async def served(settings: Settings) -> AsyncIterator[Served]:
    """The app under uvicorn on a loopback port, in this event loop, with a pool of its own."""
    database = Database.from_settings(settings)
    port = free_port()
    config = uvicorn.Config(
        create_app(settings, database),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="on",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "uvicorn stopped before it started"
        await asyncio.sleep(0.02)
    try:
        yield Served(database, f"http://127.0.0.1:{port}", settings)
    finally:
        server.should_exit = True
        await task
        await database.dispose()
