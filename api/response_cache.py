"""A response cache that is never stale: anonymous GraphQL reads answered from memory.

What is cached: the answer (status 200, JSON, no `errors`) to an anonymous HTTP POST of a
`query` whose root fields all read public data (`CACHED_ROOTS`: listings, places, search,
territories, organizations, communes, categories, `node`). Never a mutation or a subscription,
never a request with a bearer token or a signed-in session, never an uploaded file.

The key: the SHA-256 of the request body as sent (the document or its hash, the operation's name,
the variables), its Content-Type and Accept, and today's UTC date (what depends on the day:
a territory's months, availability from today on).

Never stale: each write advances the data version in its own transaction
(`core/data_version.py`), so every process sees the new version exactly when it sees the data.
Each request reads the version first (one statement), then answers from memory only if the entry
was computed at that very version; a miss reads the version before it computes, so an answer that
raced a write is stored under the older version and never served after it. What changes with
time alone (a place's verification turning "to recheck" 13 months after) is bounded by
RESPONSE_CACHE_MAX_AGE_SECONDS.

What a cached answer keeps: the caller pays the cost the answer was computed at (its rate limit
and RateLimit-* headers), and the outer layers (request id, security headers, the deadline, the
metrics) wrap a hit as any answer; `extensions.cost` (development) is in the stored body. Memory
is bounded by RESPONSE_CACHE_MAX_BYTES per process, least recently used out first.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    parse,
)
from prometheus_client import Counter, Gauge
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import Message, Receive, Scope, Send

from api.metrics import REGISTRY
from core.data_version import read_version
from core.settings import Settings

CACHED_ROOTS = frozenset(
    {
        "__typename",
        "categories",
        "communes",
        "epci",
        "listing",
        "listings",
        "node",
        "organization",
        "organizations",
        "search",
        "space",
        "spaces",
        "territory",
    }
)
"""Root fields whose anonymous answers depend only on the data (and the day): not
`searchStatus` (its lag grows with time), nor the viewer's own lists."""

DOCUMENTS_KEPT = 2000
"""Documents whose cacheability is remembered (parsed once each)."""

LOOKUPS = Counter(
    "entrelieux_response_cache",
    "Anonymous GraphQL queries looked up in the response cache, by outcome (hit, miss).",
    ["outcome"],
    registry=REGISTRY,
)
CACHED_BYTES = Gauge(
    "entrelieux_response_cache_bytes",
    "Bytes of answers held by this process's response cache.",
    registry=REGISTRY,
)

Answer = Callable[[Receive, Send], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class Executed:
    """What the operation turned out to be (`GraphQLApp.execute_single` records it)."""

    query: str | None
    operation_name: str | None
    ok: bool


class Holder(Protocol):
    """The request's holder (`api/graphql_app.py` `_RequestSession`), as the cache sees it."""

    executed: Executed | None
    cached_cost: int

    def query_cost(self) -> int: ...


@dataclass(frozen=True)
class _Entry:
    version: int
    stored_at: float
    headers: list[tuple[bytes, bytes]]
    body: bytes
    cost: int

    @property
    def size(self) -> int:
        return len(self.body) + 200


class ResponseCache:
    """One process's cache; the version it trusts is the database's."""

    def __init__(self, settings: Settings, engine: AsyncEngine) -> None:
        self.engine = engine
        self.max_bytes = settings.response_cache_max_bytes
        self.max_age = settings.response_cache_max_age_seconds
        self._entries: OrderedDict[bytes, _Entry] = OrderedDict()
        self._bytes = 0
        self._documents: OrderedDict[tuple[str, str | None], bool] = OrderedDict()
        self._passed: OrderedDict[bytes, None] = OrderedDict()
        """Keys whose document is not cacheable (a bearer-less `searchStatus`, `me`, ...):
        answered without reading the version."""

    def wrap(self, answer: Answer, scope: Scope, holder: Holder, partition: bytes = b"") -> Answer:
        """`answer` (an anonymous request's), served from the cache when it may be. Requests
        of another `partition` never share an entry: a browser's, under
        `TRUSTED_DOCUMENTS=browsers`, is never answered what a request that may send any
        document was."""

        async def cached(receive: Receive, send: Send) -> None:
            if not _json_post(scope):
                await answer(receive, send)
                return
            body, receive = await _read_body(receive)
            if body is None or _may_write(body):
                await answer(receive, send)
                return
            key = _key(scope, body, partition)
            if key in self._passed:
                await answer(receive, send)
                return
            version = await read_version(self.engine)
            entry = self._entries.get(key)
            if version is not None and entry is not None and self._valid(entry, version):
                self._entries.move_to_end(key)
                LOOKUPS.labels("hit").inc()
                holder.cached_cost = entry.cost
                start = {"type": "http.response.start", "status": 200}
                await send({**start, "headers": list(entry.headers)})
                await send({"type": "http.response.body", "body": entry.body})
                return
            LOOKUPS.labels("miss").inc()
            capture = _Capture(send)
            await answer(receive, capture)
            executed = holder.executed
            if executed is None:  # refused before it ran (a malformed body)
                return
            if not self._cacheable(executed):
                self._pass(key)
            elif version is not None and executed.ok and capture.cacheable():
                self._store(
                    key,
                    _Entry(
                        version,
                        time.monotonic(),
                        capture.headers,
                        capture.body(),
                        holder.query_cost(),
                    ),
                )

        return cached

    def _valid(self, entry: _Entry, version: int) -> bool:
        return entry.version == version and time.monotonic() - entry.stored_at < self.max_age

    def _pass(self, key: bytes) -> None:
        self._passed[key] = None
        if len(self._passed) > DOCUMENTS_KEPT:
            self._passed.popitem(last=False)

    def _cacheable(self, executed: Executed | None) -> bool:
        """Whether the document run may be cached (its answer still has to be free of errors)."""
        if executed is None or executed.query is None:
            return False
        name = (hashlib.sha256(executed.query.encode()).hexdigest(), executed.operation_name)
        known = self._documents.get(name)
        if known is None:
            known = reads_only_public_roots(executed.query, executed.operation_name)
            self._documents[name] = known
            if len(self._documents) > DOCUMENTS_KEPT:
                self._documents.popitem(last=False)
        return known

    def _store(self, key: bytes, entry: _Entry) -> None:
        if entry.size > self.max_bytes:
            return
        previous = self._entries.pop(key, None)
        if previous is not None:
            self._bytes -= previous.size
        self._entries[key] = entry
        self._bytes += entry.size
        while self._bytes > self.max_bytes:
            _, dropped = self._entries.popitem(last=False)
            self._bytes -= dropped.size
        CACHED_BYTES.set(self._bytes)

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0
        CACHED_BYTES.set(0)


def reads_only_public_roots(query: str, operation_name: str | None) -> bool:
    """Whether the operation run is a `query` whose root fields are all `CACHED_ROOTS`."""
    try:
        document = parse(query)
    except GraphQLError:
        return False
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    chosen = [
        o
        for o in operations
        if operation_name is None or (o.name is not None and o.name.value == operation_name)
    ]
    if len(chosen) != 1 or chosen[0].operation is not OperationType.QUERY:
        return False
    return _roots_allowed(chosen[0].selection_set, fragments, set())


def _roots_allowed(
    selections: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode], seen: set[str]
) -> bool:
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            if selection.name.value not in CACHED_ROOTS:
                return False
        elif isinstance(selection, InlineFragmentNode):
            if not _roots_allowed(selection.selection_set, fragments, seen):
                return False
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is None or name in seen:
                return False
            if not _roots_allowed(fragment.selection_set, fragments, seen | {name}):
                return False
    return True


def _json_post(scope: Scope) -> bool:
    if scope.get("method") != "POST":
        return False
    kind = _header(scope, b"content-type").split(b";")[0].strip().lower()
    return kind == b"application/json"


def _header(scope: Scope, wanted: bytes) -> bytes:
    for name, value in scope["headers"]:
        if name == wanted:
            return bytes(value)
    return b""


def _key(scope: Scope, body: bytes, partition: bytes) -> bytes:
    digest = hashlib.sha256()
    for part in (
        partition,
        datetime.now(UTC).date().isoformat().encode(),
        _header(scope, b"content-type"),
        _header(scope, b"accept"),
    ):
        digest.update(part)
        digest.update(b"\0")
    digest.update(body)
    return digest.digest()


def _may_write(body: bytes) -> bool:
    """A body that names a mutation or subscription is not looked up (nor costs a version
    read); others are decided once run, from the document itself."""
    return b"mutation" in body or b"subscription" in body


async def _read_body(receive: Receive) -> tuple[bytes | None, Receive]:
    """The whole body (None if the client left), and a `receive` that hands it on again."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None, _replaying([message], receive)
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    return body, _replaying([{"type": "http.request", "body": body, "more_body": False}], receive)


def _replaying(messages: list[Message], receive: Receive) -> Receive:
    async def replayed() -> Message:
        if messages:
            return messages.pop(0)
        return await receive()

    return replayed


class _Capture:
    """A `send` that passes everything on and keeps a copy of a plain 200 JSON answer."""

    def __init__(self, send: Send) -> None:
        self.send = send
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.chunks: list[bytes] = []
        self.complete = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = [(bytes(n), bytes(v)) for n, v in message.get("headers", [])]
        elif message["type"] == "http.response.body":
            self.chunks.append(bytes(message.get("body", b"")))
            self.complete = not message.get("more_body", False)
        await self.send(message)

    def body(self) -> bytes:
        return b"".join(self.chunks)

    def cacheable(self) -> bool:
        if self.status != 200 or not self.complete:
            return False
        types = [v for n, v in self.headers if n.lower() == b"content-type"]
        if not types or not types[0].startswith(b"application/json"):
            return False
        if any(n.lower() == b"set-cookie" for n, _ in self.headers):
            return False
        return b'"errors"' not in self.body()  # conservative: an alias named errors too
