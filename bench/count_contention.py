"""What keeping `listing_count` costs concurrent publishes of the same key (by hand, PostgreSQL).

    python -m bench.count_contention POSTGRES_URL [--writers 16] [--seconds 10]

Seeds an empty database (organizations and places, no listings), then `writers` tasks publish
listings of one department, kind and direction (`--spread`: of departments drawn at random)
as fast as they can, each in its own transaction
that holds its row locks a further 5 ms after the flush (a mutation's remaining work before its
commit). Three runs: no count hook, the hook with one row per key, the hook with `SLOTS` rows per
key (the shipped setting). Prints publishes/s and the p50/p95 of a transaction.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from typing import Any

from sqlalchemy import event

from bench.seed import seed
from core import listing_counts
from core.db import Database
from core.models import Direction, Listing, ListingKind, ListingStatus, Visibility
from core.models.listing_counts import SLOTS
from core.outbox import OutboxSession
from core.settings import Settings

HOLD_S = 0.005


async def _writer(database: Database, until: float, times: list[float], spread: bool) -> None:
    draw = random.Random()  # which department: nothing to guess
    while time.perf_counter() < until:
        department = f"{draw.randrange(1, 96):02d}" if spread else "69"
        started = time.perf_counter()
        async with database.session() as session:
            session.add(
                Listing(
                    organization_id=1,
                    direction=Direction.OFFER,
                    kind=ListingKind.EQUIPMENT,
                    title="Découpeuse laser",
                    status=ListingStatus.PUBLISHED,
                    visibility=Visibility.PUBLIC,
                    department_code=department,
                )
            )
            await session.flush()
            await asyncio.sleep(HOLD_S)
            await session.commit()
        times.append((time.perf_counter() - started) * 1000)


async def run(url: str, writers: int, seconds: float, spread: bool) -> dict[str, Any]:
    database = Database.from_settings(Settings(database_url=url, load_demo_data=False))
    times: list[float] = []
    try:
        until = time.perf_counter() + seconds
        await asyncio.gather(*(_writer(database, until, times, spread) for _ in range(writers)))
    finally:
        await database.dispose()
    times.sort()
    return {
        "publishes_per_s": round(len(times) / seconds, 1),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(len(times) * 0.95)], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument(
        "--spread", action="store_true", help="each publish in a department drawn from 95"
    )
    args = parser.parse_args()
    asyncio.run(seed(args.url, 0))
    hook: Any = listing_counts._count_listings  # switched off for one run
    event.remove(OutboxSession, "before_flush", hook)
    figures = asyncio.run(run(args.url, args.writers, args.seconds, args.spread))
    print("no count hook ", figures, flush=True)
    listing_counts.listen(OutboxSession)
    for slots in (1, SLOTS):
        vars(listing_counts)["SLOTS"] = slots  # the hook reads its module's global
        result = asyncio.run(run(args.url, args.writers, args.seconds, args.spread))
        print(f"hook, {slots} slot(s)", result, flush=True)


if __name__ == "__main__":
    main()
