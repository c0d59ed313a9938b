"""`make bench` part **territory**: a region's `Query.territory` page on the seeded database.

On the database `bench.seed` filled (100,000 listings), add exchanges over the last 24 months
(every state, with impact measures), and a national administrator (a network whose area is the
country) so that the private figures are computed too. Then serve the real app with uvicorn and
ask, one request at a time after a warm-up, the query the web page sends for a region
(Île-de-France, `reg-11`, the largest) and for a commune with its enclosing EPCI (Montreuil);
p50 and p99 over the repeats. The SQL statements of one warm request are counted in-process.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.app import create_app
from bench.servers import app_environment, serve
from core.db import attach_counter, create_engine
from core.models import (
    AreaLevel,
    Exchange,
    ExchangeState,
    Listing,
    NetworkArea,
    Organization,
    OrganizationKind,
    Role,
    Sector,
)
from core.services.tokens import ensure_member, issue_token
from core.settings import Settings

EXCHANGES = 20_000
REQUESTS = 40
WARMUP = 5
FIGURES = """
fragment F on Territory {
  kind code name privateFiguresVisible
  placesByTypology { typology count }
  places(first: 1) { totalCount }
  organizations(first: 1) { totalCount }
  listings { offered requested byKind { direction kind count } }
  premises { offered occupied free }
  exchanges { requested inProgress completed }
  impact { exchangesCompleted kgReused kmBetweenPlaces skillHours equipmentDays premisesDays }
}
"""
PAGE = (
    FIGURES
    + """
query($code: String!) {
  territory(code: $code) {
    ...F
    enclosing { kind code name }
    parent { ...F }
    listings { byCategory { direction kind category count } }
    exchanges { byMonth { month requested started completed } }
    placeList: places(first: 50) { totalCount nodes { id name typologies } }
    organizationList: organizations(first: 50) { totalCount nodes { id name kind } }
  }
}
"""
)
CODES = {"region": "reg-11", "commune": "93048"}


def _settings(url: str) -> Settings:
    return Settings(database_url=url, load_demo_data=False, search_enabled=False)


async def prepare(url: str, exchanges: int = EXCHANGES, seed: int = 12) -> str:
    """Add exchanges and a national administrator to the seeded database; their bearer token."""
    engine = create_engine(_settings(url))
    rng = random.Random(seed)
    now = datetime.now(UTC)
    try:
        async with AsyncSession(engine, expire_on_commit=False) as session:
            rows = (await session.exec(select(col(Listing.id), col(Listing.organization_id)))).all()
            organizations = (await session.exec(select(col(Organization.id)))).all()
            states = list(ExchangeState)
            values: list[dict[str, Any]] = []
            for _ in range(exchanges):
                listing_id, owner = rng.choice(rows)
                state = rng.choice(states)
                created = now - timedelta(days=rng.uniform(0, 730))
                started = created + timedelta(days=rng.uniform(1, 20))
                values.append(
                    {
                        "listing_id": listing_id,
                        "owner_organization_id": owner,
                        "requester_organization_id": rng.choice(organizations),
                        "state": state,
                        "awaiting": None,
                        "created_at": created,
                        "updated_at": created,
                        "starts_at": started,
                        "ends_at": started + timedelta(days=rng.uniform(1, 30)),
                        "completed_at": started + timedelta(days=31)
                        if state == ExchangeState.COMPLETED
                        else None,
                        "kg_reused": rng.choice([None, rng.uniform(1, 500)]),
                        "distance_km": rng.uniform(1, 300),
                    }
                )
            for start in range(0, len(values), 1000):
                await session.exec(insert(Exchange).values(values[start : start + 1000]))
            national = Organization(
                name="Administration nationale (bench)",
                kind=OrganizationKind.RESEAU,
                sector=Sector.PUBLIC,
            )
            session.add(national)
            await session.flush()
            assert national.id is not None
            session.add(
                NetworkArea(organization_id=national.id, level=AreaLevel.COUNTRY, code="FR")
            )
            person = await ensure_member(session, "bench@example.org", national, Role.ADMIN)
            token = (await issue_token(session, person, national)).secret
            counted = (await session.exec(select(func.count(col(Exchange.id))))).one()
            await session.commit()
            print(f"  {counted} exchanges, a national administrator", flush=True)
    finally:
        await engine.dispose()
    await _analyze(url)
    return token


async def _analyze(url: str) -> None:
    """Planner statistics for the new exchanges, as autovacuum would give them."""
    engine = create_engine(_settings(url))
    try:
        async with engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.exec_driver_sql("ANALYZE exchange")
    finally:
        await engine.dispose()


async def count_statements(url: str, token: str) -> dict[str, int]:
    """SQL statements of one warm request per territory, counted on the app's own engine."""
    app = create_app(_settings(url))
    counter = attach_counter(app.state.database.engine)
    counts: dict[str, int] = {}
    headers = {"Authorization": f"Bearer {token}"}
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for name, code in CODES.items():
                body = {"query": PAGE, "variables": {"code": code}}
                _check((await client.post("/graphql", json=body, headers=headers)).json())
                before = counter.total
                _check((await client.post("/graphql", json=body, headers=headers)).json())
                counts[name] = counter.total - before
    finally:
        await app.state.database.dispose()
    return counts


def _check(answer: dict[str, Any]) -> dict[str, Any]:
    if answer.get("errors") or not answer["data"]["territory"]:
        raise RuntimeError(f"the territory query failed: {answer}")
    if answer["data"]["territory"]["exchanges"] is None:
        raise RuntimeError("the private figures were not computed")
    return answer


def measure(url: str, token: str, secret: str) -> dict[str, Any]:
    env = app_environment(url, secret)
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}
    result: dict[str, Any] = {}
    with (
        serve("api.app:app_from_environment", "/healthz", env, factory=True) as app,
        httpx.Client(base_url=app.base_url, headers=headers, timeout=30) as client,
    ):
        for name, code in CODES.items():
            result[name] = _measure_one(client, code)
    return result


def _measure_one(client: httpx.Client, code: str) -> dict[str, Any]:
    body = {"query": PAGE, "variables": {"code": code}}
    for _ in range(WARMUP):
        _check(client.post("/graphql", json=body).json())
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        answer = _check(client.post("/graphql", json=body).json())
        times.append((time.perf_counter() - started) * 1000)
    territory = answer["data"]["territory"]
    figures = {
        "code": code,
        "name": territory["name"],
        "places": territory["placeList"]["totalCount"],
        "listings_offered": territory["listings"]["offered"],
        "exchanges_completed": territory["exchanges"]["completed"],
        "p50_ms": round(statistics.median(times), 1),
        "p99_ms": round(sorted(times)[int(len(times) * 0.99) - 1], 1),
        "requests": REQUESTS,
    }
    print(f"  {code}: p50 {figures['p50_ms']} ms, p99 {figures['p99_ms']} ms", flush=True)
    return figures


def bench_territory(url: str, secret: str) -> dict[str, Any]:
    """On a database `bench.seed` has just filled."""
    token = asyncio.run(prepare(url))
    statements = asyncio.run(count_statements(url, token))
    print(f"  SQL statements per request: {statements}", flush=True)
    return {"statements": statements, "latency": measure(url, token, secret)}


def render(results: dict[str, Any]) -> str:
    """The territory section of `bench/out/report.md` (empty when the part did not run)."""
    lines: list[str] = []
    for name, backend in results["backends"].items():
        figures = backend.get("territory")
        if not figures:
            continue
        lines += [
            "",
            f"### {name}: a territory's page (`Query.territory`)",
            "",
            f"The web page's query, one request at a time after {WARMUP} warm-up requests, "
            f"{REQUESTS} requests; {EXCHANGES:,} exchanges added to the seed; the viewer is a "
            "national administrator, so the private figures are computed too.",
            "",
            "| territory | places | offers | exchanges completed | SQL statements | p50 ms "
            "| p99 ms |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for kind, m in figures["latency"].items():
            lines.append(
                f"| {m['name']} (`{m['code']}`) | {m['places']} | {m['listings_offered']} "
                f"| {m['exchanges_completed']} | {figures['statements'][kind]} | {m['p50_ms']} "
                f"| {m['p99_ms']} |"
            )
    return "\n".join(lines) + ("\n" if lines else "")
