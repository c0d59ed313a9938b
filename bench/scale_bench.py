"""Cost that does not grow with the data: the same reads at 10,000, 100,000 and 1,000,000 listings.

    python -m bench.scale_bench [--postgres-url URL] [--sizes 10000,100000,1000000]
                                [--search-sizes 10000,100000] [--requests 200]

PostgreSQL only. For each size the database is seeded afresh (`bench.seed`), the app is served
by one uvicorn process pinned to core 0, and each shape is sent one request at a time (one
connection, after a warm-up); the figure is the p50 of the requests' wall time, with the server's
CPU time per request beside it (`/proc/<pid>/stat`):

- **page**: `listings(first: 50)` with each node's place and organization (`bench.run`'s query);
- **department_total**: the same page filtered by department (`69`) with its `totalCount`,
  checked against an exact `COUNT(*)` of what an anonymous viewer sees there;
- **search**: one search through GraphQL (`bench.search_queries`), after indexing the database
  into a fresh Meilisearch (timed). Indexing a million listings takes long on a small machine,
  so by default search runs at the sizes of `--search-sizes` only.

The target (issue 14): p50 at 1,000,000 within 1.5× of p50 at 10,000. Results go to
`results["scale"][shape][str(size)]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import sys
import time
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bench import search_bench, search_queries
from bench.seed import seed
from bench.servers import Server, app_environment, serve

SIZES = (10_000, 100_000, 1_000_000)
SEARCH_SIZES = (10_000, 100_000)
DEPARTMENT = "69"
NODE = "node { id title space { name } organization { name } }"
PAGE = "{ listings(first: 50) { edges { " + NODE + " } } }"
DEPARTMENT_TOTAL = (
    f'{{ listings(first: 50, filter: {{department: "{DEPARTMENT}"}}) '
    f"{{ totalCount edges {{ {NODE} }} }} }}"
)
SEARCH_CASE = search_queries.CASES[1]  # text with a typo, no place: the engine's own work
SHAPES = ("page", "department_total", "search")
_JSON = {"Content-Type": "application/json"}
WARMUP = 20


def _pin(server: Server) -> None:
    """One core for the app, as the rest of the bench does (`taskset -c 0`)."""
    os.sched_setaffinity(server.pid, {0})


def timed(server: Server, body: str, requests: int) -> dict[str, Any]:
    """p50 and p90 of `requests` sequential requests on one connection, and server CPU each."""
    url = server.base_url + "/graphql"
    with httpx.Client(timeout=60) as client:
        for _ in range(WARMUP):
            _checked(client.post(url, content=body, headers=_JSON))
        cpu = server.cpu_seconds()
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            _checked(client.post(url, content=body, headers=_JSON))
            times.append((time.perf_counter() - started) * 1000)
        cpu_ms = (server.cpu_seconds() - cpu) * 1000 / requests
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 2),
        "p90_ms": round(times[int(len(times) * 0.9)], 2),
        "cpu_ms": round(cpu_ms, 2),
        "requests": requests,
    }


def _checked(response: httpx.Response) -> dict[str, Any]:
    answer: dict[str, Any] = response.json()
    if response.status_code != 200 or answer.get("errors"):
        raise RuntimeError(f"the query failed: {answer}")
    return answer


async def exact_department_count(url: str) -> int:
    """What an anonymous viewer sees in the department, counted row by row."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            counted = await connection.execute(
                text(
                    "SELECT count(*) FROM listing WHERE department_code = :d"
                    " AND status = 'PUBLISHED' AND visibility = 'PUBLIC' AND hidden_at IS NULL"
                ),
                {"d": DEPARTMENT},
            )
            return int(counted.scalar_one())
    finally:
        await engine.dispose()


def bench_size(url: str, secret: str, size: int, requests: int, search: bool) -> dict[str, Any]:
    """Seed `size` listings, then time each shape; the search shape only when `search`."""
    figures: dict[str, Any] = {}
    seeded = asyncio.run(seed(url, size))
    figures["seed_s"] = round(seeded.seconds, 1)
    print(f"scale {size:>9,}: seeded in {seeded.seconds:.1f} s", flush=True)
    expected = asyncio.run(exact_department_count(url))
    env = app_environment(url, secret)
    with serve("api.app:app_from_environment", "/healthz", env, factory=True) as app:
        _pin(app)
        with httpx.Client(timeout=60) as client:
            answer = _checked(
                client.post(app.base_url + "/graphql", json={"query": DEPARTMENT_TOTAL})
            )
        total = answer["data"]["listings"]["totalCount"]
        if total != expected:
            raise RuntimeError(f"totalCount {total} in {DEPARTMENT}, but {expected} rows match")
        figures["page"] = timed(app, json.dumps({"query": PAGE}), requests)
        figures["department_total"] = timed(app, json.dumps({"query": DEPARTMENT_TOTAL}), requests)
        figures["department_total"]["total_count"] = total
    if search:
        with search_bench.meilisearch(f"scale-{size}") as server:
            indexing = asyncio.run(search_bench.index(url, server))
            figures["index_s"] = indexing["reindex_s"]
            print(f"scale {size:>9,}: indexed in {indexing['reindex_s']} s", flush=True)
            env = search_bench.app_env(url, server, secret, relay=False)
            with serve("api.app:app_from_environment", "/healthz", env, factory=True) as app:
                _pin(app)
                body = search_queries.graphql_body(SEARCH_CASE)
                figures["search"] = timed(app, body, requests)
    for shape in SHAPES:
        if shape in figures:
            f = figures[shape]
            print(
                f"scale {size:>9,}: {shape:17} p50 {f['p50_ms']:7.2f} ms  p90 {f['p90_ms']:7.2f} ms"
                f"  CPU {f['cpu_ms']:6.2f} ms/req",
                flush=True,
            )
    return figures


def bench_scale(
    url: str,
    secret: str,
    sizes: tuple[int, ...] = SIZES,
    search_sizes: tuple[int, ...] = SEARCH_SIZES,
    requests: int = 200,
) -> dict[str, Any]:
    """results["scale"]: {shape: {str(size): figures}}; "sizes": seeding and indexing times;
    "growth": {shape: p50 at the largest size / p50 at the smallest}."""
    by_size = {
        size: bench_size(url, secret, size, requests, size in search_sizes) for size in sizes
    }
    result: dict[str, Any] = {shape: {} for shape in SHAPES}
    result["sizes"] = {}
    for size, figures in by_size.items():
        for shape in SHAPES:
            if shape in figures:
                result[shape][str(size)] = figures[shape]
        result["sizes"][str(size)] = {k: figures[k] for k in ("seed_s", "index_s") if k in figures}
    result["growth"] = {}  # p50 at the largest size over p50 at the smallest, by shape
    smallest, largest = str(min(sizes)), str(max(sizes))
    for shape in SHAPES:
        runs = result[shape]
        if smallest in runs and largest in runs and smallest != largest:
            result["growth"][shape] = round(runs[largest]["p50_ms"] / runs[smallest]["p50_ms"], 2)
    return result


def render(results: dict[str, Any]) -> str:
    scale = results.get("scale")
    if not scale:
        return ""
    if "skipped" in scale:
        return f"\n## Scale\n\nskipped: {scale['skipped']}\n"
    sizes = sorted(scale.get("sizes", {}), key=int)
    lines = [
        "\n## Scale (PostgreSQL, one request at a time, app on core 0)\n",
        "| shape | "
        + " | ".join(f"p50 at {int(s):,} (ms)" for s in sizes)
        + " | largest / smallest |",
        "|---|" + "---:|" * (len(sizes) + 1),
    ]
    for shape in SHAPES:
        runs = scale.get(shape, {})
        cells = [f"{runs[s]['p50_ms']:.2f}" if s in runs else "–" for s in sizes]
        growth = scale.get("growth", {}).get(shape)
        lines.append(f"| {shape} | " + " | ".join(cells) + f" | {growth if growth else '–'} |")
    lines.append("")
    lines.append(
        "Seeding: "
        + ", ".join(f"{int(s):,} in {scale['sizes'][s]['seed_s']} s" for s in sizes)
        + "."
    )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--postgres-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/entrelieux_bench"
    )
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--search-sizes", default=",".join(map(str, SEARCH_SIZES)))
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--out", help="write the figures as JSON to this file")
    args = parser.parse_args(argv)
    sizes = tuple(int(s) for s in args.sizes.split(",") if s)
    search_sizes = tuple(int(s) for s in args.search_sizes.split(",") if s)
    result = bench_scale(
        args.postgres_url, secrets.token_urlsafe(32), sizes, search_sizes, args.requests
    )
    if args.out:
        with open(args.out, "w") as out:
            json.dump(result, out, indent=2)
    print(render({"scale": result}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
