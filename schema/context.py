"""What every resolver receives: the request's session, the principal and fresh loaders."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from strawberry.types import Info as StrawberryInfo

from core.media.storage import MediaStorage
from core.rate_limiter import RateLimiter
from core.services.principal import Principal
from core.settings import Settings
from core.wakeup import Wakeup
from schema.loaders import Loaders
from search.client import SearchClient


@dataclass
class Context:
    settings: Settings
    principal: Principal | None
    open_session: Callable[[], AsyncSession]
    """Opens the request's one session on first use; the app closes it after the response."""
    search: SearchClient | None = None
    """None when search is off or not started: search fields answer `SearchUnavailableError`."""
    on_commit: Callable[[], None] = lambda: None
    """Called after a mutation commits (wakes the outbox relay)."""
    prefetched: dict[tuple[str, int], Any] = field(default_factory=dict)
    """GraphQL objects loaded ahead for a whole page, by (type name, primary key)."""
    new_session: Callable[[], AsyncSession] | None = None
    """A short session of its own (`async with`), for work that outlives one response."""
    commits: Wakeup = field(default_factory=Wakeup)
    """Notified after any commit of this process: live subscriptions look at once."""
    connection_params: dict[str, Any] | None = None
    """The `connection_init` payload of a WebSocket (graphql-transport-ws)."""
    browser: bool = False
    """A browser's WebSocket (`api/trusted_requests.py` `is_browser`): under
    `TRUSTED_DOCUMENTS=browsers` it subscribes only with the web app's documents."""
    media: MediaStorage | None = None
    """Where photo files are written; None where no mutation writes any (a WebSocket)."""
    pending_work: set[asyncio.Future[Any]] = field(default_factory=set)
    """Resolvers graphql-core still runs after the response (`schema/execution.py`)."""
    query_cost: int = 0
    """What this request's document costs (`schema/cost.py`), computed before it runs; the
    caller's budget is charged with it."""
    rate_limiter: RateLimiter | None = None
    """The app's rate limits (off: None); creating mutations are counted per organization
    (`schema/rate_limits.py`)."""
    lost_connection: bool = False
    """A read met a pooled connection the server had closed (`schema/build.py`): the app runs
    it once more on a fresh one (`api/graphql_app.py`)."""
    _loaders: Loaders | None = field(default=None, repr=False)

    @cached_property
    def session(self) -> AsyncSession:
        return self.open_session()

    @cached_property
    def search_slots(self) -> asyncio.Semaphore:
        """At most `search_max_concurrent_per_request` searches of this request at once."""
        return asyncio.Semaphore(self.settings.search_max_concurrent_per_request)

    @property
    def loaders(self) -> Loaders:
        if self._loaders is None:
            self._loaders = Loaders(self.session, self.principal, self.search, self.search_slots)
        return self._loaders

    async def settle(self, cancel: bool = False) -> None:
        """Wait for the work of this request that outlived its response, before its session
        closes; `cancel` it first when the request was cancelled (`api/deadlines.py`)."""
        while pending := [f for f in self.pending_work if not f.done()]:
            if cancel:
                for future in pending:
                    future.cancel()
            await asyncio.wait(pending)
        self.pending_work.clear()

    async def end_transaction(self) -> None:
        """Between two events of a long WebSocket operation: end the session's transaction (its
        connection goes back to the pool) and forget what was loaded, so the next event reads
        fresh rows."""
        session = self.__dict__.get("session")
        if session is not None:
            await session.rollback()
        self._loaders = None
        self.prefetched.clear()


Info = StrawberryInfo[Context, None]
