"""`entrelieux serve` end to end: its own Meilisearch, the relay inside, on a free port."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx

from tests.serve_process import environment_for, prepare, start

PUBLISH = (
    "mutation { listingPublish(input: { direction: OFFER, kind: EQUIPMENT, "
    'title: "Découpeuse laser", commune: "Guéret" }) { __typename } }'
)


def test_serve_starts_search_and_a_published_listing_becomes_searchable(tmp_path: Path) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'serve.sqlite3'}"
    environment = environment_for(tmp_path, database_url, RATE_LIMITS_ENABLED="false")
    secret = prepare(environment)
    server, base = start(environment, tmp_path / "serve.log")
    try:
        published = httpx.post(
            f"{base}/graphql",
            headers={"Authorization": f"Bearer {secret}"},
            json={"query": PUBLISH},
            timeout=10,
        ).json()
        # (in development an answer also says its cost, in `extensions`)
        assert published["data"] == {"listingPublish": {"__typename": "ListingSuccess"}}
        # Concurrent writers on SQLite wait for the write lock instead of failing.
        assert asyncio.run(_publish_many(base, secret, 40)) == ["ListingSuccess"] * 40
        started = time.monotonic()
        while True:
            found = httpx.post(
                f"{base}/graphql",
                json={"query": '{ search(input: { text: "laser cutter" }) { totalHits } }'},
                timeout=10,
            ).json()
            if found.get("data") and found["data"]["search"]["totalHits"] == 1:
                break
            # (behind the first start's 35,000 communes in Meilisearch's queue; freshness itself
            # is measured by `make bench`)
            assert time.monotonic() - started < 30, found
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert not (tmp_path / "meilisearch" / "endpoint.json").exists(), "Meilisearch left running"


async def _publish_many(base: str, secret: str, count: int) -> list[str]:
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:

        async def one(index: int) -> str:
            query = PUBLISH.replace("Découpeuse laser", f"Perceuse {index}")
            answer = await http.post(
                "/graphql", headers={"Authorization": f"Bearer {secret}"}, json={"query": query}
            )
            body = answer.json()
            return (
                str(body["data"]["listingPublish"]["__typename"]) if "data" in body else str(body)
            )

        return list(await asyncio.gather(*(one(i) for i in range(count))))
