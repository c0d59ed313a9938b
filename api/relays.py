"""What must run once, whatever the number of HTTP processes: the relays and their servers.

`Relays` starts our own supervised Meilisearch (without MEILI_URL), and when RUN_RELAY is true
the outbox relay, the mail relay and the place recheck; for `serve --workers N` also the line
saying when the index caught up and, in development, the demo sign-in provider.
`entrelieux worker` runs it as its whole job; `serve --workers N` runs it in a thread of the
parent process (`RelaysThread`) and hands the HTTP workers, through `worker_environment`,
what they need to be mere clients:
RUN_RELAY=false, the Meilisearch that the parent supervises, and the sign-in provider it started.
With one process (`serve` alone) the app's lifespan (`api/app.py`) runs the same pieces itself.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from dataclasses import dataclass, field

from api.auth import dev_provider
from api.auth.oidc import Providers
from api.health import announce_when_caught_up
from api.mail_relay import MailRelay
from api.place_recheck import PlaceRecheck
from api.search_runtime import SearchRuntime
from core.db import Database
from core.settings import Settings

logger = logging.getLogger("entrelieux")
STOP_SECONDS = 30.0  # how long `RelaysThread.stop` waits for the relays to finish their batch


@dataclass
class Relays:
    """The once-only pieces; `start` then `stop`, from one event loop."""

    settings: Settings
    database: Database
    serving: bool = False  # for `serve --workers`: say when the index has caught up
    runtime: SearchRuntime = field(init=False)
    _providers: Providers = field(init=False)
    _dev: dev_provider.DevOidcProvider | None = field(default=None, init=False)
    _watch: asyncio.Task[None] | None = field(default=None, init=False)
    _mail: MailRelay = field(init=False)
    _recheck: PlaceRecheck = field(init=False)

    def __post_init__(self) -> None:
        self.runtime = SearchRuntime(self.settings, self.database)
        self._mail = MailRelay(self.database, self.settings)
        self._recheck = PlaceRecheck(self.database)
        self._providers = Providers()

    async def start(self) -> None:
        if self.settings.search_enabled:
            await self.runtime.start()  # with the outbox relay when RUN_RELAY is true
        if not self.settings.run_relay:  # `entrelieux worker` processes do it
            return
        self._mail.start()
        self._recheck.start()
        if self.serving and self.settings.search_enabled:
            self._watch = asyncio.create_task(
                announce_when_caught_up(self.database, self.settings), name="index-watch"
            )

    async def start_sign_in(self) -> None:
        """In development without OIDC_PROVIDERS: the demo provider, once for every worker."""
        if dev_provider.wanted(self.settings):
            self._dev = await dev_provider.start_for_development(self.settings, self._providers)

    def worker_environment(self) -> dict[str, str]:
        """The variables that make an HTTP worker a client of what runs here."""
        environment = {"RUN_RELAY": "false"}
        if self.runtime.server is not None:  # ours: the workers use it, the parent supervises it
            environment["MEILI_URL"] = self.runtime.server.url
            environment["MEILI_MASTER_KEY"] = self.runtime.server.master_key
        if self._dev is not None:
            configs = [provider.config.model_dump(mode="json") for provider in self._providers]
            environment["OIDC_PROVIDERS"] = json.dumps(configs)
        return environment

    async def stop(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
        await self._mail.stop()
        await self._recheck.stop()
        await self.runtime.stop()
        if self._dev is not None:
            await asyncio.to_thread(self._dev.stop)
        await self._providers.close()


class RelaysThread:
    """`Relays` on an event loop of their own, in a thread of `serve`'s parent process.

    A thread rather than a process: it lives exactly as long as the parent (which uvicorn's
    supervisor keeps in its main thread), so our Meilisearch, spawned from this thread's loop
    with PR_SET_PDEATHSIG, dies with it, and nothing more needs supervising.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.environment: dict[str, str] = {}
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="entrelieux-relays", daemon=True)

    def start(self) -> dict[str, str]:
        """Start the relays, wait until they run; the workers' environment (or the error)."""
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            self._thread.join()
            raise self._error
        return self.environment

    def stop(self) -> None:
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(stop.set)
        self._thread.join(STOP_SECONDS)
        if self._thread.is_alive():
            logger.error("the relays did not stop within %.0f s", STOP_SECONDS)

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        database = Database.from_settings(self.settings)
        relays = Relays(self.settings, database, serving=True)
        try:
            await relays.start()
            await relays.start_sign_in()
            self.environment = relays.worker_environment()
        except BaseException as error:
            self._error = error
        self._ready.set()
        try:
            if self._error is None:
                await self._stop.wait()
        finally:
            await relays.stop()
            await database.dispose()
