"""The only module that talks to Meilisearch.

Three channels, each for what it does well:
- searches (`search`, `multi_search`: one per GraphQL search) go through `KeptAlive`, a few lines
  of HTTP/1.1 over asyncio streams kept open between calls: each request is one write, the answer
  is read by its `Content-Length`. It costs ~0.3 ms of CPU a call where httpx costs ~1.8 ms
  (bench/RESULTS.md, issue 14), which is most of what the app adds to a search;
- documents, tasks and stats go through one async keep-alive httpx client, with
  `Accept-Encoding: identity` (gzip over keep-alive costs ~40 ms of delayed ACKs, DESIGN.md);
- administration (indexes, settings, swaps) goes through the official `meilisearch` SDK, which is
  synchronous and opens a connection per call: fine for rare calls, run in a thread.
"""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import httpx
import meilisearch
from meilisearch.errors import MeilisearchError


class SearchUnavailable(Exception):
    """Meilisearch cannot be reached, or refused the request."""


class TaskFailed(SearchUnavailable):
    """A Meilisearch task ended in `failed` or `canceled`."""


_Stream = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class KeptAlive:
    """POSTs of JSON to one Meilisearch over HTTP/1.1 connections kept open between calls.

    A connection is taken from the idle ones (or opened), sent the whole request in one write,
    and given back once its answer is read; one that fails or is cancelled mid-call is closed,
    never reused. A kept connection the server closed while idle fails before any answer: the
    call is sent once more on a new connection (searches change nothing, so it is safe)."""

    def __init__(self, url: str, headers: dict[str, str], keep: int) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"MEILI_URL must be http(s)://host[:port], not {url!r}")
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.tls = ssl.create_default_context() if parts.scheme == "https" else None
        self.prefix = parts.path.rstrip("/")
        host = parts.netloc.rsplit("@", 1)[-1]
        lines = [f"Host: {host}", "Content-Type: application/json"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        self._headers = ("\r\n".join(lines) + "\r\n").encode("latin-1")
        self._idle: list[_Stream] = []
        self._keep = keep

    async def post(self, path: str, body: Any) -> tuple[int, bytes]:
        """The answer's status and body; raises `OSError` or `ValueError` when there is none."""
        request = self._request(path, json.dumps(body, ensure_ascii=False).encode())
        while self._idle:
            stream = self._idle.pop()
            if stream[0].at_eof():
                stream[1].close()
                continue
            try:
                return await self._exchange(stream, request)
            except _Unanswered:
                continue  # closed by the server while idle: a new connection below
        try:
            return await self._exchange(await self._open(), request)
        except _Unanswered as error:
            raise ConnectionResetError("Meilisearch closed the connection") from error

    async def close(self) -> None:
        while self._idle:
            self._idle.pop()[1].close()

    def _request(self, path: str, body: bytes) -> bytes:
        head = f"POST {self.prefix}{path} HTTP/1.1\r\nContent-Length: {len(body)}\r\n"
        return head.encode("latin-1") + self._headers + b"\r\n" + body

    async def _open(self) -> _Stream:
        reader, writer = await asyncio.open_connection(
            self.host, self.port, ssl=self.tls, server_hostname=self.host if self.tls else None
        )
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return reader, writer

    async def _exchange(self, stream: _Stream, request: bytes) -> tuple[int, bytes]:
        reader, writer = stream
        kept = False
        try:
            writer.write(request)
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError) as error:
                if isinstance(error, asyncio.IncompleteReadError) and error.partial:
                    raise ValueError("Meilisearch's answer ended in its headers") from None
                raise _Unanswered from error
            status, length, chunked, close = _parse_head(head)
            if chunked:
                body = await _read_chunks(reader)
            elif length is not None:
                body = await reader.readexactly(length)
            else:
                body, close = await reader.read(), True
            kept = not close and len(self._idle) < self._keep
            return status, body
        except asyncio.IncompleteReadError as error:
            raise ValueError("Meilisearch's answer was cut short") from error
        finally:
            if kept:
                self._idle.append(stream)
            else:
                writer.close()


class _Unanswered(Exception):
    """The connection ended before any byte of an answer."""


def _parse_head(head: bytes) -> tuple[int, int | None, bool, bool]:
    """Status, Content-Length, chunked, and whether the server closes the connection."""
    lines = head.decode("latin-1").split("\r\n")
    version, _, rest = lines[0].partition(" ")
    if not version.startswith("HTTP/1.") or not rest[:3].isdigit():
        raise ValueError(f"not an HTTP/1.x answer: {lines[0][:80]!r}")
    length, chunked, close = None, False, version == "HTTP/1.0"
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding":
            chunked = "chunked" in value
        elif name == "connection":
            close = value == "close"
    return int(rest[:3]), length, chunked, close


async def _read_chunks(reader: asyncio.StreamReader) -> bytes:
    parts = []
    while size := int((await reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16):
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)
    while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers, then the blank line
        pass
    return b"".join(parts)


class SearchClient:
    """`search_timeout` bounds each search or multi-search from start to answer (waiting for one
    of the process's `max_searches` slots included): httpx's own timeout bounds each read, not
    the whole call."""

    def __init__(
        self,
        url: str,
        api_key: str | None,
        timeout: float = 5.0,
        search_timeout: float = 2.0,
        max_searches: int = 32,
    ) -> None:
        headers = {"Accept-Encoding": "identity"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self.url = url.rstrip("/")
        self.api_key = api_key
        self.http = httpx.AsyncClient(base_url=self.url, headers=headers, timeout=timeout)
        self.search_channel = KeptAlive(self.url, headers, keep=max_searches)
        self.search_timeout = search_timeout
        self._searches = asyncio.Semaphore(max_searches)
        self._admin = meilisearch.Client(self.url, api_key, timeout=int(timeout) + 1)
        self._admin_lock = asyncio.Lock()  # the SDK shares one headers dict between calls

    async def close(self) -> None:
        await self.search_channel.close()
        await self.http.aclose()

    async def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = await self.http.request(method, path, **kwargs)
        except httpx.HTTPError as error:
            raise SearchUnavailable(f"Meilisearch unreachable: {error}") from error
        if response.status_code >= 400:
            raise SearchUnavailable(f"Meilisearch answered {response.status_code}: {response.text}")
        return response.json() if response.content else None

    async def _admin_call(self, call: Any, *args: Any) -> Any:
        async with self._admin_lock:
            try:
                return await asyncio.to_thread(call, *args)
            except MeilisearchError as error:
                raise SearchUnavailable(str(error)) from error

    async def healthy(self) -> bool:
        try:
            return bool((await self._request("GET", "/health"))["status"] == "available")
        except SearchUnavailable:
            return False

    async def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = await self._bounded(f"/indexes/{index}/search", body)
        return result

    async def multi_search(self, index: str, bodies: Sequence[dict[str, Any]]) -> list[Any]:
        """Many searches of one index in one call (`POST /multi-search`), answers in order."""
        queries = [{"indexUid": index, **body} for body in bodies]
        answer = await self._bounded("/multi-search", {"queries": queries})
        return list(answer["results"])

    async def _bounded(self, path: str, body: dict[str, Any]) -> Any:
        try:
            async with asyncio.timeout(self.search_timeout), self._searches:
                return await self._search(path, body)
        except TimeoutError:
            raise SearchUnavailable(
                f"Meilisearch did not answer within {self.search_timeout:g} s"
            ) from None

    async def _search(self, path: str, body: dict[str, Any]) -> Any:
        """One search call over the kept-alive channel; tests wrap it to count calls."""
        try:
            status, answer = await self.search_channel.post(path, body)
        except (OSError, ValueError) as error:
            raise SearchUnavailable(f"Meilisearch unreachable: {error!r}") from error
        if status >= 400:
            text = answer.decode(errors="replace")[:1000]
            raise SearchUnavailable(f"Meilisearch answered {status}: {text}")
        return json.loads(answer)

    async def add_documents(self, index: str, documents: Sequence[dict[str, Any]]) -> int:
        task = await self._request(
            "POST", f"/indexes/{index}/documents", params={"primaryKey": "id"}, json=list(documents)
        )
        return int(task["taskUid"])

    async def delete_documents(self, index: str, ids: Sequence[int | str]) -> int:
        task = await self._request(
            "POST", f"/indexes/{index}/documents/delete-batch", json=list(ids)
        )
        return int(task["taskUid"])

    async def document_count(self, index: str) -> int:
        try:
            stats = await self._request("GET", f"/indexes/{index}/stats")
        except SearchUnavailable as error:
            if "404" in str(error):
                return 0
            raise
        return int(stats["numberOfDocuments"])

    async def delete_all_documents(self, index: str) -> int:
        task = await self._request("DELETE", f"/indexes/{index}/documents")
        return int(task["taskUid"])

    async def documents(
        self, index: str, limit: int = 1000, offset: int = 0
    ) -> list[dict[str, Any]]:
        page = await self._request(
            "GET", f"/indexes/{index}/documents", params={"limit": limit, "offset": offset}
        )
        return list(page["results"])

    async def wait_for_task(self, task_uid: int, timeout: float = 30.0) -> dict[str, Any]:  # noqa: ASYNC109
        """Poll until the task ends; raises `TaskFailed` unless it succeeded."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        delay = 0.005
        while True:
            task: dict[str, Any] = await self._request("GET", f"/tasks/{task_uid}")
            if task["status"] == "succeeded":
                return task
            if task["status"] in ("failed", "canceled"):
                raise TaskFailed(
                    f"Meilisearch task {task_uid} {task['status']}: {task.get('error')}"
                )
            if loop.time() > deadline:
                raise SearchUnavailable(f"Meilisearch task {task_uid} still {task['status']}")
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.1)

    async def index_exists(self, index: str) -> bool:
        try:
            await self._request("GET", f"/indexes/{index}")
        except SearchUnavailable as error:
            if "404" in str(error):
                return False
            raise
        return True

    async def create_index(self, index: str, settings: dict[str, Any]) -> None:
        """Create the index if it is missing and apply its settings; waits for both."""
        if not await self.index_exists(index):
            task = await self._admin_call(self._admin.create_index, index, {"primaryKey": "id"})
            await self.wait_for_task(task.task_uid)
        task = await self._admin_call(self._admin.index(index).update_settings, settings)
        await self.wait_for_task(task.task_uid, timeout=120)

    async def settings(self, index: str) -> dict[str, Any]:
        """The index's live settings, as Meilisearch reports them (every key, defaults filled)."""
        live: dict[str, Any] = await self._request("GET", f"/indexes/{index}/settings")
        return live

    async def swap_indexes(self, first: str, second: str) -> None:
        task = await self._admin_call(self._admin.swap_indexes, [{"indexes": [first, second]}])
        await self.wait_for_task(task.task_uid)

    async def delete_index(self, index: str) -> None:
        if await self.index_exists(index):
            task = await self._admin_call(self._admin.delete_index, index)
            await self.wait_for_task(task.task_uid)
