"""Search at run time: the Meilisearch server (our own, or MEILI_URL's), its client, the relay.

Our own server (no MEILI_URL) is supervised: when it dies, `_supervise` restarts it on the same
port and key after a pause that doubles from SEARCH_RESTART_SECONDS up to
SEARCH_RESTART_MAX_SECONDS (each attempt logged); writes meanwhile wait in the outbox and the
relay catches up once it answers. It is stopped with the app and dies with it even when the app
is SIGKILLed (PR_SET_PDEATHSIG, `core/loopback.py`). `endpoint.json` in its folder says where it
listens, its pid and the pid of the app that owns it: `reindex` or `worker` run beside a live
`serve` share that server; a server whose owner is gone is stale and replaced.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from api.metrics import SEARCH_RESTARTS
from core.db import Database
from core.loopback import pid_alive, stop
from core.settings import Settings
from search.client import SearchClient, SearchUnavailable
from search.indexing import ensure_indexes, load_communes, reindex
from search.relay import Relay
from search.server import MeilisearchServer, servers_on, stop_pid
from search.spelling import default_lexicon

logger = logging.getLogger("entrelieux.search")
HEALTH_PROBE_SECONDS = 2.0  # /healthz does not wait longer for Meilisearch's answer
SHARED_WAIT_SECONDS = 30.0  # how long `reindex` waits for a live owner's server to answer again


@dataclass
class SearchRuntime:
    """What the app's lifespan starts and stops; `client` is None until started."""

    settings: Settings
    database: Database
    client: SearchClient | None = None
    server: MeilisearchServer | None = None
    relay: Relay | None = None
    restarting: bool = False
    restarts: int = 0
    _communes: asyncio.Task[None] | None = field(default=None, repr=False)
    _rebuild: asyncio.Task[None] | None = field(default=None, repr=False)
    _supervisor: asyncio.Task[None] | None = field(default=None, repr=False)

    async def start(self) -> None:
        # The spelling lexicon (about 40,000 words, a second or two to build) is built here, not
        # by the first search.
        await asyncio.to_thread(default_lexicon)
        url, key = self.settings.meili_url, self.settings.meili_master_key
        if url is None:
            url, key = await self._local_server()
        self.client = SearchClient(
            url,
            key,
            search_timeout=self.settings.meili_timeout_seconds,
            max_searches=self.settings.search_max_concurrent,
        )
        try:
            outdated = await ensure_indexes(self.client)
        except SearchUnavailable:
            logger.exception("Meilisearch is not ready; the relay will catch up when it is")
        else:
            if self.settings.run_relay or self.server is not None:  # not each `serve` worker
                self._communes = asyncio.create_task(self._load_communes(), name="communes-index")
                if outdated:
                    self._rebuild = asyncio.create_task(self._reindex(outdated), name="reindex")
        if self.settings.run_relay:
            self.relay = Relay(
                self.database,
                self.client,
                self.settings.outbox_poll_seconds,
                batch=self.settings.outbox_batch_size,
            )
            self.relay.start()
        if self.server is not None:
            self._supervisor = asyncio.create_task(self._supervise(), name="meilisearch-watch")

    @property
    def endpoint(self) -> Path:
        return self.settings.var_dir / "meilisearch" / "endpoint.json"

    async def _local_server(self) -> tuple[str, str]:
        """Our own Meilisearch under var/: the one a live app owns there, or a new one."""
        folder = self.endpoint.parent
        known = _read(self.endpoint)
        owner = known.get("owner")
        if isinstance(owner, int) and owner != os.getpid() and pid_alive(owner):
            # `serve` runs beside this `reindex` or `worker`: share its server, which it supervises.
            await self._wait_for_shared(known["url"], known["key"])
            return str(known["url"]), str(known["key"])
        for pid in servers_on(folder):
            logger.warning("stopping a stale Meilisearch (pid %d) left on %s", pid, folder)
            await asyncio.to_thread(stop_pid, pid)
        self.server = MeilisearchServer(data_dir=folder, die_with_parent=True)
        self.server.spawn()  # from the event loop's thread: see core/loopback.py
        await asyncio.to_thread(self.server.wait_healthy)
        self._write_endpoint()
        return self.server.url, self.server.master_key

    async def _wait_for_shared(self, url: str, key: str) -> None:
        probe = SearchClient(url, key, timeout=1.0)
        try:
            deadline = time.monotonic() + SHARED_WAIT_SECONDS
            while not await probe.healthy() and time.monotonic() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.5)
        finally:
            await probe.close()

    def _write_endpoint(self) -> None:
        assert self.server is not None
        known = {
            "url": self.server.url,
            "key": self.server.master_key,
            "pid": self.server.pid,
            "owner": os.getpid(),
        }
        self.endpoint.write_text(json.dumps(known))
        self.endpoint.chmod(0o600)

    async def _supervise(self) -> None:
        """Restart our server whenever it exits, with a capped exponential pause."""
        server = self.server
        assert server is not None
        failures, up_since = 0, time.monotonic()
        settled = self.settings.search_restart_max_seconds
        while True:
            await asyncio.sleep(self.settings.search_watch_seconds)
            code = server.exited()
            if code is None:
                if failures and time.monotonic() - up_since > settled:
                    failures = 0  # it has stayed up: the next failure starts from the short pause
                continue
            self.restarting = True
            logger.error("our Meilisearch (pid %s) exited with %s; restarting it", server.pid, code)
            while True:
                pause = min(
                    self.settings.search_restart_seconds * 2**failures,
                    self.settings.search_restart_max_seconds,
                )
                failures += 1
                logger.warning("Meilisearch restart %d in %.1f s", failures, pause)
                await asyncio.sleep(pause)
                if await self._restart(server):
                    break
            self.restarts += 1
            SEARCH_RESTARTS.inc()
            self.restarting, up_since = False, time.monotonic()
            self._write_endpoint()
            logger.warning("Meilisearch restarted (pid %s)", server.pid)
            await self._after_restart()

    async def _restart(self, server: MeilisearchServer) -> bool:
        try:
            server.spawn()
            await asyncio.to_thread(server.wait_healthy)
        except RuntimeError:
            logger.exception("Meilisearch did not come back")
            await asyncio.to_thread(stop, server.process)
            return False
        return True

    async def _after_restart(self) -> None:
        """Its data folder survived: make sure of the indexes' settings, finish the communes if
        the start's load was cut, and let the relay push what waited."""
        assert self.client is not None
        try:
            await ensure_indexes(self.client)
        except SearchUnavailable:
            logger.exception("Meilisearch restarted but its indexes are not ready yet")
        else:
            if self._communes is None or self._communes.done():
                self._communes = asyncio.create_task(self._load_communes(), name="communes-index")
        self.wake()

    async def search_state(self) -> str:
        """`ok`, `restarting` (ours, being restarted) or `unreachable`."""
        if self.restarting:
            return "restarting"
        if self.client is None:
            return "unreachable"
        try:
            healthy = await asyncio.wait_for(self.client.healthy(), HEALTH_PROBE_SECONDS)
        except TimeoutError:
            healthy = False
        return "ok" if healthy else "unreachable"

    async def _reindex(self, outdated: list[str]) -> None:
        """Documents of an older shape (a deploy that added fields to them): rebuilt beside the
        live index and swapped in, as `entrelieux reindex` does; search answers meanwhile."""
        assert self.client is not None
        logger.info("%s: documents of an older shape; rebuilding", ", ".join(outdated))
        try:
            count = await reindex(self.database, self.client)
        except SearchUnavailable:
            logger.exception("could not rebuild the search index; `entrelieux reindex` will")
        else:
            logger.info("search index rebuilt: %d listings", count)

    async def _load_communes(self) -> None:
        assert self.client is not None
        try:
            if loaded := await load_communes(self.database, self.client):
                logger.info("communes index filled: %d communes", loaded)
        except SearchUnavailable:
            logger.exception("could not fill the communes index; `entrelieux reindex` will")

    def wake(self) -> None:
        if self.relay is not None:
            self.relay.wake()

    async def stop(self) -> None:
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
        for task in (self._communes, self._rebuild):
            if task is not None:
                task.cancel()
        if self.relay is not None:
            await self.relay.stop()
        if self.client is not None:
            await self.client.close()
        if self.server is not None:
            await asyncio.to_thread(self.server.stop)
            if _read(self.endpoint).get("owner") == os.getpid():
                self.endpoint.unlink(missing_ok=True)


def _read(endpoint: Path) -> dict[str, Any]:
    try:
        known = json.loads(endpoint.read_text())
    except (OSError, ValueError):
        return {}
    return known if isinstance(known, dict) else {}
