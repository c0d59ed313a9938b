"""A person's new notifications as they are committed, for a live stream (any process wrote them).

Ids grow with insertion, but on PostgreSQL two transactions may commit out of id order: a
cursor that only remembered the highest id seen would skip the slower one. So the feed looks
again at the ids above a floor it moves only past what is older than `LOOKBACK`, and remembers
what it delivered since then.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import Notification
from core.models.base import utcnow
from core.services.principal import Principal

LOOKBACK = timedelta(seconds=60)
"""A notification whose transaction takes longer than this to commit may be missed live."""


class NotificationFeed:
    """Call `start` once, then `fetch` with a fresh short session whenever it may have news."""

    def __init__(self, principal: Principal, batch: int = 100) -> None:
        self.person_id = principal.person_id
        self.batch = batch
        self.floor = 0
        self.delivered: dict[int, datetime] = {}

    async def start(self, session: AsyncSession) -> None:
        """Only what is created from now on will be fetched."""
        statement = select(func.max(Notification.id)).where(
            Notification.person_id == self.person_id
        )
        self.floor = int((await session.exec(statement)).one() or 0)

    async def fetch(self, session: AsyncSession) -> list[Notification]:
        """The person's notifications committed since the last fetch, oldest first."""
        statement = (
            select(Notification)
            .where(Notification.person_id == self.person_id, col(Notification.id) > self.floor)
            .order_by(col(Notification.id))
            .limit(self.batch)
        )
        if self.delivered:
            statement = statement.where(col(Notification.id).not_in(list(self.delivered)))
        rows = list((await session.exec(statement)).all())
        for row in rows:
            assert row.id is not None
            self.delivered[row.id] = row.created_at
        self._forget_old()
        return rows

    def _forget_old(self) -> None:
        cutoff = utcnow() - LOOKBACK
        old = [pk for pk, created in self.delivered.items() if created < cutoff]
        if old:
            self.floor = max(self.floor, *old)
            self.delivered = {pk: at for pk, at in self.delivered.items() if pk > self.floor}
