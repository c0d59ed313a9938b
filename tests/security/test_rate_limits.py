"""Rate limits against the running app: budgets per caller, shared by processes on one database.

The app's own limiter counts in memory and syncs with the `rate_limit` table; these tests give it
a database of its own (an engine on the test database, committed) where the rolled-back test
connection would be used by two tasks at once, and delete the keys they used.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, func
from sqlmodel import col, select
from starlette.types import Message

from api.app import create_app
from api.auth.dev_provider import DevOidcProvider
from api.auth.oidc import Providers
from api.metrics import REGISTRY
from api.rate_limit import RateLimits
from core.db import Database
from core.loopback import free_port
from core.models import OutboxEvent, PendingLogin, RateLimitCount
from core.rate_limiter import RateLimiter
from core.services.rate_limits import Budget, judge
from core.settings import Settings
from tests.auth.conftest import settings_for
from tests.factories import make_organization, make_token
from tests.serve_process import start

TYPENAME = {"query": "{ __typename }"}
_addresses = (f"198.51.100.{n}" for n in itertools.count(1))


def limited(settings: Settings, **limits: Any) -> Settings:
    """Limits on; a request costs its document's cost alone (1 for `__typename`) unless the
    test names RATE_LIMIT_GRAPHQL_REQUEST_POINTS, so budgets count requests simply."""
    chosen = {"rate_limits_enabled": True, "rate_limit_graphql_request_points": 1, **limits}
    return Settings.model_validate(settings.model_dump() | chosen)


@pytest.fixture
async def own_database(settings: Settings) -> AsyncIterator[Database]:
    """Committed, apart from the rolled-back test connection; its rate-limit rows deleted, and
    the outbox events its writes left (the suite's other tests find the index caught up)."""
    database = Database.from_settings(settings)
    async with database.session() as session:
        before = (await session.exec(select(func.max(OutboxEvent.id)))).one() or 0
    yield database
    async with database.session() as session:
        await session.exec(delete(RateLimitCount))
        await session.exec(delete(OutboxEvent).where(col(OutboxEvent.id) > before))
        await session.commit()
    await database.dispose()


@asynccontextmanager
async def client_of(app: Any, address: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client at `address`; the app's limiter stopped (after a last sync) when it is done."""
    transport = httpx.ASGITransport(app=app, client=(address, 4321))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
    if app.state.rate_limits is not None:
        await app.state.rate_limits.close()


# The sliding window's arithmetic, with an injected clock.


def test_the_previous_window_counts_for_what_the_sliding_window_still_covers() -> None:
    budget = Budget("t", limit=10, seconds=60)

    # 10 spent in the previous window, 30 s into this one: half of them still count.
    half = judge(budget, previous=10, current=0, now=6030.0, cost=1)
    # 4 more spent now: 5 + 4 = 9, one left; 2 do not fit until the previous window fades more.
    nine = judge(budget, previous=10, current=4, now=6030.0, cost=2)

    assert (half.allowed, half.remaining, half.reset) == (True, 5, 30)
    assert (nine.allowed, nine.remaining, nine.reset) == (False, 1, 90)
    assert nine.retry_after == 6  # 10 × (1 − 36/60) = 4, and 4 + 4 + 2 = 10


def test_a_cost_beyond_what_fades_in_this_window_waits_for_the_next() -> None:
    budget = Budget("t", limit=10, seconds=60)

    spent = judge(budget, previous=0, current=10, now=6015.0, cost=1)
    too_big = judge(budget, previous=0, current=0, now=6015.0, cost=11)

    assert (spent.allowed, spent.remaining) == (False, 0)
    assert spent.retry_after == 45 + 6  # next window, once 10 × (1 − f) ≤ 9: f ≥ 0.1
    assert too_big.retry_after == 105  # never fits: once both windows are gone


async def test_the_limiter_refuses_past_the_budget_and_admits_again_as_it_slides(
    database: Database,
) -> None:
    now = [1_000_040.0]  # 20 s into a window of 60
    limiter = RateLimiter(database.sessionmaker, sync_seconds=3600, clock=lambda: now[0])
    budget = Budget("unit", limit=3, seconds=60)

    admitted = [(await limiter.check(budget, "caller")).allowed for _ in range(4)]
    refused = await limiter.check(budget, "caller")
    now[0] += 60  # the next window: 3 × (1 − 20/60) = 2 still count
    one_back = [(await limiter.check(budget, "caller")).allowed for _ in range(2)]
    now[0] += 60  # two windows on: only the one admitted just before counts, 2/3 of it
    last = await limiter.check(budget, "caller")
    await limiter.close()

    assert admitted == [True, True, True, False]
    assert (refused.remaining, refused.retry_after) == (0, 60)  # 40 + 60 × (1 − 2/3)
    assert one_back == [True, False]
    assert (last.allowed, last.remaining) == (True, 1)  # 3 − 2/3 − 1


# /graphql


async def test_a_spent_budget_answers_429_before_parsing_then_admits_again(
    settings: Settings, own_database: Database
) -> None:
    app = create_app(
        limited(settings, rate_limit_graphql_anonymous=3, rate_limit_graphql_seconds=1),
        own_database,
    )
    counted_before = _refusals_counted("graphql")
    async with client_of(app, next(_addresses)) as http:
        answers = [await http.post("/graphql", json=TYPENAME) for _ in range(3)]
        refused = await http.post("/graphql", content=b"{ not even json")
        await asyncio.sleep(2.1)  # both windows gone
        again = await http.post("/graphql", json=TYPENAME)
    refusals_counted = _refusals_counted("graphql") - counted_before

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.headers["RateLimit-Remaining"] for a in answers] == ["2", "1", "0"]
    assert answers[0].headers["RateLimit-Limit"] == "3"
    assert int(answers[0].headers["RateLimit-Reset"]) in (1, 2)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.headers["RateLimit-Remaining"] == "0"
    error = refused.json()["errors"][0]
    assert error["extensions"] == {
        "code": "RATE_LIMITED",
        "retryAfter": int(refused.headers["Retry-After"]),
    }
    assert refusals_counted == 1  # /metrics: entrelieux_rate_limited_total{limit="graphql"}
    assert again.status_code == 200
    assert again.json() == {"data": {"__typename": "Query"}}


async def test_an_admitted_request_is_charged_its_query_cost(
    settings: Settings, own_database: Database
) -> None:
    limits = RateLimits(limited(settings, rate_limit_graphql_anonymous=100), own_database)
    budget, caller = limits.budgets.graphql_anonymous, f"ip:{next(_addresses)}"
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    costs = iter([40, 0])
    for _ in range(2):
        refusal, charging = await limits.admit_graphql(
            {"type": "http", "client": (caller[3:], 1)}, send, None, None, lambda: next(costs)
        )
        assert refusal is None
        await charging({"type": "http.response.start", "status": 200, "headers": []})
    await limits.close()

    remaining = [dict(m["headers"])[b"ratelimit-remaining"] for m in sent]
    assert remaining == [b"60", b"59"]  # 40, then 1 at least
    assert (await limits.limiter.check(budget, caller)).remaining == 58


async def test_every_request_costs_at_least_its_own_work(
    settings: Settings, own_database: Database
) -> None:
    """A flood of cheap documents (an out-of-range id costs 1) is limited too: each request
    pays at least RATE_LIMIT_GRAPHQL_REQUEST_POINTS."""
    app = create_app(
        limited(settings, rate_limit_graphql_anonymous=25, rate_limit_graphql_request_points=10),
        own_database,
    )
    async with client_of(app, next(_addresses)) as http:
        answers = [await http.post("/graphql", json=TYPENAME) for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["RateLimit-Remaining"] for a in answers[:3]] == ["15", "5", "0"]


async def test_each_caller_has_its_own_budget(settings: Settings, own_database: Database) -> None:
    app = create_app(limited(settings, rate_limit_graphql_anonymous=1), own_database)
    async with client_of(app, next(_addresses)) as first, client_of(app, next(_addresses)) as other:
        spent = [(await first.post("/graphql", json=TYPENAME)).status_code for _ in range(2)]
        fresh = await other.post("/graphql", json=TYPENAME)

    assert spent == [200, 429]
    assert fresh.status_code == 200


async def test_a_refusal_costs_little_cpu(settings: Settings, own_database: Database) -> None:
    app = create_app(limited(settings, rate_limit_graphql_anonymous=1), own_database)
    body = {"query": "{ " + "__typename " * 1900 + "}"}
    async with client_of(app, next(_addresses)) as http:
        await http.post("/graphql", json=TYPENAME)
        await http.post("/graphql", json=body)  # the key is known: no database read below
        started = time.process_time()
        statuses = {(await http.post("/graphql", json=body)).status_code for _ in range(100)}
        per_refusal = (time.process_time() - started) / 100

    assert statuses == {429}
    assert per_refusal < 0.005, f"{per_refusal * 1000:.2f} ms of CPU per refusal"


# Bad tokens and sign-ins


async def test_a_flood_of_bad_tokens_is_refused_before_any_token_is_checked(
    settings: Settings, own_database: Database
) -> None:
    async with own_database.session() as session:
        good = await make_token(session, await make_organization(session, "Atelier limité"))
        await session.commit()
    app = create_app(limited(settings, rate_limit_bad_tokens=3), own_database)
    bad = {"Authorization": "Bearer elx_not-a-real-token"}
    try:
        async with client_of(app, next(_addresses)) as http:
            statuses = [
                (await http.post("/graphql", json=TYPENAME, headers=bad)).status_code
                for _ in range(5)
            ]
            blocked = await http.post(
                "/graphql", json=TYPENAME, headers={"Authorization": f"Bearer {good}"}
            )
            export = await http.get("/export/territory/dep-23.csv", headers=bad)
    finally:
        await _delete_token_owner(own_database, "Atelier limité")

    assert statuses == [401, 401, 401, 429, 429]
    assert blocked.status_code == 429  # not even looked at
    assert blocked.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert int(blocked.headers["Retry-After"]) >= 1
    assert export.status_code == 429


async def _delete_token_owner(database: Database, name: str) -> None:
    from core.models import AccessToken, Membership, Organization, Person

    async with database.session() as session:
        organization = (
            await session.exec(select(Organization).where(Organization.name == name))
        ).one()
        members = select(Membership.person_id).where(Membership.organization_id == organization.id)
        people = list((await session.exec(members)).all())
        await session.exec(delete(AccessToken).where(col(AccessToken.person_id).in_(people)))
        await session.exec(delete(Membership).where(col(Membership.person_id).in_(people)))
        await session.exec(delete(Person).where(col(Person.id).in_(people)))
        await session.exec(delete(Organization).where(col(Organization.id) == organization.id))
        await session.commit()


@pytest.fixture
def sign_in_settings(
    settings: Settings, generic_op: DevOidcProvider, proconnect_op: DevOidcProvider
) -> Settings:
    return settings_for(settings, generic_op, proconnect_op, "http://testserver")


async def test_a_login_flood_is_limited_per_address(
    sign_in_settings: Settings, own_database: Database
) -> None:
    configured = limited(sign_in_settings, rate_limit_login=4)
    providers = Providers(configured.oidc_providers)
    app = create_app(configured, own_database, providers=providers)
    async with own_database.session() as session:
        before = (await session.exec(select(func.max(PendingLogin.id)))).one() or 0
    try:
        async with client_of(app, next(_addresses)) as http:
            statuses = [(await http.get("/auth/login/generic")).status_code for _ in range(7)]
            refused = await http.get("/auth/login/generic")
        async with own_database.session() as session:
            written = (
                await session.exec(select(func.count()).where(col(PendingLogin.id) > before))
            ).one()
    finally:
        async with own_database.session() as session:
            await session.exec(delete(PendingLogin).where(col(PendingLogin.id) > before))
            await session.commit()
        await providers.close()

    assert statuses == [302] * 4 + [429] * 3
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.json()["error"] == "rate_limited"
    assert written == 4


async def test_pending_logins_are_bounded_the_oldest_dropped(
    sign_in_settings: Settings, database: Database
) -> None:
    configured = Settings.model_validate(
        sign_in_settings.model_dump() | {"pending_login_max_rows": 3}
    )
    providers = Providers(configured.oidc_providers)
    app = create_app(configured, database, providers=providers)
    try:
        async with client_of(app, next(_addresses)) as http:
            statuses = {(await http.get("/auth/login/generic")).status_code for _ in range(10)}
    finally:
        await providers.close()
    async with database.session() as session:
        ids = list(
            (await session.exec(select(PendingLogin.id).order_by(col(PendingLogin.id)))).all()
        )

    assert statuses == {302}  # the limit of sign-ins per address is off: only the bound acts
    assert len(ids) == 3
    assert ids[-1] - ids[0] == 2  # the three newest


# Creating mutations, per organization

PUBLISH = (
    "mutation($title: String!) { listingPublish(input: { direction: OFFER, kind: EQUIPMENT, "
    'title: $title, commune: "Guéret" }) { __typename } }'
)


async def test_creating_mutations_are_limited_per_organization(
    settings: Settings, database: Database
) -> None:
    async with database.session() as session:
        first = await make_token(session, await make_organization(session, "Fablab pressé"))
        other = await make_token(session, await make_organization(session, "Fablab patient"))
        await session.commit()
    # No sync within the test: the rolled-back connection is never used by two tasks at once.
    app = create_app(
        limited(settings, rate_limit_creations=2, rate_limit_sync_seconds=60), database
    )
    async with client_of(app, next(_addresses)) as http:

        async def publish(token: str, title: str) -> dict[str, Any]:
            variables = {"title": title}
            answer = await http.post(
                "/graphql",
                json={"query": PUBLISH, "variables": variables},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert answer.status_code == 200
            return dict(answer.json())

        published = [await publish(first, f"Perceuse {n}") for n in range(2)]
        refused = await publish(first, "Perceuse de trop")
        elsewhere = await publish(other, "Scie")
        read = await http.post(
            "/graphql", json=TYPENAME, headers={"Authorization": f"Bearer {first}"}
        )

    success = {"data": {"listingPublish": {"__typename": "ListingSuccess"}}}
    assert published == [success, success]
    assert refused["data"] is None
    error = refused["errors"][0]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert error["extensions"]["retryAfter"] >= 1
    assert f"{error['extensions']['retryAfter']} seconds" in error["message"]
    assert elsewhere == success
    assert read.json() == {"data": {"__typename": "Query"}}  # reading is not creating


# Two app processes on one database


@pytest.fixture
def two_servers(settings: Settings, tmp_path: Path) -> Iterator[tuple[str, str]]:
    environment = os.environ | {
        "DATABASE_URL": settings.database_url,
        "VAR_DIR": str(tmp_path),
        "LOAD_DEMO_DATA": "false",
        "SEARCH_ENABLED": "false",
        "RUN_RELAY": "false",
        "DEV_OIDC_PROVIDER": "false",
        "ENVIRONMENT": "development",
        "LOG_LEVEL": "warning",
        "RATE_LIMITS_ENABLED": "true",
        "RATE_LIMIT_GRAPHQL_ANONYMOUS": "6",
        "RATE_LIMIT_GRAPHQL_REQUEST_POINTS": "1",
        "RATE_LIMIT_SYNC_SECONDS": "0.2",
        "TRUSTED_PROXIES": '["127.0.0.1"]',
    }
    servers, bases = [], []
    try:
        for index in range(2):
            own = environment | {"PORT": str(free_port())}
            server, base = start(own, tmp_path / f"serve-{index}.log")
            servers.append(server)
            bases.append(base)
        yield bases[0], bases[1]
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=20)


def test_two_app_processes_on_one_database_share_a_budget(
    two_servers: tuple[str, str], own_database: Database
) -> None:
    first, second = two_servers
    address = next(_addresses)  # sent as X-Forwarded-For: TRUSTED_PROXIES names loopback

    def post(base: str) -> httpx.Response:
        return post_from(base, address)

    on_first = [post(first) for _ in range(3)]
    time.sleep(1.0)  # more than the sync period: the first has written its counts
    on_second = [post(second) for _ in range(4)]
    time.sleep(1.0)
    back_on_first = post(first)

    assert [a.status_code for a in on_first] == [200, 200, 200]
    assert [a.status_code for a in on_second] == [200, 200, 200, 429]
    assert on_second[0].headers["RateLimit-Remaining"] == "2"  # 6 − the first's 3 − 1
    assert back_on_first.status_code == 429  # the second's spending reached the first
    assert post_from(first, next(_addresses)).status_code == 200  # another client


def post_from(base: str, address: str) -> httpx.Response:
    headers = {"X-Forwarded-For": address}
    return httpx.post(f"{base}/graphql", json=TYPENAME, headers=headers, timeout=10)


JSON_TYPE = {"content-type": "application/json"}


def _refusals_counted(limit: str) -> float:
    """What /metrics says of `entrelieux_rate_limited_total{limit=...}` in this process."""
    value = REGISTRY.get_sample_value("entrelieux_rate_limited_total", {"limit": limit})
    return value or 0.0


async def test_a_refused_document_spends_the_budget_of_what_it_asked(
    settings: Settings, own_database: Database
) -> None:
    """A document refused by a limit is charged what it asked (up to GRAPHQL_MAX_COST; while
    parsing, GRAPHQL_MAX_FIELDS): an attacker repeating refused documents is soon answered 429,
    cheaper still, instead of being refused for free forever."""
    app = create_app(
        limited(
            settings,
            rate_limit_graphql_anonymous=250,
            graphql_max_fields=100,
            graphql_max_cost=300,
        ),
        own_database,
    )
    many_fields = {"query": "{ " + "__typename " * 200 + "}"}
    too_costly = {"query": "{ listings(first: 100) { edges { node { id title } } } }"}
    async with client_of(app, next(_addresses)) as http:
        fields = [(await http.post("/graphql", json=many_fields)) for _ in range(4)]
    async with client_of(app, next(_addresses)) as http:
        costly = [(await http.post("/graphql", json=too_costly)) for _ in range(2)]
    deep = b"[" * 50_000 + b"]" * 50_000
    async with client_of(app, next(_addresses)) as http:
        malformed = [
            (await http.post("/graphql", content=deep, headers=JSON_TYPE)) for _ in range(4)
        ]

    # 100 points each: the third still finds some budget left (and overdraws it), not the fourth
    assert [r.status_code for r in fields] == [200, 200, 200, 429]
    assert fields[0].json()["errors"][0]["extensions"]["code"] == "TOO_MANY_FIELDS"
    # asked far more than 300: charged 300 at once, over a budget of 250
    assert [r.status_code for r in costly] == [200, 429]
    assert costly[0].json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
    # a body that is not a GraphQL request at all: charged as one refused while parsing (100)
    assert [r.status_code for r in malformed] == [400, 400, 400, 429]
