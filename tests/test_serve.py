"""`entrelieux serve` end to end: its own Meilisearch, the relay inside, on a free port."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from core.loopback import free_port

ROOT = Path(__file__).resolve().parent.parent
PUBLISH = (
    "mutation { listingPublish(input: { direction: OFFER, kind: EQUIPMENT, "
    'title: "Découpeuse laser", commune: "Guéret" }) { __typename } }'
)


def test_serve_starts_search_and_a_published_listing_becomes_searchable(tmp_path: Path) -> None:
    port = free_port()
    environment = os.environ | {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'serve.sqlite3'}",
        "VAR_DIR": str(tmp_path),
        "PORT": str(port),
        "LOAD_DEMO_DATA": "false",
        "ENVIRONMENT": "development",
        "LOG_LEVEL": "warning",
        "RATE_LIMITS_ENABLED": "false",
    }
    environment.pop("MEILI_URL", None)
    command = [sys.executable, "-m", "api.cli"]
    subprocess.run(
        [*command, "migrate"], env=environment, cwd=ROOT, capture_output=True, check=True
    )
    secret = subprocess.run(
        [*command, "token", "create", "--email", "a@b.fr", "--organization", "Atelier partagé"],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [*command, "serve"], env=environment, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/healthz", server, log)
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
            assert time.monotonic() - started < 10, found
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


def _wait_for(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within 60 s:\n{log.read_text()}")
