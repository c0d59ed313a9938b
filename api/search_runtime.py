"""Search at run time: the Meilisearch server (our own, or MEILI_URL's), its client, the relay."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field

from core.db import Database
from core.settings import Settings
from search.client import SearchClient, SearchUnavailable
from search.indexing import ensure_indexes, load_communes
from search.relay import Relay
from search.server import MeilisearchServer

logger = logging.getLogger("entrelieux.search")


@dataclass
class SearchRuntime:
    """What the app's lifespan starts and stops; `client` is None until started."""

    settings: Settings
    database: Database
    client: SearchClient | None = None
    server: MeilisearchServer | None = None
    relay: Relay | None = None
    _communes: asyncio.Task[None] | None = field(default=None, repr=False)

    async def start(self) -> None:
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
            await ensure_indexes(self.client)
        except SearchUnavailable:
            logger.exception("Meilisearch is not ready; the relay will catch up when it is")
        else:
            self._communes = asyncio.create_task(self._load_communes(), name="communes-index")
        if self.settings.run_relay:
            self.relay = Relay(
                self.database,
                self.client,
                self.settings.outbox_poll_seconds,
                batch=self.settings.outbox_batch_size,
            )
            self.relay.start()

    async def _local_server(self) -> tuple[str, str]:
        """Our own Meilisearch under var/: the one already running there, or a new one.

        `entrelieux serve` writes where its server listens, so `reindex` or `worker` run beside
        it share that server instead of fighting over its data folder.
        """
        folder = self.settings.var_dir / "meilisearch"
        endpoint = folder / "endpoint.json"
        if endpoint.is_file():
            known = json.loads(endpoint.read_text())
            probe = SearchClient(known["url"], known["key"])
            healthy = await probe.healthy()
            await probe.close()
            if healthy:
                return known["url"], known["key"]
        self.server = MeilisearchServer(data_dir=folder)
        await asyncio.to_thread(self.server.start)
        endpoint.write_text(json.dumps({"url": self.server.url, "key": self.server.master_key}))
        endpoint.chmod(0o600)
        return self.server.url, self.server.master_key

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
        if self._communes is not None:
            self._communes.cancel()
        if self.relay is not None:
            await self.relay.stop()
        if self.client is not None:
            await self.client.close()
        if self.server is not None:
            await asyncio.to_thread(self.server.stop)
            (self.settings.var_dir / "meilisearch" / "endpoint.json").unlink(missing_ok=True)
