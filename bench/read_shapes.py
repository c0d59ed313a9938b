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
import gc
import json
import os
import pstats
import statistics
import sys
import time
from typing import Any

import httpx

from api.app import create_app
from bench.seed import DEFAULT_SQLITE_URL, OUT
from core.settings import Settings

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
                    profiler.dump_stats(OUT / f"read_shapes_{name}.prof")
                    stats = pstats.Stats(profiler, stream=sys.stdout)
                    stats.sort_stats("tottime").print_stats(35)
                    stats.sort_stats("cumulative").print_stats(45)
    finally:
        await app.state.database.dispose()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", default=DEFAULT_SQLITE_URL)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--profile", choices=list(SHAPES))
    parser.add_argument("--shapes", default=",".join(SHAPES))
    args = parser.parse_args(argv)
    shapes = [s for s in args.shapes.split(",") if s]
    print(json.dumps(asyncio.run(run(args.url, args.requests, args.profile, shapes)), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
