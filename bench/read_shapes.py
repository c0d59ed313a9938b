"""The four read shapes of issue 14, measured in-process: CPU per request and a profile.

    python -m bench.read_shapes [DATABASE_URL] [--requests N] [--profile SHAPE]

Each shape is sent through the real app with httpx's ASGITransport (no HTTP server, no load
tool), so the figure is the app's own CPU per request: parsing, validation, resolvers, SQL
through the driver and JSON. `--profile a_page` prints cProfile's top functions for one shape.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import dataclasses
import gc
import json
import os
import pstats
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx

from api.app import create_app
from bench import load, servers
from bench.seed import DEFAULT_SQLITE_URL, OUT
from core.settings import PROJECT_ROOT, Settings

HEAVY_FIELDS = (
    "id ref direction kind category title description tags address "
    "location { lat lon communeInsee department region } availableFrom availableUntil terms "
    "priceEur status visibility origin source createdAt updatedAt remainingQuantity "
    "details { __typename ... on EquipmentDetails { brand model machineClass trainingRequired "
    "quantity } ... on PremisesDetails { surfaceM2 capacity accessible erpCategory rooms } "
    "... on SkillDetails { level format hours } ... on MaterialDetails { amount: quantity unit "
    "condition pickup } } "
    "space { name location { communeName } } organization { name kind }"
)
SHAPES = {
    "z_typename": "{ __typename }",
    "z_categories": "{ listings(first: 1) { edges { node { id } } } }",
    "a_page": "{ listings(first: 50) { edges { node { id title space { name } "
    "organization { name } } } } }",
    "b_heavy": "{ listings(first: 50) { edges { node { " + HEAVY_FIELDS + " } } } }",
    "c_node": '{ node(id: "%s") { id ... on Listing { ' + HEAVY_FIELDS + " } } }",
    "d_department": '{ listings(first: 50, filter: {department: "69"}) '
    "{ totalCount edges { node { id title } } } }",
}


def _settings(url: str) -> Settings:
    return Settings(
        database_url=url,
        environment="production",
        secret_key="x" * 40,
        load_demo_data=False,
        search_enabled=False,
        rate_limits_enabled=False,
        response_cache_enabled=False,  # the read path itself, not api/response_cache.py's hits
    )


async def run(url: str, requests: int, profile: str | None, shapes: list[str]) -> dict[str, Any]:
    app = create_app(_settings(url))
    transport = httpx.ASGITransport(app=app)
    figures: dict[str, Any] = {}
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

            async def post(query: str) -> dict[str, Any]:
                response = await client.post("/graphql", json={"query": query})
                return dict(response.json())

            first = await post("{ listings(first: 1) { edges { node { id } } } }")
            node_id = first["data"]["listings"]["edges"][0]["node"]["id"]
            if os.environ.get("GC_FREEZE"):
                gc.collect()
                gc.freeze()
            for name in shapes:
                query = SHAPES[name] % node_id if name == "c_node" else SHAPES[name]
                answer = await post(query)
                if answer.get("errors"):
                    figures[name] = {"errors": answer["errors"]}
                    continue
                for _ in range(5):
                    await post(query)
                samples = []
                profiler = cProfile.Profile(time.process_time) if profile == name else None
                for _ in range(requests):
                    if profiler:
                        profiler.enable()
                    started = time.process_time()
                    await post(query)
                    samples.append((time.process_time() - started) * 1000)
                    if profiler:
                        profiler.disable()
                figures[name] = {"cpu_ms": round(statistics.median(samples), 3)}
                if profiler:
                    OUT.mkdir(parents=True, exist_ok=True)
                    profiler.dump_stats(OUT / f"read_shapes_{name}.prof")
                    stats = pstats.Stats(profiler, stream=sys.stdout)
                    stats.sort_stats("tottime").print_stats(35)
                    stats.sort_stats("cumulative").print_stats(45)
    finally:
        await app.state.database.dispose()
    return figures


def _served_env(url: str) -> dict[str, str]:
    return {
        "DATABASE_URL": url,
        "ENVIRONMENT": "production",
        "SECRET_KEY": "x" * 40,
        "LOAD_DEMO_DATA": "false",
        "LOG_LEVEL": "warning",
        "SEARCH_ENABLED": "false",
        "RATE_LIMITS_ENABLED": "false",
        "RESPONSE_CACHE_ENABLED": "false",
    }


@contextmanager
def _uvicorn(project: Path, env: dict[str, str]) -> Iterator[servers.Server]:
    """The app of the checkout `project` (its own code, this interpreter), on core 0."""
    port = servers.free_port()
    command = ["taskset", "-c", "0", sys.executable, "-m", "uvicorn"]
    command += ["api.app:app_from_environment", "--factory", "--host", servers.HOST]
    command += ["--port", str(port), "--log-level", "warning", "--no-access-log"]
    process = subprocess.Popen(command, cwd=project, env={**os.environ, **env})
    base = f"http://{servers.HOST}:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/livez", timeout=1.0).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield servers.Server(base, process.pid)
    finally:
        process.terminate()
        process.wait(timeout=15)


def served(url: str, against: Path | None, shapes: list[str], plan: load.LoadPlan) -> Any:
    """Server CPU per request of each shape, this checkout against `against` (another
    checkout, e.g. the commit before), alternating, medians of 3 runs."""
    projects = {"after": PROJECT_ROOT} | ({"before": against} if against else {})
    env = _served_env(url)
    figures: dict[str, Any] = {}
    with ExitStack() as stack:
        apps = {name: stack.enter_context(_uvicorn(p, env)) for name, p in projects.items()}
        some = next(iter(apps.values())).base_url + "/graphql"
        first = httpx.post(some, json={"query": SHAPES["z_categories"]}, timeout=30).json()
        node_id = first["data"]["listings"]["edges"][0]["node"]["id"]
        for shape in shapes:
            body = json.dumps({"query": SHAPES[shape].replace("%s", node_id)})
            runs: dict[str, list[load.LoadResult]] = {}
            for name, app in apps.items():
                answer = httpx.post(
                    app.base_url + "/graphql", json=json.loads(body), timeout=30
                ).json()
                if "errors" in answer:
                    continue
                warm = load.LoadPlan(plan.connections, plan.threads, 3)
                load.drive(app.base_url + "/graphql", body, warm)
                runs[name] = []
            for _ in range(3):
                for name in runs:
                    app = apps[name]
                    before = app.cpu_seconds()
                    result = load.drive(app.base_url + "/graphql", body, plan)
                    cpu = (app.cpu_seconds() - before) * 1000 / max(result.requests, 1)
                    runs[name].append(dataclasses.replace(result, server_cpu_ms=round(cpu, 3)))
            figures[shape] = {
                name: {
                    "rps": statistics.median(r.requests_per_s for r in results),
                    "p50_ms": statistics.median(r.p50_ms for r in results),
                    "cpu_ms": statistics.median(float(r.server_cpu_ms or 0) for r in results),
                    "errors": sum(r.errors for r in results),
                }
                for name, results in runs.items()
            }
            print(shape, json.dumps(figures[shape]), flush=True)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", default=DEFAULT_SQLITE_URL)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--profile", choices=list(SHAPES))
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--serve", action="store_true", help="served, loaded with wrk")
    parser.add_argument("--against", type=Path, help="with --serve: another checkout too")
    parser.add_argument("--duration", type=int, default=8, help="with --serve: s per run")
    args = parser.parse_args(argv)
    shapes = [s for s in args.shapes.split(",") if s]
    if args.serve:
        plan = load.LoadPlan(10, 2, args.duration)
        print(json.dumps(served(args.url, args.against, shapes, plan), indent=1))
        return 0
    print(json.dumps(asyncio.run(run(args.url, args.requests, args.profile, shapes)), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
