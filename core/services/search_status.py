"""Has search caught up with the database? The outbox events not yet applied say how far behind.

The relay marks an event done only once Meilisearch has applied its task, so no pending event
means every committed change is searchable. The oldest pending event says how late it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import Notification, OutboxEvent
from core.models.base import utcnow


@dataclass(frozen=True)
class SearchStatus:
    enabled: bool
    pending: int
    oldest_pending_at: datetime | None = None

    @property
    def indexing(self) -> bool:
        """The index is catching up: a search may miss what is not in it yet."""
        return self.enabled and self.pending > 0

    @property
    def lag_seconds(self) -> float:
        """How long the oldest change has waited for the index (0 when none waits)."""
        if self.oldest_pending_at is None:
            return 0.0
        return max(0.0, (utcnow() - self.oldest_pending_at).total_seconds())


async def search_status(session: AsyncSession, *, enabled: bool = True) -> SearchStatus:
    """How many changes wait for the index (none are waited for when search is off)."""
    if not enabled:
        return SearchStatus(enabled=False, pending=0)
    statement = select(func.count(), func.min(OutboxEvent.created_at)).where(
        col(OutboxEvent.processed_at).is_(None)
    )
    pending, oldest = (await session.exec(statement)).one()
    return SearchStatus(enabled=True, pending=int(pending), oldest_pending_at=oldest)


async def mail_pending(session: AsyncSession) -> int:
    """Notifications whose e-mail the mail relay has not sent yet."""
    statement = (
        select(func.count())
        .select_from(Notification)
        .where(col(Notification.email_pending).is_(True))
    )
    return int((await session.exec(statement)).one())
