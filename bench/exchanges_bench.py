"""Request+accept under contention: many clients, few machines, the API against the driver.

    python -m bench.run --only exchanges [--backends sqlite,postgresql] [--repeats 3]

Each of `clients` concurrent clients loops: pick one of `machines` one-unit machines and a
one-hour slot near the front of its calendar (`Calendar`: a few slots ahead of the first free
one, so clients often want the same slot), request it, and if the request is taken, have the
owner accept it. Two targets take turns on the same database:

- **api**: `exchangeRequest` then `exchangeAccept` over HTTP, against the real app served by
  uvicorn (`bench.servers.serve`, as for listings), search and relays off;
- **direct**: the same two transactions written by hand with the driver (asyncpg, or the
  sqlite3 module through aiosqlite), over as many connections as the app's pool (10 + 5):
  request = overlap check, insert exchange, event, notification; accept = lock the exchange and
  the listing (`FOR UPDATE`; `BEGIN IMMEDIATE` on SQLite), overlap check, insert the booking,
  update the exchange and the listing, insert the outbox row, event and notification.

A cycle ends as a **success** (booked), or a **conflict**: the slot was taken before the request
(the request is refused) or before the accept (`ConflictError`, or the driver's overlap check).
Each run uses 4 machines of its own, so every run starts from an empty calendar.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import make_url

from api.setup import migrate
from bench import exchanges_direct
from bench.exchanges_direct import Party
from bench.seed import OUT, recreate
from bench.servers import serve
from core.db import Database
from core.models import (
    Direction,
    Listing,
    ListingKind,
    ListingStatus,
    Organization,
    OrganizationKind,
    Role,
    Sector,
    Visibility,
)
from core.services.tokens import ensure_member, issue_token
from core.settings import Settings

FIRST_SLOT = datetime(2030, 1, 1, tzinfo=UTC)
SLOT = timedelta(hours=1)
WINDOW = 6
"""Clients aim within this many slots of a machine's first free one: contention on purpose."""
BUDGET = 10_000_000
POOL = 15
"""The app's pool: `database_pool_size` 10 plus an overflow of 5."""

_RESULT = (
    "__typename ... on ExchangeChangeSuccess { exchange { id state } } ... on Error { message }"
)
REQUEST = (
    "mutation($input: ExchangeRequestInput!) { exchangeRequest(input: $input) { " + _RESULT + " } }"
)
ACCEPT = "mutation($id: ID!) { exchangeAccept(id: $id) { " + _RESULT + " } }"


@dataclass(frozen=True)
class ExchangeOptions:
    clients: int = 32
    machines: int = 4
    duration_s: float = 10.0
    warmup_s: float = 3.0
    repeats: int = 3


@dataclass
class Scene:
    owner: Party
    requesters: list[Party]
    groups: list[list[int]]
    """Listing ids, `machines` per group; each run takes the next group."""

    def next_group(self) -> list[int]:
        return self.groups.pop(0)


@dataclass
class Calendar:
    """What the load generator knows of each machine's calendar: the slots it saw booked."""

    listing_ids: list[int]
    booked: dict[int, set[int]] = field(default_factory=dict)
    frontier: dict[int, int] = field(default_factory=dict)

    def pick(self, rng: random.Random) -> tuple[int, datetime, datetime]:
        listing_id = rng.choice(self.listing_ids)
        slot = self.frontier.get(listing_id, 0) + rng.randrange(WINDOW)
        starts_at = FIRST_SLOT + slot * SLOT
        return listing_id, starts_at, starts_at + SLOT

    def booked_at(self, listing_id: int, starts_at: datetime) -> None:
        slots = self.booked.setdefault(listing_id, set())
        slots.add(round((starts_at - FIRST_SLOT) / SLOT))
        frontier = self.frontier.get(listing_id, 0)
        while frontier in slots:
            frontier += 1
        self.frontier[listing_id] = frontier


@dataclass
class Tally:
    successes: int = 0
    conflicts: int = 0
    refused_requests: int = 0
    """Conflicts found at the request (the slot already booked), a part of `conflicts`."""
    errors: int = 0
    cycles_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0
    first_error: str = ""
    cpu_s: float = 0.0
    """CPU the writing process spent: the app's server process, or the driver's own process."""

    def summary(self) -> dict[str, float]:
        ordered = sorted(self.cycles_ms) or [0.0]
        return {
            "cpu_ms_per_booked": round(self.cpu_s * 1000 / max(self.successes, 1), 2),
            "successes_per_s": round(self.successes / self.seconds, 1),
            "conflicts_per_s": round(self.conflicts / self.seconds, 1),
            "refused_requests_per_s": round(self.refused_requests / self.seconds, 1),
            "cycle_p50_ms": round(statistics.median(ordered), 2),
            "cycle_p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 2),
            "errors": self.errors,
        }


Cycle = Callable[[int, random.Random, Calendar], Awaitable[str]]
"""One request+accept by client `n`: 'success', 'conflict', 'refused' or an error text."""


async def loop(cycle: Cycle, calendar: Calendar, options: ExchangeOptions, seconds: float) -> Tally:
    """`options.clients` clients running `cycle` back to back for `seconds`."""
    tally = Tally()
    deadline = time.perf_counter() + seconds

    async def client(index: int) -> None:
        rng = random.Random(index)
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            outcome = await cycle(index, rng, calendar)
            if outcome in ("success", "conflict", "refused"):
                tally.cycles_ms.append((time.perf_counter() - started) * 1000)
            if outcome == "success":
                tally.successes += 1
            elif outcome in ("conflict", "refused"):
                tally.conflicts += 1
                tally.refused_requests += outcome == "refused"
            else:
                tally.errors += 1
                tally.first_error = tally.first_error or outcome

    started = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(options.clients)))
    tally.seconds = time.perf_counter() - started
    return tally


# --- the two targets -------------------------------------------------------------------------


def api_cycle(http: httpx.AsyncClient, scene: Scene) -> Cycle:
    async def post(query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
        answer = await http.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
        try:
            body = answer.json()
        except ValueError:  # not JSON: a crash's plain 500, counted as an error
            return {"__typename": f"HTTP {answer.status_code} {answer.text[:200]!r}"}
        if answer.status_code != 200 or body.get("errors"):
            return {"__typename": f"HTTP {answer.status_code} {body.get('errors')}"}
        result: dict[str, Any] = next(iter(body["data"].values()))
        return result

    async def cycle(index: int, rng: random.Random, calendar: Calendar) -> str:
        listing_id, starts_at, ends_at = calendar.pick(rng)
        requester = scene.requesters[index % len(scene.requesters)]
        asked = await post(
            REQUEST,
            {
                "input": {
                    "listingId": _global_id("Listing", listing_id),
                    "startsAt": starts_at.isoformat(),
                    "endsAt": ends_at.isoformat(),
                }
            },
            requester.token,
        )
        if asked["__typename"] == "InputError":
            return "refused"
        if asked["__typename"] != "ExchangeChangeSuccess":
            return str(asked)
        answer = await post(ACCEPT, {"id": asked["exchange"]["id"]}, scene.owner.token)
        if answer["__typename"] == "ConflictError":
            return "conflict"
        if answer["__typename"] != "ExchangeChangeSuccess":
            return str(answer)
        calendar.booked_at(listing_id, starts_at)
        return "success"

    return cycle


def _global_id(type_name: str, pk: int) -> str:
    # Imported late: the schema package is the app's, the bench only needs its id format.
    from schema.relay import to_global_id

    return to_global_id(type_name, pk)


async def run_api(base_url: str, scene: Scene, options: ExchangeOptions, seconds: float) -> Tally:
    limits = httpx.Limits(
        max_connections=options.clients, max_keepalive_connections=options.clients
    )
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as http:
        calendar = Calendar(scene.next_group())
        return await loop(api_cycle(http, scene), calendar, options, seconds)


async def run_direct(url: str, scene: Scene, options: ExchangeOptions, seconds: float) -> Tally:
    async with exchanges_direct.connect(url, POOL) as writer:

        async def cycle(index: int, rng: random.Random, calendar: Calendar) -> str:
            listing_id, starts_at, ends_at = calendar.pick(rng)
            requester = scene.requesters[index % len(scene.requesters)]
            try:
                exchange_id = await writer.request(
                    listing_id, scene.owner, requester, starts_at, ends_at
                )
                if exchange_id is None:
                    return "refused"
                if not await writer.accept(exchange_id, listing_id, scene.owner, requester):
                    return "conflict"
            except exchanges_direct.Refused as error:  # a bug of the benchmark, counted
                return f"refused by a check: {error}"
            calendar.booked_at(listing_id, starts_at)
            return "success"

        calendar = Calendar(scene.next_group())
        return await loop(cycle, calendar, options, seconds)


# --- set-up and the runs -----------------------------------------------------------------------


async def prepare(url: str, options: ExchangeOptions, groups: int) -> Scene:
    """A fresh database: a fablab with `groups` × `machines` one-unit machines, and
    `clients` requesting organizations with one member each; every actor has a token."""
    await recreate(url)
    settings = Settings(database_url=url, load_demo_data=False)
    await migrate(settings)
    database = Database.from_settings(settings)
    try:
        async with database.session() as session:
            lab = Organization(
                name="Fablab de Guéret", kind=OrganizationKind.TIERS_LIEU, sector=Sector.PRIVATE
            )
            session.add(lab)
            await session.flush()
            owner = await _party(session, lab, "admin@fablab.example", Role.ADMIN)
            groups_of: list[list[int]] = []
            for group in range(groups):
                ids = []
                for machine in range(options.machines):
                    listing = Listing(
                        organization_id=lab.id or 0,
                        direction=Direction.OFFER,
                        kind=ListingKind.EQUIPMENT,
                        title=f"Découpeuse laser {group}.{machine}",
                        status=ListingStatus.PUBLISHED,
                        visibility=Visibility.PUBLIC,
                        details={"quantity": 1},
                    )
                    session.add(listing)
                    await session.flush()
                    ids.append(listing.id or 0)
                groups_of.append(ids)
            requesters = []
            for index in range(options.clients):
                organization = Organization(
                    name=f"Tiers-lieu {index}",
                    kind=OrganizationKind.TIERS_LIEU,
                    sector=Sector.PRIVATE,
                )
                session.add(organization)
                await session.flush()
                requesters.append(
                    await _party(session, organization, f"membre{index}@tl.example", Role.MEMBER)
                )
            await session.commit()
    finally:
        await database.dispose()
    return Scene(owner, requesters, groups_of)


async def _party(session: Any, organization: Organization, email: str, role: Role) -> Party:
    person = await ensure_member(session, email, organization, role)
    token = (await issue_token(session, person, organization)).secret
    assert person.id is not None
    assert organization.id is not None
    return Party(person.id, organization.id, token)


def bench_exchanges(
    name: str, url: str, secret: str, options: ExchangeOptions | None = None
) -> dict[str, Any]:
    """Both targets on one backend, taking turns: a warm-up each, then `repeats` runs each."""
    options = options or ExchangeOptions()
    scene = asyncio.run(prepare(url, options, groups=2 * (options.repeats + 1)))
    env = {
        "DATABASE_URL": url,
        "ENVIRONMENT": "production",
        "SECRET_KEY": secret,
        "LOAD_DEMO_DATA": "false",
        "LOG_LEVEL": "warning",
        "SEARCH_ENABLED": "false",
        "RUN_RELAY": "false",  # no mail relay polling beside the runs
        # Each organization requests hundreds of exchanges a run, the owner's token accepts
        # them all: far past the budgets (300 creations an hour, 100,000 points a minute),
        # which are not what is measured. The limiter still runs and keeps its books.
        "RATE_LIMIT_CREATIONS": str(BUDGET),
        "RATE_LIMIT_GRAPHQL_TOKEN": str(BUDGET),
    }
    runs: dict[str, list[dict[str, float]]] = {"api": [], "direct": []}
    first_errors: list[str] = []
    with serve("api.app:app_from_environment", "/healthz", env, factory=True) as app:
        targets: dict[str, Callable[[float], Coroutine[Any, Any, Tally]]] = {
            "api": lambda s: run_api(app.base_url, scene, options, s),
            "direct": lambda s: run_direct(url, scene, options, s),
        }
        for target in targets.values():
            asyncio.run(target(options.warmup_s))
        cpu = {"api": app.cpu_seconds, "direct": time.process_time}
        for repeat in range(options.repeats):
            for target_name, target in targets.items():
                before = cpu[target_name]()
                tally = asyncio.run(target(options.duration_s))
                tally.cpu_s = cpu[target_name]() - before
                summary = tally.summary()
                runs[target_name].append(summary)
                if tally.first_error:
                    first_errors.append(f"{target_name}: {tally.first_error[:300]}")
                print(f"  {name} run {repeat + 1} {target_name:6} {_line(summary)}", flush=True)
    medians = {t: _median(r) for t, r in runs.items()}
    return {
        "plan": vars(options) | {"pool": POOL, "window_slots": WINDOW},
        "runs": runs,
        "median": medians,
        "ratio": {
            "successes_per_s": round(
                medians["api"]["successes_per_s"] / max(medians["direct"]["successes_per_s"], 0.1),
                3,
            ),
            "cycle_p50_ms": round(
                medians["api"]["cycle_p50_ms"] / max(medians["direct"]["cycle_p50_ms"], 0.01), 2
            ),
            # CPU per booked cycle, driver / API: what one process can book per core-second,
            # read from the processes' own CPU (robust on a shared machine, unlike booked/s).
            "cpu_per_booked": round(
                medians["direct"]["cpu_ms_per_booked"]
                / max(medians["api"]["cpu_ms_per_booked"], 0.01),
                3,
            ),
        },
        "errors": first_errors,
    }


def _median(runs: list[dict[str, float]]) -> dict[str, float]:
    return {k: round(statistics.median(r[k] for r in runs), 2) for k in runs[0]}


def _line(s: dict[str, float]) -> str:
    return (
        f"{s['successes_per_s']:7.1f} booked/s  {s['conflicts_per_s']:7.1f} conflicts/s "
        f"(refused at request {s['refused_requests_per_s']:6.1f}/s)  cycle p50 "
        f"{s['cycle_p50_ms']:7.1f} ms  p99 {s['cycle_p99_ms']:7.1f} ms  "
        f"CPU {s['cpu_ms_per_booked']:6.2f} ms/booked  errors {s['errors']:.0f}"
    )


def backend_of(url: str) -> str:
    return make_url(url).get_backend_name()


def database_url(url: str) -> str:
    """A database of its own beside the seeded one: bench/out/exchanges.sqlite3 on SQLite, or
    `<name>_exchanges` on the same PostgreSQL server."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"sqlite+aiosqlite:///{OUT / 'exchanges.sqlite3'}"
    return parsed.set(database=f"{parsed.database}_exchanges").render_as_string(False)


def render(results: dict[str, Any]) -> str:
    """The exchanges section of `bench/out/report.md` (empty when the part did not run)."""
    lines: list[str] = []
    for name, backend in results["backends"].items():
        figures = backend.get("exchanges")
        if not figures:
            continue
        plan, median, ratio = figures["plan"], figures["median"], figures["ratio"]
        lines += [
            "",
            f"### {name}: request+accept under contention",
            "",
            f"{plan['clients']} clients, {plan['machines']} machines, {plan['duration_s']:g} s "
            f"per run after {plan['warmup_s']:g} s of warm-up, median of {plan['repeats']} runs; "
            f"pool of {plan['pool']} connections for both targets.",
            "",
            "| target | booked/s | conflicts/s | of which refused at request | cycle p50 ms "
            "| cycle p99 ms | CPU ms per booked | errors |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for target in ("api", "direct"):
            m = median[target]
            lines.append(
                f"| {target} | {m['successes_per_s']} | {m['conflicts_per_s']} "
                f"| {m['refused_requests_per_s']} | {m['cycle_p50_ms']} | {m['cycle_p99_ms']} "
                f"| {m.get('cpu_ms_per_booked', '–')} | {m['errors']:g} |"
            )
        lines += [
            "",
            f"Ratio API / driver: booked/s {ratio['successes_per_s']}, "
            f"cycle p50 {ratio['cycle_p50_ms']}×; CPU per booked cycle, driver / API: "
            f"{ratio.get('cpu_per_booked', '–')}.",
        ]
        lines += [f"- first error, {error}" for error in figures["errors"]]
    return "\n".join(lines) + "\n" if lines else ""
