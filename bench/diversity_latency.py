"""What the varied first page (`search/diversity.py`) adds to a search, in milliseconds.

`python -m bench.diversity_latency [documents]`: a Meilisearch of our own, an index with the
product's settings and synthetic listings (lots repeated by owner, as the issue saw), then the same
queries timed: the page as Meilisearch ranks it (limit 20), the varied first page (a 60-hit window
re-ranked), a page past the window (asked as is), and a page's 20 `Listing.matches` (one
multi-search) both ways. Prints p50 and p95 of each.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from search.client import SearchClient
from search.listings_index import LISTINGS, SETTINGS
from search.listings_search import (
    ListingQuery,
    search_body,
    search_listings,
    search_listings_many,
)
from search.server import MeilisearchServer

WORDS = "palettes portes tuiles chaises bureaux planches poutres briques laser imprimante 3D"
QUERIES = ["palettes", "portes isoplanes", "chaises de bureau", "laser", "briques", "planches"]
ROUNDS = 30


def _documents(count: int) -> list[dict[str, Any]]:
    rng = random.Random(15)
    words = WORDS.split()
    documents = []
    for i in range(count):
        title = f"{rng.choice(words)} {rng.choice(words)} lot {i % 7}"
        documents.append(
            {
                "id": i + 1,
                "title": title,
                "description": f"{title} de réemploi, {rng.choice(words)}",
                "kind": "MATERIAL",
                "direction": "OFFER",
                "visibility": "PUBLIC",
                "organization_id": i % 40,
                "created_at": i,
                "_geo": None,
            }
        )
    return documents


async def _p50_p95(run: Any) -> tuple[float, float]:
    times = []
    for _ in range(ROUNDS):
        for text in QUERIES:
            start = time.perf_counter()
            await run(text)
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95)]


async def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        server = MeilisearchServer(data_dir=Path(folder))
        server.start()
        client = SearchClient(server.url, server.master_key, search_timeout=30.0)
        try:
            await client.create_index(LISTINGS, SETTINGS)
            await client.wait_for_task(await client.add_documents(LISTINGS, _documents(count)), 600)
            query = ListingQuery(limit=20, facets=("kind", "category", "department"))

            async def as_ranked(text: str) -> None:
                await client.search(LISTINGS, search_body(None, replace(query, text=text)))

            async def varied(text: str) -> None:
                await search_listings(client, None, replace(query, text=text))

            async def past_window(text: str) -> None:
                await search_listings(client, None, replace(query, text=text, offset=60))

            matches = [replace(query, limit=10, facets=()) for _ in range(20)]

            async def matches_as_ranked(text: str) -> None:  # a page's `Listing.matches`
                bodies = [search_body(None, replace(m, text=text)) for m in matches]
                await client.multi_search(LISTINGS, bodies)

            async def matches_varied(text: str) -> None:
                await search_listings_many(client, None, [replace(m, text=text) for m in matches])

            await _p50_p95(varied)  # warm up
            for name, run in (
                ("as ranked", as_ranked),
                ("varied", varied),
                ("past window", past_window),
                ("20 matches as ranked", matches_as_ranked),
                ("20 matches varied", matches_varied),
            ):
                p50, p95 = await _p50_p95(run)
                print(f"{name:21} p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  ({count} documents)")
        finally:
            await client.close()
            server.stop()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000))
