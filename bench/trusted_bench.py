"""Trusted documents: the web app's search page and places page, sent as text and by id.

    python -m bench.trusted_bench [--postgres-url URL] [--listings N] [--duration S]
                                  [--repeats N] [--no-seed]

The documents are the built web app's own (`frontend/dist/trusted-documents.json`, `make
frontend`), with the variables the pages send: `Search` (`/?q=imprimante 3D`, 20 hits, through
Meilisearch) and `PlacesDirectory` (`/lieux`, 20 places with the typology counts, the database).
One app process (production settings, pinned to core 0) serves both ways in turn, alternating,
`repeats` runs each after a warm-up:
- **text**: `{"query": ..., "operationName": ..., "variables": ...}` as a client without ids sends
  it; the text ends with one space more than the manifest's, so the server parses (its parse cache
  hits, as for any repeated document), hashes its syntax tree for the validation cache, measures
  and validates it as it does for any document that is not trusted;
- **hash**: `{"documentId": "sha256:...", "operationName": ..., "variables": ...}`.
The figure is the server's CPU per request (from /proc) and req/s, medians. Then, in-process
(`in_process`: the app and an httpx client in this one process, no network, one request at a
time, `time.process_time`), the same bodies, 200 requests per run, alternating, medians of 5: the
difference between the two ways is the server's own saving, with far less noise than under load.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import statistics
import sys
import time
from typing import Any

import httpx

from api.app import create_app
from bench import load, search_bench
from bench.seed import OUT, seed
from bench.servers import Server, serve
from core.settings import PROJECT_ROOT, Settings

MANIFEST = PROJECT_ROOT / "frontend" / "dist" / "trusted-documents.json"
POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/entrelieux_bench"
SECRET = "trusted-bench-" + "x" * 32
DOCUMENTS: dict[str, dict[str, Any]] = {
    "Search": {"input": {"text": "imprimante 3D", "first": 20}},
    "PlacesDirectory": {"first": 20, "filter": {}},
}
PRIMARY = "Search"
"""The document whose figures are `results["trusted"]["text"|"hash"]`."""


def bodies(manifest: dict[str, str]) -> dict[str, dict[str, str]]:
    """Each document's two bodies, by operation name."""
    found: dict[str, dict[str, str]] = {}
    for document_id, text in manifest.items():
        for name, variables in DOCUMENTS.items():
            if text.lstrip().startswith(f"query {name}("):
                common = {"operationName": name, "variables": variables}
                found[name] = {
                    "text": json.dumps({"query": text + " ", **common}),
                    "hash": json.dumps({"documentId": document_id, **common}),
                }
    missing = DOCUMENTS.keys() - found.keys()
    if missing:
        raise RuntimeError(f"not in {MANIFEST}: {sorted(missing)} (run `make frontend`)")
    return found


def _check(url: str, body: str) -> None:
    answer = httpx.post(url, content=body, headers={"content-type": "application/json"}, timeout=10)
    payload = answer.json()
    if answer.status_code != 200 or payload.get("errors"):
        raise RuntimeError(f"{answer.status_code} {str(payload)[:300]}")


def _run(server: Server, url: str, body: str, plan: load.LoadPlan) -> dict[str, Any]:
    before = server.cpu_seconds()
    result = load.drive(url, body, plan)
    cpu_ms = (server.cpu_seconds() - before) * 1000 / max(result.requests, 1)
    return dataclasses.replace(result, server_cpu_ms=round(cpu_ms, 3)).as_dict()


def _median(runs: list[dict[str, Any]]) -> dict[str, float]:
    figures = {
        "rps": round(statistics.median(r["requests_per_s"] for r in runs), 1),
        "cpu_ms": round(statistics.median(r["server_cpu_ms"] for r in runs), 3),
        "p50_ms": round(statistics.median(r["p50_ms"] for r in runs), 2),
        "p99_ms": round(statistics.median(r["p99_ms"] for r in runs), 2),
        "errors": int(statistics.median(r["errors"] for r in runs)),
    }
    return figures


def bench_trusted(
    url: str, plan: load.LoadPlan, repeats: int, warmup_s: int, listings: int | None
) -> dict[str, Any]:
    """Seed (unless `listings` is None), index, serve, load both ways; the figures."""
    if not MANIFEST.is_file():
        raise RuntimeError(f"{MANIFEST} is missing: build the web app (`make frontend`)")
    documents = bodies(json.loads(MANIFEST.read_text(encoding="utf-8")))
    if listings is not None:
        print(f"trusted: seeding {listings} listings", flush=True)
        asyncio.run(seed(url, listings))
    result: dict[str, Any] = {"documents": {}, "plan": vars(plan) | {"repeats": repeats}}
    with search_bench.meilisearch("trusted") as engine:
        asyncio.run(search_bench.index(url, engine))
        env = search_bench.app_env(url, engine, SECRET, relay=False)
        env["RATE_LIMITS_ENABLED"] = "false"  # one address sends everything here
        with serve("api.app:app_from_environment", "/healthz", env, factory=True) as app:
            os.sched_setaffinity(app.pid, {0})
            graphql = app.base_url + "/graphql"
            warmup = load.LoadPlan(plan.connections, plan.threads, warmup_s)
            for name, pair in documents.items():
                runs: dict[str, list[dict[str, Any]]] = {"text": [], "hash": []}
                for body in pair.values():
                    _check(graphql, body)
                    load.drive(graphql, body, warmup)
                for repeat in range(repeats):
                    for way, body in pair.items():
                        runs[way].append(_run(app, graphql, body, plan))
                        figures = runs[way][-1]
                        print(
                            f"  {name:16} {way:4} run {repeat + 1}: "
                            f"{figures['requests_per_s']:7.1f} req/s  "
                            f"CPU {figures['server_cpu_ms']:6.3f} ms/req",
                            flush=True,
                        )
                medians: dict[str, Any] = {way: _median(r) for way, r in runs.items()}
                medians["cpu_ratio"] = round(
                    medians["hash"]["cpu_ms"] / medians["text"]["cpu_ms"], 3
                )
                result["documents"][name] = medians | {"runs": runs}
    primary = result["documents"][PRIMARY]
    result["text"], result["hash"] = primary["text"], primary["hash"]
    result["in_process_cpu_ms"] = asyncio.run(in_process(url, documents))
    return result


async def in_process(url: str, documents: dict[str, dict[str, str]]) -> dict[str, Any]:
    """CPU ms per request in this process (app and client), each way, medians of 5 runs."""
    settings = Settings(
        database_url=url,
        environment="production",
        secret_key=SECRET,
        load_demo_data=False,
        search_enabled=False,  # `Search` answers SEARCH_UNAVAILABLE: parsing and validation stay
        rate_limits_enabled=False,
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    figures: dict[str, Any] = {}
    headers = {"content-type": "application/json"}
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for name, pair in documents.items():
                runs: dict[str, list[float]] = {way: [] for way in pair}
                for body in pair.values():
                    for _ in range(20):
                        await client.post("/graphql", content=body, headers=headers)
                for _ in range(5):
                    for way, body in pair.items():
                        started = time.process_time()
                        for _ in range(200):
                            await client.post("/graphql", content=body, headers=headers)
                        runs[way].append((time.process_time() - started) * 1000 / 200)
                figures[name] = {way: round(statistics.median(r), 3) for way, r in runs.items()}
    finally:
        await app.state.database.dispose()
    return figures


def render(results: dict[str, Any]) -> str:
    trusted = results.get("trusted")
    if not trusted or "documents" not in trusted:
        return ""
    lines = [
        "\n## Trusted documents (PostgreSQL, one app process on core 0)\n",
        "| document | sent as | req/s | p50 (ms) | server CPU / request (ms) |",
        "|---|---|---:|---:|---:|",
    ]
    for name, figures in trusted["documents"].items():
        for way in ("text", "hash"):
            row = figures[way]
            lines.append(f"| `{name}` | {way} | {row['rps']} | {row['p50_ms']} | {row['cpu_ms']} |")
    for name, figures in trusted.get("in_process_cpu_ms", {}).items():
        lines.append(
            f"\nIn-process, `{name}`: {figures['text']} ms of CPU per request as text, "
            f"{figures['hash']} ms by id."
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--no-seed", action="store_true", help="use the database as it is")
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--duration", type=int, default=10, help="seconds per run")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    plan = load.LoadPlan(args.connections, min(2, args.connections), args.duration)
    listings = None if args.no_seed else args.listings
    results = {
        "trusted": bench_trusted(args.postgres_url, plan, args.repeats, args.warmup, listings)
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "trusted.json").write_text(json.dumps(results, indent=2) + "\n")
    print(render(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
