"""Has search caught up with the database? The outbox events not yet applied say how far behind.

The relay marks an event done only once Meilisearch has applied its task, so no pending event
means every committed change is searchable.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import OutboxEvent


@dataclass(frozen=True)
class SearchStatus:
    enabled: bool
    pending: int

    @property
    def indexing(self) -> bool:
        """The index is catching up: a search may miss what is not in it yet."""
        return self.enabled and self.pending > 0


async def search_status(session: AsyncSession, *, enabled: bool = True) -> SearchStatus:
    """How many changes wait for the index (none are waited for when search is off)."""
    if not enabled:
        return SearchStatus(enabled=False, pending=0)
    statement = (
        select(func.count()).select_from(OutboxEvent).where(col(OutboxEvent.processed_at).is_(None))
    )
    return SearchStatus(enabled=True, pending=int((await session.exec(statement)).one()))
