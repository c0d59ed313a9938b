"""/healthz's parts, /readyz, /livez, /metrics, the request id and the JSON log lines."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api import metrics
from api.app import create_app
from api.logs import JsonFormatter, RequestIdFilter
from core.db import Database
from core.loopback import free_port
from core.models import OutboxEvent, OutboxTopic
from core.models.base import utcnow
from core.settings import Settings
from tests.graphql import GraphQLClient


def _http(app: Starlette, client: tuple[str, int] = ("127.0.0.1", 123)) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=client)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def database_down(settings: Settings) -> AsyncIterator[Database]:
    """A database nobody listens for: a closed port."""
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/nothing"
    database = Database.from_settings(settings.model_copy(update={"database_url": url}))
    yield database
    await database.dispose()


async def test_healthz_says_the_relay_lag_and_the_search_engine_apart(
    client: GraphQLClient, session: AsyncSession
) -> None:
    waited = utcnow() - timedelta(seconds=90)
    for entity in (1, 2):
        session.add(OutboxEvent(topic=OutboxTopic.LISTING, entity_id=entity, created_at=waited))
    await session.commit()

    body = (await client.http.get("/healthz")).json()

    assert body["database"] == "ok"
    assert body["index"] == "catching_up"
    assert body["relay"]["pending"] == body["pending"] >= 2
    assert 90 <= body["relay"]["oldest_pending_seconds"] < 600
    assert body["search"] == "unreachable"  # no Meilisearch started for this app


async def test_healthz_says_search_is_disabled_when_it_is(
    settings: Settings, database: Database
) -> None:
    app = create_app(settings.model_copy(update={"search_enabled": False}), database)
    async with _http(app) as http:
        body = (await http.get("/healthz")).json()
    assert (body["search"], body["index"]) == ("disabled", "disabled")


async def test_readiness_fails_and_liveness_answers_when_the_database_is_down(
    settings: Settings, database_down: Database
) -> None:
    app = create_app(settings, database_down)
    async with _http(app) as http:
        ready, health, live = (
            await http.get("/readyz"),
            await http.get("/healthz?ready"),
            await http.get("/livez"),
        )
    assert ready.status_code == 503
    assert ready.json() == {"status": "error", "database": "unreachable"}
    assert health.status_code == 503
    assert live.status_code == 200
    assert live.json() == {"status": "ok"}


async def test_readyz_answers_when_the_database_does_even_while_the_index_catches_up(
    client: GraphQLClient, session: AsyncSession
) -> None:
    session.add(OutboxEvent(topic=OutboxTopic.LISTING, entity_id=1))
    await session.commit()

    ready = await client.http.get("/readyz")

    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "database": "ok"}
    assert (await client.http.get("/healthz?ready")).status_code == 503  # as before


def _samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def _scrape(http: httpx.AsyncClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    answer = await http.get("/metrics")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain; version=")
    return _samples(answer.text)


def _value(
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_metrics_count_operations_by_name_and_never_show_the_document(
    client: GraphQLClient,
) -> None:
    http = client.http
    before = await _scrape(http)
    named = "query SpacesAtAGlance { spaces(first: 1) { totalCount } }"
    for _ in range(2):
        await client.execute(named)
    await client.execute("{ secretlyNamedField: __typename }")
    await http.post("/graphql", json={"query": "{ __typename }", "operationName": "a b; DROP"})
    await http.post("/graphql", json={"query": "query Broken { nope }"})

    after = await _scrape(http)
    text = (await http.get("/metrics")).text

    ops = "entrelieux_graphql_operations_total"
    assert (
        _value(after, ops, operation="SpacesAtAGlance", outcome="ok")
        - _value(before, ops, operation="SpacesAtAGlance", outcome="ok")
        == 2
    )
    assert _value(after, ops, operation="anonymous", outcome="ok") > _value(
        before, ops, operation="anonymous", outcome="ok"
    )
    assert _value(after, ops, operation="Broken", outcome="errors") >= 1
    assert _value(after, ops, operation="other", outcome="failed") >= 1  # 400: the insane name
    seconds = "entrelieux_graphql_operation_duration_seconds_count"
    assert _value(after, seconds, operation="SpacesAtAGlance") >= 2
    requests = "entrelieux_http_requests_total"
    for status, count in (("200", 4), ("400", 1)):
        labels = {"route": "/graphql", "method": "POST", "status": status}
        assert _value(after, requests, **labels) - _value(before, requests, **labels) == count
    assert _value(after, requests, route="/metrics", method="GET", status="200") >= 1
    for absent in ("secretlyNamedField", "totalCount", "DROP", "nope"):
        assert absent not in text
    for gauge in (
        "entrelieux_outbox_pending",
        "entrelieux_relay_lag_seconds",
        "entrelieux_mail_pending",
        "entrelieux_database_up",
        "entrelieux_search_up",
    ):
        assert (gauge, frozenset()) in after
    assert after[("entrelieux_database_up", frozenset())] == 1


async def test_metrics_show_the_queues(client: GraphQLClient, session: AsyncSession) -> None:
    session.add(
        OutboxEvent(
            topic=OutboxTopic.LISTING, entity_id=1, created_at=utcnow() - timedelta(seconds=40)
        )
    )
    await session.commit()

    after = await _scrape(client.http)

    assert after[("entrelieux_outbox_pending", frozenset())] >= 1
    assert after[("entrelieux_relay_lag_seconds", frozenset())] >= 40


def test_operation_names_past_the_cap_count_as_other(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metrics, "_named", set())
    label = metrics.operation_label

    assert label(None, "query First { a }", 2) == "First"
    assert label(None, "# a comment\n , mutation Second { a }", 2) == "Second"
    assert label(None, "query Third { a }", 2) == "other"
    assert label(None, "query First { b }", 2) == "First"  # already counted: keeps its own
    assert label("First", "query First { a } query Other { b }", 2) == "First"
    assert label(None, "{ a }", 2) == "anonymous"
    assert label(None, "fragment F on Query { a } query Late { ...F }", 2) == "anonymous"
    assert label("x" * 65, "{ a }", 2) == "other"


async def test_count_refusal_feeds_the_rate_limited_counter(client: GraphQLClient) -> None:
    before = await _scrape(client.http)
    metrics.count_refusal("login")
    metrics.count_refusal("login")
    after = await _scrape(client.http)
    name = "entrelieux_rate_limited_total"
    assert _value(after, name, limit="login") - _value(before, name, limit="login") == 2


async def test_metrics_are_for_loopback_or_the_bearer_of_the_token(
    settings: Settings, database: Database
) -> None:
    open_app = create_app(settings, database)
    async with _http(open_app, client=("203.0.113.7", 5000)) as http:
        assert (await http.get("/metrics")).status_code == 403
    guarded = settings.model_copy(update={"metrics_token": SecretStr("s3cret-scrape")})
    app = create_app(guarded, database)
    async with _http(app, client=("203.0.113.7", 5000)) as http:
        assert (await http.get("/metrics")).status_code == 403
        wrong = {"Authorization": "Bearer nope"}
        assert (await http.get("/metrics", headers=wrong)).status_code == 403
        right = {"Authorization": "Bearer s3cret-scrape"}
        assert (await http.get("/metrics", headers=right)).status_code == 200
    async with _http(app) as http:  # loopback: the token is still needed once there is one
        assert (await http.get("/metrics")).status_code == 403


async def test_every_response_carries_a_request_id(client: GraphQLClient) -> None:
    http = client.http
    made = await http.get("/livez")
    echoed = await http.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"X-Request-Id": "lb-7.a_b"}
    )
    insane = await http.get("/livez", headers={"X-Request-Id": "x" * 65})
    bad_characters = await http.get("/livez", headers={"X-Request-Id": "a\tb"})
    missing = await http.get("/no-such-api/thing.json")
    too_large = await http.post("/graphql", content=b"{" * (2 * 1024 * 1024))

    assert re.fullmatch(r"[0-9a-f]{16}", made.headers["X-Request-Id"])
    assert echoed.headers["X-Request-Id"] == "lb-7.a_b"
    for answer in (insane, bad_characters, missing, too_large):
        assert re.fullmatch(r"[0-9a-f]{16}", answer.headers["X-Request-Id"]), answer.headers
    assert missing.status_code == 404
    assert too_large.status_code == 413
    assert made.headers["X-Request-Id"] != insane.headers["X-Request-Id"]


async def test_a_crash_is_one_json_log_line_with_the_request_id_and_a_500_that_says_it(
    settings: Settings, database: Database
) -> None:
    app = create_app(settings, database)

    async def boom(_request: Request) -> Response:
        raise RuntimeError("kaboom\nsecond line")

    app.router.routes.insert(0, Route("/boom", boom))
    output = io.StringIO()
    handler = logging.StreamHandler(output)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        async with _http(app) as http:
            answer = await http.get("/boom", headers={"X-Request-Id": "crash-42"})
    finally:
        root.removeHandler(handler)

    assert answer.status_code == 500
    assert answer.headers["X-Request-Id"] == "crash-42"
    lines = output.getvalue().splitlines()
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    crash = next(entry for entry in entries if entry["request_id"] == "crash-42")
    assert crash["level"] == "ERROR"
    assert crash["logger"] == "entrelieux.http"
    assert "GET /boom" in crash["message"]
    assert "Traceback" in crash["exception"]
    assert "kaboom\nsecond line" in crash["exception"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", crash["time"])


def test_production_logs_are_json_and_development_logs_are_text() -> None:
    from api.logs import logging_config

    production = Settings(environment="production", secret_key="x" * 40)
    development = Settings(environment="development")
    assert logging_config(production)["formatters"]["default"] == {"()": JsonFormatter}
    assert "format" in logging_config(development)["formatters"]["default"]
    forced = Settings(environment="development", log_format="json")
    assert logging_config(forced)["formatters"]["default"] == {"()": JsonFormatter}
