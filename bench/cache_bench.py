"""The response cache on a realistic mix: hit rate, and req/s with and without it.

    python -m bench.cache_bench [DATABASE_URL] [--duration 15] [--repeats 3]

On a database seeded by `bench.seed` (100,000 listings): 1,000 distinct anonymous reads
(listing pages walked with their cursors, unfiltered and by kind, direction and both; places by
department, by region and by typology, walked with their cursors; a territory's figures per
department), ranked at random and drawn with a Zipf law (s = 1), and one write per 100 reads
(`listingUpdate` of a listing's title by its organization's member: every write advances the
data version, so it empties every process's cache). The same sequence loads the app with
RESPONSE_CACHE_ENABLED=false and =true in turn (wrk, `bench/cache_mix.lua`), medians of the
repeats; the hit rate is the cached server's own count (`/metrics`). Search is left out: it needs
a Meilisearch loaded with the 100,000 listings (`bench.search_bench`), whose own relay would then
advance the version once more after each write; say so where the figures are quoted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import statistics
import tempfile
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bench import load
from bench.servers import Server, app_environment, serve
from core.db import create_engine
from core.models import Listing, Organization, Role
from core.services.tokens import ensure_member, issue_token
from core.settings import Settings
from schema.relay import to_global_id

DISTINCT = 1000
SEQUENCE = 20_000
WRITE_EVERY = 100
ZIPF_S = 1.0
SCRIPT = Path(__file__).with_name("cache_mix.lua")

LISTINGS = (
    "query Listings($filter: ListingFilter, $after: String) { listings(first: 20, "
    "filter: $filter, after: $after) { pageInfo { endCursor hasNextPage } edges { node { id "
    "title kind direction space { name } organization { name } } } } }"
)
SPACES = (
    "query Places($filter: SpaceFilter, $after: String) { spaces(first: 20, filter: $filter, "
    "after: $after) { totalCount pageInfo { endCursor hasNextPage } edges { node { id name "
    "typologies postcode organization { name } } } } }"
)
TERRITORY = (
    "query Territory($code: String!) { territory(code: $code) { kind code name "
    "placesByTypology { typology count } places(first: 1) { totalCount } "
    "listings { offered requested byKind { direction kind count } } "
    "premises { offered occupied free } } }"
)
WRITE = (
    "mutation Retitle($id: ID!, $title: String!) { listingUpdate(id: $id, input: "
    "{ title: $title }) { __typename } }"
)
KINDS = ("EQUIPMENT", "PREMISES", "SKILL", "MATERIAL")
DIRECTIONS = ("OFFER", "REQUEST")
TYPOLOGIES = ("COWORKING", "FABLAB", "TIERS_LIEU_RURAL", "MAKERSPACE")
REGIONS = ("11", "84", "75", "76", "53", "44", "32", "93", "28", "27")


def _body(query: str, **variables: Any) -> str:
    return json.dumps({"query": query, "variables": variables}, separators=(",", ":"))


def _walk(
    client: httpx.Client, query: str, root: str, filter_: dict[str, Any], pages: int
) -> list[str]:
    """The bodies of the first `pages` pages of `root` with `filter_`, following the cursors."""
    bodies, after = [], None
    for _ in range(pages):
        body = _body(query, filter=filter_ or None, after=after)
        answer = client.post("/graphql", content=body, headers=load_headers()).json()
        if answer.get("errors"):
            raise RuntimeError(f"{root} failed: {answer['errors']}")
        bodies.append(body)
        info = answer["data"][root]["pageInfo"]
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]
    return bodies


def load_headers() -> dict[str, str]:
    return {"Content-Type": "application/json", "Accept": "application/json"}


def distinct_reads(base_url: str) -> list[str]:
    """1,000 distinct read bodies, in a fixed random order (their Zipf rank)."""
    bodies: list[str] = []
    with httpx.Client(base_url=base_url, timeout=60) as client:
        filters: list[dict[str, Any]] = [{}]
        filters += [{"kind": k} for k in KINDS] + [{"direction": d} for d in DIRECTIONS]
        filters += [{"kind": k, "direction": d} for k in KINDS for d in DIRECTIONS]
        for filter_ in filters:  # 15 filters × 48 pages
            bodies += _walk(client, LISTINGS, "listings", filter_, 48)
        departments = [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B"]
        for department in departments:  # 96 × 3 pages at most
            bodies += _walk(client, SPACES, "spaces", {"department": department}, 3)
        for region in REGIONS:
            bodies += _walk(client, SPACES, "spaces", {"region": region}, 5)
        for typology in TYPOLOGIES:
            bodies += _walk(client, SPACES, "spaces", {"typology": typology}, 10)
        bodies += [_body(TERRITORY, code=f"dep-{d}") for d in departments]
        unique = list(dict.fromkeys(bodies))
        if len(unique) < DISTINCT:  # a smaller seed: deeper pages of the whole list
            deeper = _walk(client, LISTINGS, "listings", {}, 48 + DISTINCT - len(unique))
            unique = list(dict.fromkeys(unique + deeper))
    if len(unique) < DISTINCT:
        raise RuntimeError(f"only {len(unique)} distinct reads: is the database seeded?")
    random.Random(14).shuffle(unique)
    return unique[:DISTINCT]


def sequence(reads: list[str], listing_id: int, seed: int = 2026) -> list[str]:
    """SEQUENCE lines: reads drawn by Zipf rank, every WRITE_EVERY-th a write."""
    rng = random.Random(seed)
    weights = [1 / (rank**ZIPF_S) for rank in range(1, len(reads) + 1)]
    drawn = rng.choices(reads, weights=weights, k=SEQUENCE)
    lines = []
    for index, body in enumerate(drawn, start=1):
        if index % WRITE_EVERY == 0:
            title = f"Découpeuse laser (révision {index})"
            write = _body(WRITE, id=to_global_id("Listing", listing_id), title=title)
            lines.append(f"W\t{write}")
        else:
            lines.append(f"R\t{body}")
    return lines


async def writer(url: str) -> tuple[int, str]:
    """A listing of the seeded database and a token of a member of its organization."""
    engine = create_engine(Settings(database_url=url, load_demo_data=False))
    try:
        async with AsyncSession(engine, expire_on_commit=False) as session:
            listing = (await session.exec(select(Listing).order_by(col(Listing.id)))).first()
            assert listing is not None
            assert listing.id is not None
            organization = await session.get(Organization, listing.organization_id)
            assert organization is not None
            person = await ensure_member(
                session, "cache-bench@example.org", organization, Role.ADMIN
            )
            token = (await issue_token(session, person, organization)).secret
            await session.commit()
            return listing.id, token
    finally:
        await engine.dispose()


def _counts(server: Server) -> dict[str, float]:
    text = httpx.get(server.base_url + "/metrics", timeout=10).text
    found = re.findall(r'^entrelieux_response_cache_total\{outcome="(\w+)"\} (\S+)$', text, re.M)
    return {outcome: float(value) for outcome, value in found}


def _run(server: Server, lines_file: str, token: str, plan: load.LoadPlan) -> dict[str, Any]:
    before_cpu, before = server.cpu_seconds(), _counts(server)
    env = {
        "BENCH_BODIES": lines_file,
        "BENCH_AUTH": f"Bearer {token}",
        "BENCH_THREADS": str(plan.threads),
    }
    result = load._drive_wrk(
        load.wrk_path() or "wrk", server.base_url + "/graphql", SCRIPT, env, plan
    )
    cpu_ms = (server.cpu_seconds() - before_cpu) * 1000 / max(result.requests, 1)
    after = _counts(server)
    hits = after.get("hit", 0) - before.get("hit", 0)
    misses = after.get("miss", 0) - before.get("miss", 0)
    return {
        "rps": result.requests_per_s,
        "p50_ms": result.p50_ms,
        "p99_ms": result.p99_ms,
        "cpu_ms": round(cpu_ms, 3),
        "errors": result.errors,
        "requests": result.requests,
        "hit_rate": round(hits / (hits + misses), 3) if hits + misses else None,
    }


def bench_cache(url: str, secret: str, plan: load.LoadPlan, repeats: int = 3) -> dict[str, Any]:
    """Load the mix on the app with the cache off and on, in turn; medians of `repeats`."""
    if load.wrk_path() is None:
        return {"skipped": "wrk is not installed"}
    listing_id, token = asyncio.run(writer(url))
    env = app_environment(url, secret)
    runs: dict[str, list[dict[str, Any]]] = {"off": [], "on": []}
    with (
        serve(
            "api.app:app_from_environment",
            "/healthz",
            env | {"RESPONSE_CACHE_ENABLED": "false"},
            factory=True,
        ) as off,
        serve(
            "api.app:app_from_environment",
            "/healthz",
            env | {"RESPONSE_CACHE_ENABLED": "true"},
            factory=True,
        ) as on,
        tempfile.NamedTemporaryFile("w", suffix=".tsv", encoding="utf-8") as listed,
    ):
        print("  cache: walking 1,000 distinct reads", flush=True)
        reads = distinct_reads(off.base_url)
        listed.write("\n".join(sequence(reads, listing_id)) + "\n")
        listed.flush()
        servers = {"off": off, "on": on}
        warmup = load.LoadPlan(plan.connections, plan.threads, 5)
        for server in servers.values():
            _run(server, listed.name, token, warmup)
        for repeat in range(repeats):
            for name, server in servers.items():
                figures = _run(server, listed.name, token, plan)
                runs[name].append(figures)
                print(
                    f"  cache run {repeat + 1} {name:3} {figures['rps']:8.1f} req/s  p50 "
                    f"{figures['p50_ms']:7.2f} ms  p99 {figures['p99_ms']:7.2f} ms  CPU "
                    f"{figures['cpu_ms']:6.3f} ms/req  hit rate {figures['hit_rate']}  "
                    f"errors {figures['errors']}",
                    flush=True,
                )
    medians = {name: _median(found) for name, found in runs.items()}
    return {
        "off": medians["off"],
        "on": medians["on"],
        "hit_rate": medians["on"]["hit_rate"],
        "ratio": round(medians["on"]["rps"] / medians["off"]["rps"], 2),
        "mix": {
            "distinct": DISTINCT,
            "zipf_s": ZIPF_S,
            "writes_per_reads": f"1/{WRITE_EVERY - 1}",
            "search": "not in the mix (needs a loaded Meilisearch)",
        },
        "runs": runs,
    }


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    keys = ("rps", "p50_ms", "p99_ms", "cpu_ms", "errors", "hit_rate")
    return {
        k: round(statistics.median(float(r[k]) for r in runs), 3)
        if runs[0][k] is not None
        else None
        for k in keys
    }


def render(results: dict[str, Any]) -> str:
    """The cache's section, as the other parts render theirs: nothing when the run did not
    measure it."""
    cache = results.get("cache")
    if not cache:
        return ""
    if "off" not in cache:
        return f"\n## Response cache\n\nSkipped: {cache.get('skipped')}\n"
    off, on = cache["off"], cache["on"]
    return "\n".join(
        [
            "",
            "## Response cache (PostgreSQL)",
            "",
            "| response cache (1,000 reads, Zipf, 1 write / 100) | req/s | p50 | p99 | CPU/req |",
            "|---|---|---|---|---|",
            f"| off | {off['rps']} | {off['p50_ms']} ms | {off['p99_ms']} ms | "
            f"{off['cpu_ms']} ms |",
            f"| on (hit rate {cache['hit_rate']}) | {on['rps']} | {on['p50_ms']} ms | "
            f"{on['p99_ms']} ms | {on['cpu_ms']} ms |",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "url", nargs="?", default="postgresql+asyncpg://postgres@127.0.0.1:5432/entrelieux_bench"
    )
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--connections", type=int, default=10)
    args = parser.parse_args()
    plan = load.LoadPlan(args.connections, 2, args.duration)
    results = bench_cache(args.url, "bench-secret-" + "x" * 40, plan, args.repeats)
    print(json.dumps({k: v for k, v in results.items() if k != "runs"}, indent=2))
    print(render({"cache": results}))


if __name__ == "__main__":
    main()
