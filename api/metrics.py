"""`/metrics` in the Prometheus text format (prometheus_client).

What it counts: HTTP requests by route template, method and status, with their latency; GraphQL
operations by operation name (the name only, never the document: unnamed ones are `anonymous`,
and past METRICS_MAX_OPERATIONS distinct names the rest are `other`, so an attacker cannot grow
the label set without bound), with outcome and latency; the relay's lag and the queues (outbox
and e-mails pending), read from the database at each scrape; our Meilisearch's state and
restarts; and refusals by rate limit (`count_refusal`).

Who may read it: with METRICS_TOKEN, only a request bearing `Authorization: Bearer <token>`;
without it, only loopback clients (behind a proxy on the same host, uvicorn takes the client from
X-Forwarded-For; set METRICS_TOKEN in production). Each process counts on its own:
`serve --workers N` answers a scrape from whichever of its N workers takes the connection, with
that worker's counts since it started, labelled by `entrelieux_process{pid}` (prometheus_client's
multiprocess mode is not set up: sum over the pids, and expect a restarted worker to start from 0).
"""

from __future__ import annotations

import hmac
import logging
import os
import re
import time
from collections.abc import Awaitable, Callable

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.db import Database
from core.services.search_status import mail_pending, search_status
from core.settings import Settings

logger = logging.getLogger("entrelieux.metrics")
REGISTRY = CollectorRegistry()
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

HTTP_REQUESTS = Counter(
    "entrelieux_http_requests",
    "HTTP requests answered, by route template, method and status.",
    ["route", "method", "status"],
    registry=REGISTRY,
)
HTTP_SECONDS = Histogram(
    "entrelieux_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template.",
    ["route"],
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)
OPERATIONS = Counter(
    "entrelieux_graphql_operations",
    "GraphQL operations run, by operation name and outcome (ok, errors, failed).",
    ["operation", "outcome"],
    registry=REGISTRY,
)
OPERATION_SECONDS = Histogram(
    "entrelieux_graphql_operation_duration_seconds",
    "Time to run a GraphQL operation, by operation name.",
    ["operation"],
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)
CLIENTS_LEFT = Counter(
    "entrelieux_http_clients_left",
    "Requests whose client closed its connection before the answer (counted as status 499 "
    "in entrelieux_http_requests), by when: reading its body, or running its operation.",
    ["stage"],
    registry=REGISTRY,
)
RATE_LIMITED = Counter(
    "entrelieux_rate_limited", "Requests refused by a rate limit.", ["limit"], registry=REGISTRY
)
OUTBOX_PENDING = Gauge(
    "entrelieux_outbox_pending", "Outbox events not yet in Meilisearch.", registry=REGISTRY
)
RELAY_LAG = Gauge(
    "entrelieux_relay_lag_seconds",
    "Age of the oldest outbox event not yet in Meilisearch (0 when none waits).",
    registry=REGISTRY,
)
MAIL_PENDING = Gauge(
    "entrelieux_mail_pending", "Notifications whose e-mail is not sent yet.", registry=REGISTRY
)
DATABASE_UP = Gauge(
    "entrelieux_database_up", "1 when the database answered this scrape.", registry=REGISTRY
)
SEARCH_UP = Gauge(
    "entrelieux_search_up", "1 when Meilisearch answered this scrape.", registry=REGISTRY
)
SEARCH_RESTARTS = Counter(
    "entrelieux_search_restarts", "Restarts of the app's own Meilisearch.", registry=REGISTRY
)
PROCESS = Gauge(
    "entrelieux_process",
    "1, labelled with the pid of the process that answered: counts are that process's own.",
    ["pid"],
    registry=REGISTRY,
)

NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")
# The first operation of a document, after ignored tokens (spaces, commas, comments).
FIRST_OPERATION = re.compile(
    r"(?:[\s,\ufeff]|#[^\n\r]*)*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)"
)
_named: set[str] = set()


def count_refusal(limit: str) -> None:
    """A rate limit refused a request (`limit`: which one; a fixed set of names)."""
    RATE_LIMITED.labels(limit=limit).inc()


def note_client_left(scope: Scope, stage: str) -> None:
    """The client closed its connection before the answer (`stage`: "body" or "operation"): a
    normal event, counted once per request; `HttpMetrics` then counts the request as 499 (the
    status proxies log for it) rather than a 500 no one sent."""
    state = scope.setdefault("state", {})
    if not state.get("client_left"):
        state["client_left"] = True
        CLIENTS_LEFT.labels(stage=stage).inc()


def operation_label(given: str | None, document: str | None, most: int) -> str:
    """The label of an operation: its name if sane and among the first `most` seen."""
    name = given
    if name is None and document:
        found = FIRST_OPERATION.match(document, 0, 4096)
        name = found.group(1) if found else None
    if name is None:
        return "anonymous"
    if not NAME.fullmatch(name):
        return "other"
    if name not in _named:
        if len(_named) >= most:
            return "other"
        _named.add(name)
    return name


def observe_operation(label: str, outcome: str, seconds: float) -> None:
    OPERATIONS.labels(operation=label, outcome=outcome).inc()
    OPERATION_SECONDS.labels(operation=label).observe(seconds)


class HttpMetrics:
    """Counts every HTTP response by the route that answered it (its template, so bounded)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 0

        async def noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, noting_status)
        except ClientDisconnect:  # logged by `RequestId`, around this
            note_client_left(scope, "body")
            raise
        finally:
            if not status:  # nothing sent: the client left, or a crash the caller answers 500
                status = 499 if scope.get("state", {}).get("client_left") else 500
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            HTTP_REQUESTS.labels(route=route, method=scope["method"], status=str(status)).inc()
            HTTP_SECONDS.labels(route=route).observe(time.perf_counter() - started)


def may_read(settings: Settings, request: Request) -> bool:
    if settings.metrics_token is not None:
        expected = f"Bearer {settings.metrics_token.get_secret_value()}"
        given = request.headers.get("authorization", "")
        return hmac.compare_digest(given.encode(), expected.encode())
    host = request.client.host if request.client else ""
    return host in ("127.0.0.1", "::1", "localhost") or host.startswith("127.")


def metrics_route(
    settings: Settings, database: Database, search_state: Callable[[], Awaitable[str]]
) -> Route:
    async def metrics(request: Request) -> Response:
        if not may_read(settings, request):
            return Response("Forbidden", status_code=403, media_type="text/plain")
        await _refresh(settings, database, search_state)
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    return Route("/metrics", metrics, methods=["GET"])


async def _refresh(
    settings: Settings, database: Database, search_state: Callable[[], Awaitable[str]]
) -> None:
    """The gauges read at each scrape: queues from the database, the search engine's state."""
    try:
        async with database.session() as session:
            status = await search_status(session, enabled=True)
            mail = await mail_pending(session)
    except Exception as error:  # one line per scrape, not a traceback every 15 s
        logger.warning("metrics: the database does not answer: %s", type(error).__name__)
        DATABASE_UP.set(0)
    else:
        DATABASE_UP.set(1)
        OUTBOX_PENDING.set(status.pending)
        RELAY_LAG.set(status.lag_seconds)
        MAIL_PENDING.set(mail)
    PROCESS.labels(pid=str(os.getpid())).set(1)
    SEARCH_UP.set(1 if settings.search_enabled and await search_state() == "ok" else 0)
