"""`make bench`: listings against a bare Starlette route, and search against Meilisearch itself.

    python -m bench.run [--only PART] [--backends sqlite,postgresql] [--repeats 3]

    PART: listings|peer|cache|workers|search|freshness|exchanges|territory|scale|web|trusted|
          attacks|fuzz

For each backend: seed a fresh database with 100,000 listings, then
- **listings**: count the SQL statements one `listings(first: 50)` request sends (in-process,
  with `core.db.attach_counter`), then serve the real app and the bare app with uvicorn on
  loopback ports and load each in turn with the same tool, connections and duration, after a
  warm-up;
- **peer** (`bench.peer`, PostgreSQL only): the same pages from our app and from PostGraphile V5
  (`bench/postgraphile/`), one core each, in turn; both must return the same rows first;
- **search** (`bench.search_bench`): index the database into a fresh Meilisearch, timed; load
  the same searches through GraphQL and straight to Meilisearch in turn; then time
  publish→searchable while listings are published at a fixed rate (`bench.freshness`);
- **exchanges** (`bench.exchanges_bench`, on a database of its own, not seeded): request+accept
  under contention, through the API and with the driver directly, in turn;
- **cache** (`bench.cache_bench`): the response cache off and on, on a Zipf mix of 1,000 distinct
  anonymous reads and 1 write per 100 (results["cache"]: PostgreSQL's);
- **workers** (`bench.workers_bench`, PostgreSQL only): the same page from `serve --workers 1`
  pinned to core 0 and `--workers 2` on cores 0-1, in turn; the ratio of their req/s;
- **territory** (`bench.territory_bench`, last: it adds 20,000 exchanges to the seeded database):
  a region's and a commune's `Query.territory` page, p50 one request at a time, and its SQL
  statements.

Then on PostgreSQL: **scale** (`bench.scale_bench`): the page, a department's page with its
`totalCount` and a search at 10,000, 100,000 and 1,000,000 listings (search at the first two).

Once, whatever the backends: **web** (`bench.web_bench`): Lighthouse on the search page and a
listing's page of the web app served with the demo data, and its first-load JavaScript.

Once, on PostgreSQL: **trusted** (`bench.trusted_bench`): the web app's search and places
documents sent as text and by id, server CPU per request and req/s.

Then, once, whatever the part before: **attacks** (`bench.attacks`, its own seeded database per
backend: what each attack of issue 13 costs the server and does to a legitimate query's p99;
`python -m bench.attacks --help` for its own flags) and **fuzz** (`bench.fuzz`: 5,000 generated
GraphQL documents on SQLite, counts of answers by status and error code).

Each figure quoted is the median of the repeats; `bench.targets` marks issue 14's targets met,
missed or not measured from the figures of the run. The figures and the machine go to
`bench/out/results.json` and `bench/out/report.md` (copy them into RESULTS.md).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import make_url, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import create_async_engine

from api.app import create_app
from bench import (
    attacks,
    cache_bench,
    exchanges_bench,
    fuzz,
    load,
    machine,
    peer,
    report,
    scale_bench,
    search_bench,
    search_queries,
    targets,
    territory_bench,
    trusted_bench,
    web_bench,
    workers_bench,
)
from bench.exchanges_bench import ExchangeOptions
from bench.peer import PeerOptions
from bench.search_bench import SearchOptions
from bench.seed import DEFAULT_SQLITE_URL, OUT, seed
from bench.servers import Server, app_environment, serve
from core.db import attach_counter
from core.settings import PROJECT_ROOT, Settings

QUERY = (
    "{ listings(first: 50) { edges { node { id title space { name } organization { name } } } } }"
)
BODY = json.dumps({"query": QUERY})
_JSON = {"Content-Type": "application/json"}
POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/entrelieux_bench"
SECRET = secrets.token_urlsafe(32)
PARTS = (
    "listings",
    "peer",
    "cache",
    "workers",
    "search",
    "freshness",
    "exchanges",
    "territory",
    "scale",
    "web",
    "trusted",
    "attacks",
    "fuzz",
)
ONCE_PARTS = ("scale", "web", "trusted", "attacks", "fuzz")
"""Parts run once whatever the backends; the others run for each backend."""
BACKEND_PARTS = tuple(p for p in PARTS if p not in ONCE_PARTS)
FAILURES = (OSError, RuntimeError, SQLAlchemyError, subprocess.SubprocessError, httpx.HTTPError)


@dataclass(frozen=True)
class Options:
    backends: list[str]
    parts: list[str]
    postgres_url: str
    plan: load.LoadPlan
    repeats: int
    warmup_s: int
    listings: int
    search: SearchOptions
    exchanges: ExchangeOptions
    peer: PeerOptions


def _settings(url: str) -> Settings:
    return Settings(
        database_url=url,
        environment="production",
        secret_key=SECRET,
        load_demo_data=False,
        search_enabled=False,
        response_cache_enabled=False,  # the uncached path; bench.cache_bench measures the cache
    )


def check_answer(answer: dict[str, Any]) -> int:
    """The number of edges of a good answer; raises on errors or a short page."""
    if answer.get("errors"):
        raise RuntimeError(f"the query failed: {answer['errors']}")
    edges = answer["data"]["listings"]["edges"]
    if len(edges) != 50 or not all(e["node"]["organization"]["name"] for e in edges):
        raise RuntimeError(f"unexpected answer: {len(edges)} edges")
    return len(edges)


async def count_statements(url: str) -> dict[str, Any]:
    """SQL statements of one warm request, counted in-process on the app's own engine."""
    app = create_app(_settings(url))
    counter = attach_counter(app.state.database.engine)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            check_answer((await client.post("/graphql", content=BODY, headers=_JSON)).json())
            counter.total, counter.last = 0, []
            check_answer((await client.post("/graphql", content=BODY, headers=_JSON)).json())
    finally:
        await app.state.database.dispose()
    return {"count": counter.total, "sql": [" ".join(s.split()) for s in counter.last]}


async def postgres_facts(url: str) -> dict[str, str]:
    """The server's version and memory setting; raises when PostgreSQL does not answer."""
    engine = create_async_engine(make_url(url).set(database="postgres"))
    try:
        async with engine.connect() as connection:
            version = (await connection.execute(text("SHOW server_version"))).scalar_one()
            buffers = (await connection.execute(text("SHOW shared_buffers"))).scalar_one()
    finally:
        await engine.dispose()
    return {"server_version": str(version), "shared_buffers": str(buffers)}


def measure(url: str, options: Options) -> dict[str, Any]:
    """Serve the app on `url` and the bare app; load each, alternating, `repeats` times."""
    # Browsing never touches Meilisearch: no search server, no outbox relay polling.
    env = app_environment(url, SECRET)
    targets: dict[str, list[load.LoadResult]] = {"graphql": [], "bare": []}
    with (
        serve("api.app:app_from_environment", "/healthz", env, factory=True) as app,
        serve("bench.bare:app", "/json") as bare,
    ):
        servers = {"graphql": (app, "/graphql"), "bare": (bare, "/json")}
        graphql_url = app.base_url + "/graphql"
        check_answer(httpx.post(graphql_url, content=BODY, headers=_JSON, timeout=10).json())
        warmup = load.LoadPlan(options.plan.connections, options.plan.threads, options.warmup_s)
        for server, path in servers.values():
            load.drive(server.base_url + path, BODY, warmup)
        for repeat in range(options.repeats):
            for name, (server, path) in servers.items():
                result = _run(server, path, options.plan)
                targets[name].append(result)
                print(f"  run {repeat + 1} {name:8} {_line(result)}", flush=True)
                if result.errors:  # a 429 or a 5xx (wrk: status > 399), a timeout, a reset
                    raise RuntimeError(
                        f"{result.errors} failed requests in run {repeat + 1} of "
                        f"{name}: its figures would measure refusals, not answers"
                    )
    medians = {name: _median(runs) for name, runs in targets.items()}
    return {
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "runs": {name: [r.as_dict() for r in runs] for name, runs in targets.items()},
        "median": medians,
        "ratio": report.ratios(medians["graphql"], medians["bare"]),
    }


def _run(server: Server, path: str, plan: load.LoadPlan) -> load.LoadResult:
    before = server.cpu_seconds()
    result = load.drive(server.base_url + path, BODY, plan)
    cpu_ms = (server.cpu_seconds() - before) * 1000 / max(result.requests, 1)
    return dataclasses.replace(result, server_cpu_ms=round(cpu_ms, 3))


def _line(result: load.LoadResult) -> str:
    return (
        f"{result.requests_per_s:9.1f} req/s  p50 {result.p50_ms:7.2f} ms  "
        f"p99 {result.p99_ms:7.2f} ms  CPU {result.server_cpu_ms:6.3f} ms/req  "
        f"errors {result.errors}"
    )


def _median(runs: list[load.LoadResult]) -> dict[str, float]:
    keys = ("requests_per_s", "p50_ms", "p99_ms", "server_cpu_ms", "errors")
    return {k: round(statistics.median(float(getattr(r, k)) for r in runs), 3) for k in keys}


def bench_backend(name: str, url: str, options: Options) -> dict[str, Any]:
    result: dict[str, Any] = {"url": url}
    if name == "postgresql":
        result["server"] = asyncio.run(postgres_facts(url))
    seeded_parts = {"listings", "search", "freshness", "territory"} | (
        {"peer", "cache", "workers"} if name == "postgresql" else set()
    )
    if seeded_parts & set(options.parts):
        print(f"{name}: seeding {options.listings} listings", flush=True)
        seeded = asyncio.run(seed(url, options.listings))
        result["seed"] = vars(seeded) | {"seconds": round(seeded.seconds, 1)}
        print(
            f"  {seeded.organizations} organizations, {seeded.spaces} places "
            f"in {seeded.seconds:.1f} s"
        )
    if "listings" in options.parts:
        result["statements"] = asyncio.run(count_statements(url))
        print(f"  {result['statements']['count']} SQL statements per request", flush=True)
        try:
            result |= measure(url, options)
        except FAILURES as error:  # loud (the run fails), the other parts still measured
            result["listings_skipped"] = str(error)
            print(f"{name}: listings: {error}", file=sys.stderr, flush=True)
    if "peer" in options.parts and name == "postgresql":  # before search publishes listings
        print(f"{name}: beside PostGraphile", flush=True)
        try:
            result["peer"] = peer.bench_peer(url, SECRET, options.peer)
        except FAILURES as error:  # a mismatch of rows included: loud, the others' figures kept
            result["peer"] = {"skipped": str(error)}
            print(f"{name}: PostGraphile comparison failed: {error}", file=sys.stderr, flush=True)
    if "cache" in options.parts and name == "postgresql":  # 1,000 reads, 1 write per 100
        print(f"{name}: response cache", flush=True)
        try:
            result["cache"] = cache_bench.bench_cache(url, SECRET, options.plan, options.repeats)
        except FAILURES as error:  # keep the other figures of this backend
            result["cache"] = {"skipped": str(error)}
            print(f"{name}: response cache skipped: {error}", file=sys.stderr, flush=True)
    if {"search", "freshness"} & set(options.parts):  # freshness alone: no search load runs
        print(f"{name}: search", flush=True)
        try:
            result["search"] = search_bench.bench_search(
                name, url, SECRET, options.search, load_runs="search" in options.parts
            )
        except FAILURES as error:  # keep the listings figures of this backend
            result["search"] = {"skipped": str(error)}
            print(f"{name}: search skipped: {error}", file=sys.stderr, flush=True)
    if "exchanges" in options.parts:
        print(f"{name}: exchanges", flush=True)
        own = exchanges_bench.database_url(url)
        result["exchanges"] = exchanges_bench.bench_exchanges(name, own, SECRET, options.exchanges)
    if "workers" in options.parts and name == "postgresql":  # SQLite refuses several workers
        print(f"{name}: serve --workers 1 and 2", flush=True)
        result["workers"] = workers_bench.bench_workers(
            url, SECRET, options.plan, options.repeats, options.warmup_s
        )
    if "territory" in options.parts:  # last: it adds exchanges to the seeded database
        print(f"{name}: territory", flush=True)
        result["territory"] = territory_bench.bench_territory(url, SECRET)
    return result


def parse(argv: list[str]) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=PARTS, help="run one part (default: all)")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--duration", type=int, default=15, help="seconds per run")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of warm-up per target")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument(
        "--peer-duration", type=int, default=10, help="seconds per run beside PostGraphile"
    )
    parser.add_argument(
        "--search-duration", type=int, default=10, help="seconds per search run (both targets)"
    )
    parser.add_argument(
        "--probe", type=int, default=5, help="seconds per one-connection search run"
    )
    parser.add_argument("--publish-rate", type=float, default=50.0, help="listings per second")
    parser.add_argument("--publish-seconds", type=float, default=20.0)
    parser.add_argument("--exchange-clients", type=int, default=32)
    parser.add_argument("--exchange-machines", type=int, default=4)
    parser.add_argument("--exchange-duration", type=float, default=10.0, help="seconds per run")
    args = parser.parse_args(argv)
    return Options(
        backends=[b.strip() for b in args.backends.split(",") if b.strip()],
        parts=[args.only] if args.only else list(PARTS),
        postgres_url=args.postgres_url,
        plan=load.LoadPlan(args.connections, args.threads, args.duration),
        repeats=args.repeats,
        warmup_s=args.warmup,
        listings=args.listings,
        search=SearchOptions(
            plan=load.LoadPlan(args.connections, args.threads, args.search_duration),
            repeats=args.repeats,
            warmup_s=args.warmup,
            probe_s=args.probe,
            publish_rate=args.publish_rate,
            publish_s=args.publish_seconds,
        ),
        exchanges=ExchangeOptions(
            clients=args.exchange_clients,
            machines=args.exchange_machines,
            duration_s=args.exchange_duration,
            repeats=args.repeats,
        ),
        peer=PeerOptions(
            plan=load.LoadPlan(args.connections, args.threads, args.peer_duration),
            repeats=args.repeats,
            warmup_s=args.warmup,
        ),
    )


def headline(backends: dict[str, Any]) -> dict[str, Any]:
    """The agreed keys for bench/targets.py: exchanges' ratio and freshness' p95 per backend, and
    the response cache's figures (PostgreSQL's)."""
    figures: dict[str, Any] = {"exchanges": {}, "freshness": {}}
    for name, backend in backends.items():
        if ratio := backend.get("exchanges", {}).get("ratio"):
            figures["exchanges"][name] = {"ratio": ratio["successes_per_s"]} | ratio
        if fresh := backend.get("search", {}).get("freshness"):
            figures["freshness"][name] = {"p95_s": fresh["from_send"]["p95_ms"] / 1000}
        if name == "postgresql" and "cache" in backend:
            figures["cache"] = backend["cache"]
    return {key: value for key, value in figures.items() if value}


def main(argv: list[str] | None = None) -> int:
    options = parse(sys.argv[1:] if argv is None else argv)
    started = time.perf_counter()
    results: dict[str, Any] = {
        "machine": machine.describe(),
        "tool": load.tool_name(),
        "parts": options.parts,
        "plan": vars(options.plan) | {"repeats": options.repeats, "warmup_s": options.warmup_s},
        "query": QUERY,
        "search_plan": vars(options.search.plan)
        | {
            "repeats": options.search.repeats,
            "warmup_s": options.search.warmup_s,
            "probe_s": options.search.probe_s,
            "publish_rate": options.search.publish_rate,
            "publish_s": options.search.publish_s,
        },
        "search_queries": [
            {"name": case.name, "graphql": search_queries.graphql_body(case)}
            for case in search_queries.CASES
        ],
        "backends": {},
    }
    print(f"load tool: {results['tool']}; {options.plan}", flush=True)
    urls = {"sqlite": DEFAULT_SQLITE_URL, "postgresql": options.postgres_url}
    failed = False
    backends = options.backends if set(options.parts) & set(BACKEND_PARTS) else []
    for name in backends:
        try:
            results["backends"][name] = bench_backend(name, urls[name], options)
            failed |= "skipped" in results["backends"][name].get("search", {})
            failed |= "listings_skipped" in results["backends"][name]
            if "peer" in results["backends"][name]:
                results["peer"] = results["backends"][name].pop("peer")
                failed |= "skipped" in results["peer"]
            if "peer" in results["backends"][name].get("search", {}).get("load", {}):
                # PostgreSQL's when both ran (the target is read there): it runs last
                results["search_peer"] = results["backends"][name]["search"]["load"]["peer"]
        except FAILURES as error:
            failed = True
            results["backends"][name] = {"url": urls[name], "skipped": str(error)}
            print(f"{name}: skipped: {error}", file=sys.stderr, flush=True)
    if "scale" in options.parts and "postgresql" in options.backends:  # reseeds the database
        print("scale: 10,000 to 1,000,000 listings", flush=True)
        try:
            results["scale"] = scale_bench.bench_scale(options.postgres_url, SECRET)
        except FAILURES as error:
            failed = True
            results["scale"] = {"skipped": str(error)}
            print(f"scale: skipped: {error}", file=sys.stderr, flush=True)
    if "workers" in results["backends"].get("postgresql", {}):
        results["workers"] = results["backends"]["postgresql"]["workers"]
    if "web" in options.parts:
        print("web: Lighthouse", flush=True)
        try:
            results["web"] = web_bench.bench_web(options.repeats)
        except FAILURES as error:
            failed = True
            results["web"] = {"skipped": str(error)}
            print(f"web: skipped: {error}", file=sys.stderr, flush=True)
    if "trusted" in options.parts and "postgresql" in options.backends:
        print("trusted documents", flush=True)
        seeded = "listings" in options.parts  # else seed its own (the same database)
        try:
            results["trusted"] = trusted_bench.bench_trusted(
                options.postgres_url,
                options.search.plan,
                options.repeats,
                options.warmup_s,
                None if seeded else options.listings,
            )
        except FAILURES as error:
            failed = True
            results["trusted"] = {"skipped": str(error)}
            print(f"trusted: skipped: {error}", file=sys.stderr, flush=True)
    if "attacks" in options.parts:  # its own figures: bench/out/attacks.md, attacks-<db>.json
        print("attacks", flush=True)
        attack_args = ["--backends", ",".join(options.backends), "--duration", "10"]
        failed |= attacks.main(attack_args) != 0  # 10 s an attack keeps make bench short
    if "fuzz" in options.parts:  # its own figures: bench/out/fuzz-sqlite.json
        print("fuzz", flush=True)
        failed |= fuzz.main(["--examples", "2000"]) != 0  # `python -m bench.fuzz` for longer
    results |= headline(results["backends"])
    results["total_seconds"] = round(time.perf_counter() - started, 1)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    markdown = (
        report.render(results)
        + exchanges_bench.render(results)
        + territory_bench.render(results)
        + scale_bench.render(results)
        + cache_bench.render(results)
        + web_bench.render(results)
        + workers_bench.render(results)
        + trusted_bench.render(results)
        + peer.render(results)
        + targets.render(results)
    )
    (OUT / "report.md").write_text(markdown)
    print(markdown)
    print(f"written: {(OUT / 'report.md').relative_to(PROJECT_ROOT)}, results.json")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
