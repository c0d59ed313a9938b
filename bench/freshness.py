"""Publish→searchable: how long a listing published through GraphQL takes to be found.

The app runs with its outbox relay (`RUN_RELAY=true`, default poll). A token is made with the
`entrelieux token create` command, for a new organization. An open-loop driver sends
`listingPublish` at a fixed rate (send i at t0 + i/rate, whatever the earlier answers), and one
watcher asks Meilisearch every `POLL_S` for the published listings it has not found yet
(`filter: id IN [...]`, the master key, no visibility rule). Each listing's delay runs from the
moment its mutation was sent to the watcher's first answer that holds it, so the figure is at
most `POLL_S` (plus one search) late. Everything is bounded: `rate × seconds` listings, then
`TAIL_S` at most for the last ones.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import col, func, select

from bench import meilisearch_tasks
from bench.servers import serve
from core.db import Database
from core.models import OutboxEvent
from core.settings import PROJECT_ROOT, Settings
from schema.relay import expect_id
from search.client import SearchClient, SearchUnavailable
from search.listings_index import LISTINGS
from search.server import MeilisearchServer

POLL_S = 0.02
BUDGET = 10_000_000
"""Creations and GraphQL points the bench's callers may spend: throughput, not rate limits."""
TAIL_S = 30.0
ORGANIZATION = "Fablab du banc d'essai"
PUBLISH = (
    "mutation Publish($input: ListingPublishInput!) { listingPublish(input: $input) { "
    "__typename ... on ListingSuccess { listing { id } } ... on Error { message } } }"
)


def create_token(url: str) -> str:
    """A token for a member of a new organization, from the project's own command."""
    command = [
        str(Path(sys.executable).with_name("entrelieux")),
        "token",
        "create",
        "--email",
        "banc@entrelieux.test",
        "--organization",
        ORGANIZATION,
        "--role",
        "ADMIN",
        "--name",
        "bench",
    ]
    env = {**os.environ, "DATABASE_URL": url, "LOAD_DEMO_DATA": "false", "LOG_LEVEL": "warning"}
    done = subprocess.run(
        command, env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(f"token create failed: {done.stderr.strip()}")
    return done.stdout.strip().splitlines()[-1]


def listing_input(number: int) -> dict[str, Any]:
    return {
        "direction": "OFFER",
        "kind": "EQUIPMENT",
        "title": f"Découpeuse laser Trotec Speedy 100, prêt n° {number}",
        "description": "Zone de travail 610 × 305 mm, formation requise, banc d'essai.",
        "category": "laser",
        "tags": ["laser", "bois"],
        "commune": "Guéret",
        "availableFrom": "2026-12-01",
    }


def measure(
    url: str, server: MeilisearchServer, env: dict[str, str], *, rate: float, seconds: float
) -> dict[str, Any]:
    token = create_token(url)
    mark = asyncio.run(_last_event(url))
    # One organization publishes 1,000 listings a run: far past the creations' budget (300 an
    # hour), which is not what is measured here. The limiter still runs and keeps its books.
    env = {**env, "RATE_LIMIT_CREATIONS": str(BUDGET)}
    with serve("api.app:app_from_environment", "/healthz", env, factory=True) as app:
        since = datetime.now(UTC)
        result = asyncio.run(drive(app.base_url, token, server, rate, seconds))
        asyncio.run(_until_processed(url, mark, TAIL_S))
    result["relay"] = asyncio.run(_outbox_delays(url, mark))
    result["meilisearch_tasks"] = asyncio.run(_tasks(server, since))
    return result


async def drive(
    app_url: str, token: str, server: MeilisearchServer, rate: float, seconds: float
) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    count = round(rate * seconds)
    acked: dict[int, tuple[float, float]] = {}  # listing id: (sent, answered)
    found: dict[int, float] = {}
    failures: list[str] = []
    lateness: list[float] = []
    stop, sending_done = asyncio.Event(), asyncio.Event()
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    app = httpx.AsyncClient(base_url=app_url, headers=headers, timeout=30, limits=limits)
    meilisearch = SearchClient(server.url, server.master_key, timeout=10, search_timeout=10)

    async def publish(number: int) -> None:
        sent = loop.time()
        try:
            response = await app.post(
                "/graphql", json={"query": PUBLISH, "variables": {"input": listing_input(number)}}
            )
            answer = response.json()
            if answer.get("errors"):
                raise RuntimeError(answer["errors"][0]["message"].splitlines()[0])
            published = answer["data"]["listingPublish"]
            if published["__typename"] != "ListingSuccess":
                raise RuntimeError(published.get("message", published["__typename"]))
        except (httpx.HTTPError, RuntimeError, KeyError, TypeError, ValueError) as error:
            failures.append(f"{type(error).__name__}: {error}"[:300])
            return
        listing_id = expect_id(published["listing"]["id"], "Listing")
        assert listing_id is not None
        acked[listing_id] = (sent, loop.time())

    async def watch() -> None:
        """Until stopped, or every listing sent was answered and found."""
        while not stop.is_set():
            pending = [i for i in acked if i not in found]
            if sending_done.is_set() and not pending:
                return
            if pending:
                body = {
                    "q": "",
                    "filter": f"id IN [{', '.join(map(str, pending))}]",
                    "limit": len(pending),
                    "attributesToRetrieve": ["id"],
                }
                try:
                    hits = (await meilisearch.search(LISTINGS, body))["hits"]
                except SearchUnavailable:  # one slow answer on a busy machine: ask again
                    await asyncio.sleep(POLL_S)
                    continue
                now = loop.time()
                for hit in hits:
                    found.setdefault(int(hit["id"]), now)
            await asyncio.sleep(POLL_S)

    try:
        watcher = asyncio.create_task(watch())
        started = loop.time()
        sending = []
        for number in range(count):
            due = started + number / rate
            if (wait := due - loop.time()) > 0:
                await asyncio.sleep(wait)
            lateness.append(loop.time() - due)
            sending.append(asyncio.create_task(publish(number)))
        await asyncio.gather(*sending)
        sent_for = loop.time() - started
        sending_done.set()
        try:
            await asyncio.wait_for(asyncio.shield(watcher), TAIL_S)
        except TimeoutError:
            stop.set()
            await watcher
    finally:
        await app.aclose()
        await meilisearch.close()
    delays = [found[i] - sent for i, (sent, _) in acked.items() if i in found]
    after_ack = [found[i] - answered for i, (_, answered) in acked.items() if i in found]
    mutation = [answered - sent for sent, answered in acked.values()]
    return {
        "rate": rate,
        "planned": count,
        "published": len(acked),
        "found": len(found),
        "missing": len(acked) - len(found),
        "failures": len(failures),
        "failure_kinds": dict(Counter(failures).most_common(5)),
        "sending_s": round(sent_for, 2),
        "achieved_rate": round(len(acked) / sent_for, 1) if sent_for else 0.0,
        "max_send_lateness_ms": round(max(lateness, default=0.0) * 1000, 1),
        "poll_s": POLL_S,
        "from_send": _percentiles(delays),
        "from_answer": _percentiles(after_ack),
        "mutation": _percentiles(mutation),
    }


def _percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50_ms": 0.0, "p95_ms": 0.0, "max_ms": 0.0}
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(p95 * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


async def _last_event(url: str) -> int:
    database = Database.from_settings(Settings(database_url=url, load_demo_data=False))
    try:
        async with database.session() as session:
            return (await session.exec(select(func.max(OutboxEvent.id)))).one() or 0
    finally:
        await database.dispose()


async def _until_processed(url: str, mark: int, seconds: float) -> None:
    """Let the relay mark what it pushed, so its figures cover every event (bounded)."""
    database = Database.from_settings(Settings(database_url=url, load_demo_data=False))
    statement = select(func.count()).where(
        col(OutboxEvent.id) > mark, col(OutboxEvent.processed_at).is_(None)
    )
    try:
        for _ in range(int(seconds * 10)):
            async with database.session() as session:
                if not (await session.exec(statement)).one():
                    return
            await asyncio.sleep(0.1)
    finally:
        await database.dispose()


async def _outbox_delays(url: str, mark: int) -> dict[str, Any]:
    """From the outbox rows after `mark`: commit (event created) to the relay marking it done."""
    database = Database.from_settings(Settings(database_url=url, load_demo_data=False))
    try:
        async with database.session() as session:
            statement = select(OutboxEvent).where(col(OutboxEvent.id) > mark)
            events = (await session.exec(statement)).all()
    finally:
        await database.dispose()
    done = [
        (e.processed_at - e.created_at).total_seconds()
        for e in events
        if e.processed_at is not None
    ]
    return {
        "events": len(events),
        "processed": len(done),
        "retried": sum(e.attempts > 0 for e in events),
        "commit_to_processed": _percentiles(done),
    }


async def _tasks(server: MeilisearchServer, since: datetime) -> dict[str, Any]:
    """The relay's document tasks on the listings index: their size, wait and duration."""
    client = SearchClient(server.url, server.master_key)
    try:
        tasks = await meilisearch_tasks.fetch(
            client.http,
            indexUids=LISTINGS,
            types="documentAdditionOrUpdate",
            afterEnqueuedAt=since.strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
    finally:
        await client.close()
    durations = [meilisearch_tasks.iso_duration_s(t.get("duration")) for t in tasks]
    waits = [
        (
            meilisearch_tasks.instant(t["startedAt"]) - meilisearch_tasks.instant(t["enqueuedAt"])
        ).total_seconds()
        for t in tasks
        if t.get("startedAt")
    ]
    sizes = [int((t.get("details") or {}).get("receivedDocuments") or 0) for t in tasks]
    return {
        "tasks": len(tasks),
        "batches": len({t.get("batchUid") for t in tasks}),
        "documents_per_task": round(statistics.mean(sizes), 1) if sizes else 0.0,
        "duration": _percentiles(durations),
        "queued": _percentiles(waits),
    }


def line(result: dict[str, Any]) -> str:
    found = result["from_send"]
    return (
        f"{result['published']} published at {result['achieved_rate']}/s, {result['found']} "
        f"found: publish→searchable p50 {found['p50_ms']:.0f} ms, p95 {found['p95_ms']:.0f} ms, "
        f"max {found['max_ms']:.0f} ms; {result['failures']} failures"
    )
