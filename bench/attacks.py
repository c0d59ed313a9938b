"""`make bench` part **attacks**: what each attack of issue 13 costs the server, and what it does to
a legitimate client's latency.

    python -m bench.attacks [--backends postgresql,sqlite] [--duration 30] [--connections 10]
                            [--timeout 10] [--bomb-levels 25,16] [--only NAME,...] [--listings N]

For each backend: seed a database of its own (`bench.seed`, 5,000 listings by default;
bench/out/attacks.sqlite3, PostgreSQL `entrelieux_attacks`), index it into a
fresh Meilisearch, and serve a tiny OpenID discovery stub so `/auth/login/<provider>` does its
real work. Then, on the real app served by uvicorn (production settings, one process):
1. **alone**: one connection sends the legitimate queries one after another for `--alone`
   seconds (`{ spaces(first: 5) { totalCount } }` and the web app's listing page); p50/p99 each;
2. **each attack** on a fresh server: `--connections` connections send the attack for
   `--duration` seconds (from a separate process) while the same one connection measures the
   legitimate queries. Reported: attack requests sent and answered, their status codes (and
   "Internal error." answers), the server's CPU time per answered attack request (from
   /proc/<pid>/stat), and the legitimate p50/p99 under attack against alone (goal: p99 ≤ 3×).
A request that has no answer within `--timeout` seconds counts as a timeout (reported
"> timeout"); the server is restarted for each attack, so a stalled one cannot spoil the next.
Figures go to bench/out/attacks-<db>.json and bench/out/attacks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import re
import secrets
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bench import machine
from bench.search_bench import app_env, index, meilisearch
from bench.seed import DEFAULT_SQLITE_URL, OUT, seed
from bench.servers import Server, serve
from core.settings import PROJECT_ROOT

POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/entrelieux_attacks"
SQLITE_URL = DEFAULT_SQLITE_URL.replace("bench.sqlite3", "attacks.sqlite3")
SECRET = secrets.token_urlsafe(32)
SPACES = "{ spaces(first: 5) { totalCount } }"
LISTING_VIEW = PROJECT_ROOT / "frontend" / "src" / "views" / "ListingView.vue"
GOAL_RATIO = 3.0
LEGITIMATE_ADDRESS = "127.0.0.2"


def listing_page_query() -> str:
    """The web app's own listing page query, read from its view."""
    source = LISTING_VIEW.read_text(encoding="utf-8")
    found = re.search(r"graphql\(`\s*(query ListingPage.*?)`\)", source, re.DOTALL)
    if found is None:
        raise RuntimeError(f"no ListingPage query in {LISTING_VIEW}")
    return found.group(1)


# The attacks: each a list of requests (method, path, headers, body) sent in turn.


UNIQUE = "QUNIQUE"
"""In a document, replaced by a new operation name at each send: a new text each time, so the
app's parser and validation caches (keyed on the text) never spare it the work."""


@dataclass(frozen=True)
class Probe:
    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def content(self, turn: int) -> bytes | None:
        if self.body is None or UNIQUE.encode() not in self.body:
            return self.body
        return self.body.replace(UNIQUE.encode(), f"Q{turn}".encode())


def _graphql(query: str, variables: dict[str, Any] | None = None, **headers: str) -> Probe:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    return Probe("POST", "/graphql", body, {"Content-Type": "application/json", **headers})


def fragment_bomb(levels: int) -> list[Probe]:
    fragments = ["fragment F0 on Query { __typename }"]
    fragments += [f"fragment F{i} on Query {{...F{i - 1} ...F{i - 1}}}" for i in range(1, levels)]
    return [_graphql(" ".join(fragments) + f" query {UNIQUE} {{...F{levels - 1}}}")]


FAN_OUT = (
    "query QUNIQUE { listings(first: 100) { edges { node { matches(first: 100) { listing {"
    " matches(first: 100) { score } } } } } } }"
)


def _global_id(type_name: str, pk: int) -> str:
    import base64

    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode()


def out_of_range_ids() -> list[Probe]:
    probes = []
    for pk in (2**31, 2**63, 2**64 + 1):
        probes += [
            _graphql("query($id: ID!) { node(id: $id) { id } }", {"id": _global_id("Listing", pk)}),
            _graphql(
                "query($id: ID!) { listing(id: $id) { id } }", {"id": _global_id("Listing", pk)}
            ),
            _graphql("query($id: ID!) { space(id: $id) { id } }", {"id": _global_id("Space", pk)}),
            _graphql(
                "query($id: ID!) { organization(id: $id) { id } }",
                {"id": _global_id("Organization", pk)},
            ),
            _graphql(
                "query($a: String) { listings(first: 5, after: $a) { totalCount } }",
                {"a": _global_id("offset", pk)},
            ),
        ]
    return probes


def deep_json(depth: int = 50_000) -> list[Probe]:
    body = '{"query": "{ __typename }", "variables": {"a": ' + "[" * depth + "]" * depth + "}}"
    return [Probe("POST", "/graphql", body.encode(), {"Content-Type": "application/json"})]


def attacks(bomb_levels: list[int], provider: str) -> dict[str, list[Probe]]:
    found: dict[str, list[Probe]] = {f"fragment_bomb_{n}": fragment_bomb(n) for n in bomb_levels}
    found |= {
        "matches_fan_out": [_graphql(FAN_OUT)],
        "field_x1900": [_graphql(f"query {UNIQUE} {{ " + "__typename " * 1900 + "}")],
        "auth_login_flood": [Probe("GET", f"/auth/login/{provider}?next=/")],
        "bad_bearer_flood": [
            _graphql(SPACES, Authorization=f"Bearer {secrets.token_urlsafe(32)}") for _ in range(50)
        ],
        "deep_json_50000": deep_json(),
        "nul_string": [
            _graphql("query($r: String) { listing(ref: $r) { id } }", {"r": "a\u0000b"}),
            _graphql(
                "query($t: String) { spaces(first: 5, filter: {text: $t}) { totalCount } }",
                {"t": "\u0000"},
            ),
            _graphql('{ communes(text: "Gu\\u0000") { name } }'),
        ],
        "out_of_range_ids": out_of_range_ids(),
    }
    return found


# The load: attackers in a separate process, one legitimate client here.


def _outcome(response: httpx.Response) -> str:
    outcome = str(response.status_code)
    if b"Internal error." in response.content:
        outcome += " Internal error."
    return outcome


async def _attack(
    base: str, probes: list[Probe], seconds: float, connections: int, wait_s: float
) -> dict[str, Any]:
    outcomes: collections.Counter[str] = collections.Counter()
    deadline = time.perf_counter() + seconds
    sent = 0

    async def worker(turn: int) -> None:
        nonlocal sent
        async with httpx.AsyncClient(base_url=base, timeout=wait_s) as client:
            while time.perf_counter() < deadline:
                probe = probes[turn % len(probes)]
                turn += 1
                sent += 1
                try:
                    response = await client.request(
                        probe.method, probe.path, content=probe.content(sent), headers=probe.headers
                    )
                    outcomes[_outcome(response)] += 1
                except httpx.TimeoutException:
                    outcomes["timeout"] += 1
                except httpx.HTTPError as error:
                    outcomes[type(error).__name__] += 1

    await asyncio.gather(*(worker(i) for i in range(connections)))
    return {"sent": sent, "outcomes": dict(outcomes)}


def run_attackers(
    base: str, probes: list[Probe], seconds: float, connections: int, timeout: float
) -> dict[str, Any]:
    """In a child process: `connections` clients send `probes` in turn for `seconds`."""
    return asyncio.run(_attack(base, probes, seconds, connections, timeout))


def _legitimate(
    base: str, seconds: float, timeout: float, listing_id: str, token: str
) -> dict[str, Any]:
    """One connection: the two legitimate queries in turn; latencies in ms (a timeout counts as
    `timeout`), and the answers that failed (a 429 included).

    The legitimate client is an integration with a token of its own, whose budget is set high
    (`RATE_LIMIT_GRAPHQL_TOKEN` in `bench_backend`): it asks as fast as it can, which no budget
    for a person would allow; the attackers are anonymous, with the production budgets."""
    bearer = {"Authorization": f"Bearer {token}"}
    queries = {
        "spaces": _graphql(SPACES, **bearer),
        "listing_page": _graphql(listing_page_query(), {"id": listing_id}, **bearer),
    }
    latencies: dict[str, list[float]] = {name: [] for name in queries}
    failed: collections.Counter[str] = collections.Counter()
    deadline = time.perf_counter() + seconds
    # Another visitor than the attackers (who come from 127.0.0.1): the rate limits count per
    # client address, so the legitimate client has a loopback address of its own.
    transport = httpx.HTTPTransport(local_address=LEGITIMATE_ADDRESS)
    with httpx.Client(base_url=base, timeout=timeout, transport=transport) as client:
        while time.perf_counter() < deadline:
            for name, probe in queries.items():
                started = time.perf_counter()
                try:
                    response = client.post(probe.path, content=probe.body, headers=probe.headers)
                    if response.status_code != 200 or b'"errors"' in response.content:
                        failed[f"{name} {response.status_code}"] += 1
                except httpx.TimeoutException:
                    failed[f"{name} timeout"] += 1
                except httpx.HTTPError as error:
                    failed[f"{name} {type(error).__name__}"] += 1
                latencies[name].append((time.perf_counter() - started) * 1000)
    return {
        name: _percentiles(values) | {"timeouts": failed[f"{name} timeout"]}
        for name, values in latencies.items()
    } | {"failed": dict(failed)}


def _percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"requests": 0, "p50_ms": float("nan"), "p99_ms": float("nan")}
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return {
        "requests": len(values),
        "p50_ms": round(statistics.median(ordered), 2),
        "p99_ms": round(p99, 2),
    }


# The discovery stub: what `/auth/login/<provider>` reads before redirecting.


async def _discovery(request: Request) -> JSONResponse:
    base = str(request.base_url).rstrip("/")
    return JSONResponse(
        {
            "issuer": base,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "jwks_uri": f"{base}/jwks",
            "userinfo_endpoint": f"{base}/userinfo",
            "end_session_endpoint": f"{base}/logout",
        }
    )


oidc_stub = Starlette(routes=[Route("/.well-known/openid-configuration", _discovery)])


# One backend.


@dataclass(frozen=True)
class Options:
    backends: list[str]
    postgres_url: str
    duration_s: float
    alone_s: float
    connections: int
    timeout_s: float
    bomb_levels: list[int]
    only: list[str]
    listings: int


def _first_listing(base: str) -> str:
    body = httpx.post(
        base + "/graphql",
        json={"query": "{ listings(first: 1) { edges { node { id } } } }"},
        timeout=30,
    ).json()
    return str(body["data"]["listings"]["edges"][0]["node"]["id"])


def _under(
    server: Server,
    engine: Server,
    options: Options,
    listing_id: str,
    token: str,
    probes: list[Probe] | None,
) -> dict[str, Any]:
    """The legitimate figures, alone or while `probes` are sent; the server's CPU meanwhile."""
    cpu_before, engine_before = server.cpu_seconds(), engine.cpu_seconds()
    if probes is None:
        legitimate = _legitimate(
            server.base_url, options.alone_s, options.timeout_s, listing_id, token
        )
        return {
            "legitimate": legitimate,
            "server_cpu_s": round(server.cpu_seconds() - cpu_before, 2),
        }
    with ProcessPoolExecutor(max_workers=1) as pool:
        attack = pool.submit(
            run_attackers,
            server.base_url,
            probes,
            options.duration_s,
            options.connections,
            options.timeout_s,
        )
        time.sleep(0.5)  # the attackers' connections open first
        legitimate = _legitimate(
            server.base_url, options.duration_s, options.timeout_s, listing_id, token
        )
        attacked = attack.result(timeout=options.duration_s + options.timeout_s + 120)
    cpu = server.cpu_seconds() - cpu_before
    engine_cpu = engine.cpu_seconds() - engine_before
    answered = sum(v for k, v in attacked["outcomes"].items() if k[:1].isdigit())
    return {
        "legitimate": legitimate,
        "attack": attacked | {"answered": answered},
        "server_cpu_s": round(cpu, 2),
        "meilisearch_cpu_s": round(engine_cpu, 2),
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        # The legitimate client's share is small; a timed-out request's work is still counted.
        "cpu_ms_per_attack_request": round(cpu * 1000 / answered, 2) if answered else None,
    }


def _token(env: dict[str, str]) -> str:
    """A token of a member of a new organization (`entrelieux token create`)."""
    command = [sys.executable, "-m", "api.cli", "token", "create", "--email", "bench@bench.fr"]
    command += ["--organization", f"Intégration {secrets.token_hex(3)}"]
    done = subprocess.run(
        command, env=os.environ | env, cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


async def _forget_budgets(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DELETE FROM rate_limit"))
    await engine.dispose()


def bench_backend(name: str, url: str, options: Options) -> dict[str, Any]:
    print(f"{name}: seeding {options.listings} listings", flush=True)
    seeded = asyncio.run(seed(url, options.listings))
    result: dict[str, Any] = {"url": url, "listings": seeded.listings, "attacks": {}}
    with (
        meilisearch(f"attacks-{name}") as engine,
        serve("bench.attacks:oidc_stub", "/.well-known/openid-configuration") as stub,
    ):
        print(f"  indexing into Meilisearch at {engine.url}", flush=True)
        asyncio.run(index(url, engine))
        assert engine.process is not None
        search = Server(engine.url, engine.process.pid)
        provider = {
            "name": "bench",
            "label": "Bench",
            "discovery_url": stub.base_url + "/.well-known/openid-configuration",
            "client_id": "bench",
            "client_secret": "bench-secret",
        }
        env = app_env(url, engine, SECRET, relay=False, limited=True) | {
            "OIDC_PROVIDERS": json.dumps([provider]),
            "PUBLIC_URL": "https://entrelieux.bench.invalid",
            "RATE_LIMIT_GRAPHQL_TOKEN": "1000000000",  # the legitimate integration's budget
        }
        token = _token(env)
        chosen = attacks(options.bomb_levels, "bench")
        names = [n for n in chosen if not options.only or n in options.only]
        asyncio.run(_forget_budgets(url))
        with serve("api.app:app_from_environment", "/healthz", env, factory=True) as app:
            listing_id = _first_listing(app.base_url)
            result["alone"] = _under(app, search, options, listing_id, token, None)
            print(f"  alone: {_legitimate_line(result['alone'])}", flush=True)
        for attack in names:
            asyncio.run(_forget_budgets(url))  # each attack starts from spent-nothing budgets
            with serve("api.app:app_from_environment", "/healthz", env, factory=True) as app:
                _legitimate(app.base_url, 2, options.timeout_s, listing_id, token)  # warm-up
                figures = _under(app, search, options, listing_id, token, chosen[attack])
            result["attacks"][attack] = figures
            print(f"  {attack}: {_attack_line(figures)}", flush=True)
    return result


def _legitimate_line(figures: dict[str, Any]) -> str:
    legit = figures["legitimate"]
    line = "; ".join(
        f"{q} p50 {legit[q]['p50_ms']} ms p99 {legit[q]['p99_ms']} ms ({legit[q]['requests']})"
        for q in ("spaces", "listing_page")
    )
    return line + (f"; failed {legit['failed']}" if legit["failed"] else "")


def _attack_line(figures: dict[str, Any]) -> str:
    attack = figures["attack"]
    return (
        f"sent {attack['sent']}, answered {attack['answered']}, {attack['outcomes']}, "
        f"CPU {figures['cpu_ms_per_attack_request']} ms/answer; {_legitimate_line(figures)}"
    )


# The report.


def _latency(figures: dict[str, Any], query: str, key: str, timeout_s: float) -> str:
    legit = figures["legitimate"][query]
    if legit["requests"] == 0:
        return "-"
    value = legit[key]
    if value >= timeout_s * 1000:
        return f"> {timeout_s:g} s"
    return f"{value:,.1f}"


def render(results: dict[str, Any]) -> str:
    timeout = results["options"]["timeout_s"]
    lines = [
        f"Attacks, {results['date']} (commit {results['commit']}): "
        f"{results['options']['connections']} attacking connections × "
        f"{results['options']['duration_s']:g} s each, client timeout "
        f"{timeout:g} s; the legitimate queries alone on 1 connection for "
        f"{results['options']['alone_s']:g} s.",
        "",
    ]
    for name, backend in results["backends"].items():
        if "skipped" in backend:
            lines += [f"**{name}**: skipped ({backend['skipped']})", ""]
            continue
        alone = backend["alone"]
        lines += [
            f"**{name}** ({backend['listings']:,} listings). Alone: "
            f"spaces p50 {_latency(alone, 'spaces', 'p50_ms', timeout)} ms, p99 "
            f"{_latency(alone, 'spaces', 'p99_ms', timeout)} ms; listing page p50 "
            f"{_latency(alone, 'listing_page', 'p50_ms', timeout)} ms, p99 "
            f"{_latency(alone, 'listing_page', 'p99_ms', timeout)} ms.",
            "",
            "| attack | sent | answered | status codes | server CPU / answered "
            "| spaces p50 / p99 (ms) | listing page p50 / p99 (ms) "
            "| legitimate answered / timed out | p99 ≤ 3× alone |",
            "|---|---:|---:|---|---:|---|---|---|---|",
        ]
        for attack, figures in backend["attacks"].items():
            codes = ", ".join(f"{k}: {v}" for k, v in sorted(figures["attack"]["outcomes"].items()))
            cpu = figures["cpu_ms_per_attack_request"]
            cpu_text = (
                f"{cpu:,.1f} ms"
                if cpu is not None
                else (f"> {timeout:g} s (none answered; {figures['server_cpu_s']} s CPU in all)")
            )
            if figures["meilisearch_cpu_s"] >= 0.05:
                cpu_text += f"; Meilisearch {figures['meilisearch_cpu_s']} s in all"
            ok = all(
                figures["legitimate"][q]["p99_ms"] <= GOAL_RATIO * alone["legitimate"][q]["p99_ms"]
                for q in ("spaces", "listing_page")
                if figures["legitimate"][q]["requests"]
            )
            legit = figures["legitimate"]
            timed_out = sum(legit[q]["timeouts"] for q in ("spaces", "listing_page"))
            answered = sum(legit[q]["requests"] for q in ("spaces", "listing_page")) - timed_out
            lines.append(
                f"| {attack} | {figures['attack']['sent']} | {figures['attack']['answered']} "
                f"| {codes} | {cpu_text} "
                f"| {_latency(figures, 'spaces', 'p50_ms', timeout)} / "
                f"{_latency(figures, 'spaces', 'p99_ms', timeout)} "
                f"| {_latency(figures, 'listing_page', 'p50_ms', timeout)} / "
                f"{_latency(figures, 'listing_page', 'p99_ms', timeout)} "
                f"| {answered} / {timed_out} | {'yes' if ok else 'no'} |"
            )
        lines.append("")
    return "\n".join(lines) + "\n"


def _commit() -> str:
    import subprocess

    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    return done.stdout.strip() or "unknown"


def parse(argv: list[str]) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="postgresql,sqlite")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--duration", type=float, default=30, help="seconds per attack")
    parser.add_argument("--alone", type=float, default=15, help="seconds of the run alone")
    parser.add_argument("--connections", type=int, default=10, help="attacking connections")
    parser.add_argument("--timeout", type=float, default=10, help="client timeout, seconds")
    parser.add_argument("--bomb-levels", default="25,16", help="fragment bomb depths")
    parser.add_argument("--only", default="", help="attack names, comma-separated (default all)")
    parser.add_argument("--listings", type=int, default=5_000)
    args = parser.parse_args(argv)
    return Options(
        backends=[b.strip() for b in args.backends.split(",") if b.strip()],
        postgres_url=args.postgres_url,
        duration_s=args.duration,
        alone_s=args.alone,
        connections=args.connections,
        timeout_s=args.timeout,
        bomb_levels=[int(n) for n in args.bomb_levels.split(",") if n.strip()],
        only=[n.strip() for n in args.only.split(",") if n.strip()],
        listings=args.listings,
    )


def main(argv: list[str] | None = None) -> int:
    options = parse(sys.argv[1:] if argv is None else argv)
    results: dict[str, Any] = {
        "machine": machine.describe(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": _commit(),
        "options": vars(options),
        "backends": {},
    }
    urls = {"sqlite": SQLITE_URL, "postgresql": options.postgres_url}
    failed = False
    OUT.mkdir(parents=True, exist_ok=True)
    for name in options.backends:
        try:
            results["backends"][name] = bench_backend(name, urls[name], options)
        except (OSError, RuntimeError, httpx.HTTPError) as error:
            failed = True
            results["backends"][name] = {"url": urls[name], "skipped": str(error)}
            print(f"{name}: skipped: {error}", file=sys.stderr, flush=True)
        (OUT / f"attacks-{name}.json").write_text(
            json.dumps(results | {"backends": {name: results["backends"][name]}}, indent=2) + "\n"
        )
    markdown = render(results)
    (OUT / "attacks.md").write_text(markdown)
    print(markdown)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
