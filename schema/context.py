"""What every resolver receives: the request's session, the principal and fresh loaders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from strawberry.types import Info as StrawberryInfo

from api.services.principal import Principal
from api.settings import Settings
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
    _loaders: Loaders | None = field(default=None, repr=False)

    @cached_property
    def session(self) -> AsyncSession:
        return self.open_session()

    @property
    def loaders(self) -> Loaders:
        if self._loaders is None:
            self._loaders = Loaders(self.session, self.principal)
        return self._loaders


Info = StrawberryInfo[Context, None]
