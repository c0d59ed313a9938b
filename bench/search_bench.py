"""The search benchmark of one seeded database: indexing, search load, publish→searchable.

1. **Indexing.** A fresh Meilisearch (`search.server.MeilisearchServer`, data under
   `bench/out/meilisearch-<backend>/`); `ensure_indexes`, then `search.indexing.reindex` from
   the database, timed. Meilisearch's own task durations say how much of it is the engine's.
2. **Search load.** The real app served by uvicorn with `MEILI_URL` on that server and
   `RUN_RELAY=false`; the same searches (`bench.search_queries`) sent through GraphQL and
   straight to Meilisearch's `/indexes/listings/search`, with the same wrk settings, the two
   targets taking turns. Then one connection alone, for latency without queueing.
3. **Publish→searchable** (`bench.freshness`): the app with its relay; listings published
   through GraphQL at a fixed rate, each timed until Meilisearch finds it.
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from bench import freshness, load, meilisearch_tasks, search_queries
from bench.seed import OUT
from bench.servers import Server, app_environment, serve
from core.db import Database
from core.settings import Settings
from search.client import SearchClient
from search.indexing import ensure_indexes, reindex
from search.listings_index import LISTINGS
from search.server import MeilisearchServer

TARGETS = ("graphql", "meilisearch")


@dataclass(frozen=True)
class SearchOptions:
    plan: load.LoadPlan
    repeats: int
    warmup_s: int
    probe_s: int
    """Seconds of each one-connection run (latency without queueing)."""
    publish_rate: float
    publish_s: float


@contextmanager
def meilisearch(name: str) -> Iterator[MeilisearchServer]:
    """A new, empty Meilisearch for one backend, stopped when the block ends."""
    folder = OUT / f"meilisearch-{name}"
    shutil.rmtree(folder, ignore_errors=True)
    server = MeilisearchServer(data_dir=folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _meilisearch_process(server: MeilisearchServer) -> Server:
    assert server.process is not None
    return Server(server.url, server.process.pid)


def app_env(
    url: str, server: MeilisearchServer, secret: str, *, relay: bool, limited: bool = False
) -> dict[str, str]:
    """The bench's app (`bench.servers.app_environment`) searching `server`, its relay on or
    off. The search and publish runs measure searches and publishes, not the limiter: it is off
    (a publisher at 50/s would spend an organization's creations in seconds) unless `limited`,
    where the production budgets apply (`bench.attacks` measures what they do)."""
    search = {
        "SEARCH_ENABLED": "true",
        "MEILI_URL": server.url,
        "MEILI_MASTER_KEY": server.master_key,
        "RUN_RELAY": "true" if relay else "false",
    }
    if not limited:
        search["RATE_LIMITS_ENABLED"] = "false"
    return app_environment(url, secret, production_budgets=limited, **search)


def bench_search(
    name: str, url: str, secret: str, options: SearchOptions, *, load_runs: bool = True
) -> dict[str, Any]:
    """Indexing, then (unless `load_runs` is false: `--only freshness`) the search load runs,
    then publish→searchable."""
    result: dict[str, Any] = {}
    with meilisearch(name) as server:
        print(f"  indexing into Meilisearch at {server.url}", flush=True)
        result["indexing"] = asyncio.run(index(url, server))
        indexing = result["indexing"]
        print(
            f"  indexed {indexing['listings']:,} listings in {indexing['reindex_s']} s "
            f"({indexing['listings_per_s']:,.0f}/s)",
            flush=True,
        )
        if load_runs:
            result["load"] = measure(url, server, secret, options)
        print(f"  publishing {options.publish_rate:g} listings/s", flush=True)
        result["freshness"] = freshness.measure(
            url,
            server,
            app_env(url, server, secret, relay=True),
            rate=options.publish_rate,
            seconds=options.publish_s,
        )
        print(f"  {freshness.line(result['freshness'])}", flush=True)
    return result


# 1. Indexing


async def index(url: str, server: MeilisearchServer) -> dict[str, Any]:
    """Create the indexes, then rebuild them from the database; timed, with the engine's share."""
    database = Database.from_settings(Settings(database_url=url, load_demo_data=False))
    client = SearchClient(server.url, server.master_key, timeout=60)
    engine = _meilisearch_process(server)
    try:
        started = time.perf_counter()
        await ensure_indexes(client)
        created = time.perf_counter()
        cpu, engine_cpu = time.process_time(), engine.cpu_seconds()
        count = await reindex(database, client)
        done = time.perf_counter()
        cpu, engine_cpu = time.process_time() - cpu, engine.cpu_seconds() - engine_cpu
        indexed = await client.document_count(LISTINGS)
        tasks = meilisearch_tasks.by_index_and_type(await meilisearch_tasks.fetch(client.http))
    finally:
        await client.close()
        await database.dispose()
    if indexed != count:
        raise RuntimeError(f"reindex reported {count} listings, the index holds {indexed}")
    seconds = done - created
    return {
        "listings": count,
        "ensure_indexes_s": round(created - started, 2),
        "reindex_s": round(seconds, 2),
        "listings_per_s": round(count / seconds, 1),
        "bench_process_cpu_s": round(cpu, 2),
        "meilisearch_cpu_s": round(engine_cpu, 2),
        "tasks": tasks,
    }


# 2. Search load


def measure(
    url: str, server: MeilisearchServer, secret: str, options: SearchOptions
) -> dict[str, Any]:
    env = app_env(url, server, secret, relay=False)
    engine = _meilisearch_process(server)
    authorization = f"Bearer {server.master_key}"
    raw_url = f"{server.url}/indexes/{LISTINGS}/search"
    with serve("api.app:app_from_environment", "/healthz", env, factory=True) as app:
        graphql_url = app.base_url + "/graphql"
        graphql, raw = asyncio.run(_bodies(url))
        checked = search_queries.check(graphql_url, raw_url, server.master_key, graphql, raw)
        targets = {
            "graphql": (graphql_url, graphql, None),
            "meilisearch": (raw_url, raw, authorization),
        }
        warmup = load.LoadPlan(options.plan.connections, options.plan.threads, options.warmup_s)
        for target, bodies, auth in targets.values():
            load.drive_mix(target, bodies, warmup, auth)
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in TARGETS}
        alone: dict[str, list[dict[str, Any]]] = {name: [] for name in TARGETS}
        one = load.LoadPlan(connections=1, threads=1, duration_s=options.probe_s)
        for plan, into, label in ((options.plan, runs, "run"), (one, alone, "alone")):
            for repeat in range(options.repeats):
                for name, (target, bodies, auth) in targets.items():
                    figures = _run(target, bodies, auth, plan, app, engine)
                    into[name].append(figures)
                    print(f"  {label} {repeat + 1} {name:11} {_line(figures)}", flush=True)
    median = {name: _median(found) for name, found in runs.items()}
    median_alone = {name: _median(found) for name, found in alone.items()}
    return {
        "checked": checked,
        "runs": runs,
        "alone": alone,
        "median": median,
        "median_alone": median_alone,
        "added": _added(median),
        "added_alone": _added(median_alone),
        "peer": peer(median_alone),
    }


def peer(median_alone: dict[str, dict[str, float]]) -> dict[str, Any]:
    """The one-connection comparison (`results["search_peer"]`): the web app's search document
    through GraphQL against the same search sent straight to Meilisearch; `cpu_ms` is the serving
    process's CPU per request (the app's, or Meilisearch's for the direct side)."""

    def side(figures: dict[str, float], cpu_key: str) -> dict[str, float]:
        return {
            "rps": figures["requests_per_s"],
            "p50_ms": figures["p50_ms"],
            "p99_ms": figures["p99_ms"],
            "cpu_ms": figures[cpu_key],
        }

    graphql, raw = median_alone["graphql"], median_alone["meilisearch"]
    return {
        "graphql": side(graphql, "app_cpu_ms")
        | {"meilisearch_cpu_ms": graphql["meilisearch_cpu_ms"]},
        "meilisearch": side(raw, "meilisearch_cpu_ms"),
        "ratio": round(graphql["requests_per_s"] / raw["requests_per_s"], 3),
        "p50_delta_ms": round(graphql["p50_ms"] - raw["p50_ms"], 2),
    }


async def _bodies(url: str) -> tuple[list[str], list[str]]:
    database = Database.from_settings(Settings(database_url=url, load_demo_data=False))
    try:
        return await search_queries.bodies(database)
    finally:
        await database.dispose()


def _run(
    url: str,
    bodies: list[str],
    authorization: str | None,
    plan: load.LoadPlan,
    app: Server,
    engine: Server,
) -> dict[str, Any]:
    app_cpu, engine_cpu = app.cpu_seconds(), engine.cpu_seconds()
    result = load.drive_mix(url, bodies, plan, authorization)
    requests = max(result.requests, 1)
    app_ms = (app.cpu_seconds() - app_cpu) * 1000 / requests
    engine_ms = (engine.cpu_seconds() - engine_cpu) * 1000 / requests
    figures = result.as_dict()
    figures.pop("server_cpu_ms")
    return figures | {"app_cpu_ms": round(app_ms, 3), "meilisearch_cpu_ms": round(engine_ms, 3)}


def _line(figures: dict[str, Any]) -> str:
    return (
        f"{figures['requests_per_s']:8.1f} req/s  p50 {figures['p50_ms']:7.2f} ms  "
        f"p99 {figures['p99_ms']:7.2f} ms  CPU app {figures['app_cpu_ms']:6.3f} "
        f"+ Meilisearch {figures['meilisearch_cpu_ms']:6.3f} ms/req  errors {figures['errors']}"
    )


def _median(runs: list[dict[str, Any]]) -> dict[str, float]:
    keys = ("requests_per_s", "p50_ms", "p99_ms", "app_cpu_ms", "meilisearch_cpu_ms", "errors")
    return {k: round(statistics.median(float(r[k]) for r in runs), 3) for k in keys}


def _added(median: dict[str, dict[str, float]]) -> dict[str, float]:
    """What going through GraphQL adds to the direct search, from the medians."""
    graphql, raw = median["graphql"], median["meilisearch"]
    return {
        "p50_ms": round(graphql["p50_ms"] - raw["p50_ms"], 2),
        "p99_ms": round(graphql["p99_ms"] - raw["p99_ms"], 2),
        "throughput_ratio": round(graphql["requests_per_s"] / raw["requests_per_s"], 4),
    }
