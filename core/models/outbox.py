"""Changes to indexed rows, written in the same transaction as the change; the relay drains them."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.models.base import enum_column, timestamp_column, utcnow


class OutboxTopic(enum.StrEnum):
    LISTING = "LISTING"
    """A listing changed: its search document must be pushed again, or removed."""
    ORGANIZATION = "ORGANIZATION"
    """An organization changed (its network): every listing of it must be pushed again."""
    SPACE = "SPACE"
    """A place changed: its document in the places index must be pushed again, or removed."""


class OutboxEvent(SQLModel, table=True):
    __tablename__ = "outbox_event"
    __table_args__ = (sa.Index("ix_outbox_pending", "processed_at", "available_at"),)

    id: int | None = Field(default=None, primary_key=True)
    topic: OutboxTopic = Field(sa_type=enum_column(OutboxTopic))
    entity_id: int
    created_at: datetime = Field(default_factory=utcnow, sa_type=timestamp_column())
    available_at: datetime = Field(
        default_factory=utcnow, sa_type=timestamp_column(), description="Not before: backoff."
    )
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)
    processed_at: datetime | None = Field(default=None, sa_type=timestamp_column())
