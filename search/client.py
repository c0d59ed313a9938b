"""The only module that talks to Meilisearch.

Two channels, each for what it does well:
- the hot path (search, documents, tasks) goes through one async keep-alive httpx client, with
  `Accept-Encoding: identity` (gzip over keep-alive costs ~40 ms of delayed ACKs, DESIGN.md);
- administration (indexes, settings, swaps) goes through the official `meilisearch` SDK, which is
  synchronous and opens a connection per call: fine for rare calls, run in a thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import httpx
import meilisearch
from meilisearch.errors import MeilisearchError


class SearchUnavailable(Exception):
    """Meilisearch cannot be reached, or refused the request."""


class TaskFailed(SearchUnavailable):
    """A Meilisearch task ended in `failed` or `canceled`."""


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
        self.http = httpx.AsyncClient(base_url=self.url, headers=headers, timeout=timeout)
        self.search_timeout = search_timeout
        self._searches = asyncio.Semaphore(max_searches)
        self._admin = meilisearch.Client(self.url, api_key, timeout=int(timeout) + 1)
        self._admin_lock = asyncio.Lock()  # the SDK shares one headers dict between calls

    async def close(self) -> None:
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
                return await self._request("POST", path, json=body)
        except TimeoutError:
            raise SearchUnavailable(
                f"Meilisearch did not answer within {self.search_timeout:g} s"
            ) from None

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

    async def swap_indexes(self, first: str, second: str) -> None:
        task = await self._admin_call(self._admin.swap_indexes, [{"indexes": [first, second]}])
        await self.wait_for_task(task.task_uid)

    async def delete_index(self, index: str) -> None:
        if await self.index_exists(index):
            task = await self._admin_call(self._admin.delete_index, index)
            await self.wait_for_task(task.task_uid)
