"""A fresh database with ~1,000 organizations, ~3,000 places and 100,000 listings.

    python -m bench.seed [DATABASE_URL] [--listings N]

The database is dropped and recreated (a SQLite file, or a PostgreSQL database by URL), migrated
with `api.setup.migrate`, then filled with SQLAlchemy Core executemany in batches: the ORM would
take minutes for rows the app only ever reads here. What the rows say is `bench.population`'s.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import insert, make_url, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlmodel import select

from api.setup import migrate
from bench import population
from bench.population import Where
from core.db import create_engine
from core.listing_counts import rebuild_listing_counts
from core.models import Commune, Listing, Organization, Space
from core.settings import PROJECT_ROOT, Settings

OUT = PROJECT_ROOT / "bench" / "out"
DEFAULT_SQLITE_URL = f"sqlite+aiosqlite:///{OUT / 'bench.sqlite3'}"
BATCH = 5_000
DRAWN = 200_000
"""PostgreSQL: listings past this many are copies of the drawn ones (`_replicate`)."""


@dataclass
class SeedReport:
    organizations: int = 0
    spaces: int = 0
    listings: int = 0
    seconds: float = 0.0


def _remove_sqlite_files(path: str) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(path + suffix).unlink(missing_ok=True)


async def recreate(url: str) -> None:
    """Drop and create the database `url` names; refuses any name but a plain identifier."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        await asyncio.to_thread(_remove_sqlite_files, parsed.database or "")
        return
    name = parsed.database or ""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise ValueError(f"refusing to drop a database named {name!r}")
    engine = create_async_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()


async def seed(url: str, listings: int = 100_000, seed: int = 2019) -> SeedReport:
    """Recreate, migrate and fill the database at `url`; the same `seed` gives the same rows."""
    started = time.perf_counter()
    await recreate(url)
    settings = Settings(database_url=url, load_demo_data=False)
    await migrate(settings)
    engine = create_engine(settings)
    try:
        async with engine.begin() as connection:
            report = await _fill(connection, random.Random(seed), listings)
        await _analyze(engine)
    finally:
        await engine.dispose()
    report.seconds = time.perf_counter() - started
    return report


# Rows were inserted with their ids: move PostgreSQL's sequences past them.
_RESET_SEQUENCES = [
    "SELECT setval('organization_id_seq', (SELECT max(id) FROM organization))",
    "SELECT setval('space_id_seq', (SELECT max(id) FROM space))",
    "SELECT setval('listing_id_seq', (SELECT max(id) FROM listing))",
]


async def _fill(connection: AsyncConnection, rng: random.Random, listings: int) -> SeedReport:
    by_code, communes = await _communes(connection)
    places = population.mission_coworking(by_code)
    orgs = population.organizations(rng, communes, by_code, places)
    await _insert(connection, Organization, [o.row for o in orgs])
    spaces = population.spaces(rng, communes, by_code, places, orgs)
    await _insert(connection, Space, spaces)
    # A few organizations publish most listings, as on any marketplace.
    weights = [rng.paretovariate(1.2) for _ in orgs]
    postgresql = connection.dialect.name == "postgresql"
    drawn = min(listings, DRAWN) if postgresql else listings
    for start in range(0, drawn, BATCH):
        numbers = range(start + 1, min(start + BATCH, drawn) + 1)
        rows = population.listings(rng, orgs, weights, numbers, drawn)
        await _insert(connection, Listing, rows)
    if drawn < listings:
        await _replicate(connection, drawn, listings)
    if postgresql:
        for statement in _RESET_SEQUENCES:
            await connection.exec_driver_sql(statement)
    # Written around the session: count what anyone sees, as the flush hook would have.
    await connection.run_sync(rebuild_listing_counts)
    return SeedReport(organizations=len(orgs), spaces=len(spaces), listings=listings)


async def _replicate(connection: AsyncConnection, drawn: int, listings: int) -> None:
    """Listings `drawn + 1` to `listings` as copies of the first `drawn`, made by PostgreSQL.

    Drawing a row costs ~0.2 ms of Python, so a million would take minutes: past `DRAWN`, copy
    number `n` is row `(n - 1) % drawn + 1` again (same owner, place, texts, status and visibility;
    a ref gets the copy's number), so the mix of what anyone sees stays the drawn one.
    """
    names = [c.name for c in Listing.__table__.columns if c.name not in ("id", "ref")]  # type: ignore[attr-defined]
    columns = ", ".join(names)
    for start in range(drawn, listings, drawn):
        await connection.exec_driver_sql(
            f"INSERT INTO listing (id, ref, {columns})"  # noqa: S608 (column names of the model)
            f" SELECT id + {start}, ref || ':{start}', {columns} FROM listing"
            f" WHERE id <= {min(drawn, listings - start)}"
        )


async def _analyze(engine: AsyncEngine) -> None:
    """Planner statistics, as autovacuum (PostgreSQL) or a maintenance job (SQLite) would give."""
    if engine.dialect.name == "postgresql":
        async with engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.exec_driver_sql("VACUUM ANALYZE")
        return
    async with engine.begin() as connection:
        await connection.exec_driver_sql("ANALYZE")


async def _insert(connection: AsyncConnection, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        await connection.execute(insert(model), list(rows[start : start + BATCH]))


async def _communes(connection: AsyncConnection) -> tuple[dict[str, Where], list[Where]]:
    """Every commune by INSEE code, and 20,000 draws weighted by population."""
    # In a fixed order: the draws below must give SQLite and PostgreSQL the same rows.
    rows = await connection.execute(
        select(Commune)
        .where(Commune.latitude.is_not(None))  # type: ignore[union-attr]
        .order_by(Commune.code_insee)
    )
    found = [
        (
            Where(
                c.code_insee,
                c.name,
                c.department_code,
                c.region_code,
                c.latitude,
                c.longitude,
                c.region_name,
            ),
            c.population or 1,
        )
        for c in rows
    ]
    # Weighted by population: places and partners are where people are.
    picks = random.Random(1).choices([w for w, _ in found], [p for _, p in found], k=20_000)
    return {w.commune_insee: w for w, _ in found}, picks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", default=DEFAULT_SQLITE_URL)
    parser.add_argument("--listings", type=int, default=100_000)
    args = parser.parse_args()
    report = asyncio.run(seed(args.url, args.listings))
    print(
        f"{report.organizations} organizations, {report.spaces} places, "
        f"{report.listings} listings in {report.seconds:.1f} s"
    )


if __name__ == "__main__":
    main()
