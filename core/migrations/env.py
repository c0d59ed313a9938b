"""Alembic environment: runs migrations on the app's async engine."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import core.models  # noqa: F401  (registers every table)
from core.data_version import bump_after_migrations
from core.db import create_engine
from core.settings import Settings

config = context.config
target_metadata = SQLModel.metadata


def _settings() -> Settings:
    url = config.attributes.get("database_url") or config.get_main_option("database_url")
    return Settings(database_url=url) if url else Settings()


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        bump_after_migrations(connection)


async def _run_online() -> None:
    engine = create_engine(_settings(), versioned=False)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=_settings().database_url, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_online())
