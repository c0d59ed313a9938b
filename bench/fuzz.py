"""`make bench` part **fuzz**: the GraphQL fuzzer of `make test`, run longer, counting answers.

    python -m bench.fuzz [--examples 5000] [--database-url URL] [--seed 13]

On a fresh database (SQLite in bench/out/fuzz.sqlite3 by default, or a PostgreSQL URL), migrated,
with the objects the test makes, the app is called in-process (as the test does) with generated
queries and mutations (`tests.security.graphql_fuzz`), a quarter each anonymous and signed in.
Counts: documents sent, answers by HTTP status, top-level errors by `extensions.code`, 5xx,
"Internal error." answers, and each distinct problem with its first document. Figures go to
bench/out/fuzz-<db>.json and a line for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import logging
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

import httpx
from hypothesis import HealthCheck, given, seed, settings
from sqlalchemy import make_url

from api.app import create_app
from api.setup import migrate
from bench.seed import DEFAULT_SQLITE_URL, OUT, recreate
from core.db import Database
from core.settings import Settings
from tests.graphql import GraphQLClient
from tests.security.graphql_fuzz import documents, error_codes, make_world, verdict

FUZZ_SQLITE_URL = DEFAULT_SQLITE_URL.replace("bench.sqlite3", "fuzz.sqlite3")
CASES = [("query", False), ("query", True), ("mutation", False), ("mutation", True)]


class Tally:
    def __init__(self) -> None:
        self.sent = 0
        self.statuses: collections.Counter[int] = collections.Counter()
        self.codes: collections.Counter[str] = collections.Counter()
        self.problems: dict[str, dict[str, Any]] = {}
        self.slowest: list[tuple[float, str]] = []
        self.uncoded: set[str] = set()

    def record(self, document: str, status: int, content: bytes, seconds: float) -> None:
        self.sent += 1
        self.statuses[status] += 1
        codes = error_codes(content)
        self.codes.update(codes)
        if "-" in codes and len(self.uncoded) < 10:
            self.uncoded.add(content[:300].decode(errors="replace"))
        self.slowest = sorted([*self.slowest, (seconds, document)], reverse=True)[:5]
        problem = verdict(status, content)
        if problem is not None:
            key = problem.split("\n")[0][:200]
            entry = self.problems.setdefault(key, {"count": 0, "document": document})
            entry["count"] += 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "five_xx": sum(v for k, v in self.statuses.items() if k >= 500),
            "internal_errors": sum(
                p["count"] for k, p in self.problems.items() if "Internal error." in k
            ),
            "error_codes": dict(self.codes.most_common()),
            "problems": self.problems,
            "uncoded_samples": sorted(self.uncoded),
            "slowest": [{"seconds": round(s, 3), "document": d} for s, d in self.slowest],
        }


def _case(
    client: GraphQLClient,
    loop: asyncio.AbstractEventLoop,
    tally: Tally,
    ids: list[str],
    kind: str,
    bearer: str | None,
    examples: int,
    seed_value: int,
) -> Callable[[], None]:
    """One case's run: `examples / 4` documents, each sent on `loop` and recorded."""

    @seed(seed_value)
    @settings(
        max_examples=max(examples // len(CASES), 1),
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(document=documents(ids, kind))
    def one(document: str) -> None:
        sent = time.perf_counter()
        future = asyncio.run_coroutine_threadsafe(client.post(document, token=bearer), loop)
        try:
            response = future.result(timeout=120)
            status, content = response.status_code, response.content
        except Exception:  # the app raised through the transport: a 500 from a real server
            status, content = 599, traceback.format_exc().encode()
        tally.record(document, status, content, time.perf_counter() - sent)

    return one  # type: ignore[no-any-return]


async def _run(url: str, examples: int, seed_value: int) -> dict[str, Any]:
    await recreate(url)
    configured = Settings(
        environment="test", database_url=url, var_dir=OUT / "fuzz-var", search_enabled=False
    )
    await migrate(configured)
    database = Database.from_settings(configured)
    async with database.session() as session:
        ids, token = await make_world(session)
    app = create_app(configured, database)
    tally = Tally()
    loop = asyncio.get_running_loop()
    started = time.perf_counter()
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            client = GraphQLClient(http)
            for kind, signed_in in CASES:
                bearer = token if signed_in else None
                print(f"  {kind} {'token' if signed_in else 'anonymous'}", flush=True)
                await asyncio.to_thread(
                    _case(client, loop, tally, ids, kind, bearer, examples, seed_value)
                )
    finally:
        await database.dispose()
    return tally.as_dict() | {"seconds": round(time.perf_counter() - started, 1)}


def line(name: str, result: dict[str, Any]) -> str:
    codes = ", ".join(f"{k} {v}" for k, v in result["error_codes"].items())
    return (
        f"| {name} | {result['sent']} | {result['five_xx']} | {result['internal_errors']} | "
        f"{len(result['problems'])} | {codes} | {result['seconds']} s |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=5000)
    parser.add_argument("--database-url", default=FUZZ_SQLITE_URL)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    name = make_url(args.database_url).get_backend_name()
    name = "postgresql" if name.startswith("postgres") else name
    print(f"fuzz: {args.examples} documents on {name}", flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    log = OUT / f"fuzz-{name}.log"  # the app's error logs (tracebacks of Internal errors)
    logging.basicConfig(filename=log, filemode="w", level=logging.WARNING, force=True)
    result = asyncio.run(_run(args.database_url, args.examples, args.seed))
    result |= {"database": name, "seed": args.seed, "examples": args.examples}
    (OUT / f"fuzz-{name}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print("| database | sent | 5xx | Internal error. | distinct problems | error codes | time |")
    print("|---|---|---|---|---|---|---|")
    print(line(name, result))
    for problem, entry in result["problems"].items():
        print(f"\n{entry['count']} × {problem}\n{entry['document']}")
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
