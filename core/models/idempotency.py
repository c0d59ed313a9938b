"""Idempotency keys: a client's own key for a creating mutation, so a replay creates nothing."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.models.base import timestamp_column, utcnow


class IdempotencyKey(SQLModel, table=True):
    """The first result of a mutation sent with `key` by a person; unique per person."""

    __tablename__ = "idempotency_key"
    __table_args__ = (sa.UniqueConstraint("person_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE")
    key: str = Field(max_length=100)
    operation: str = Field(max_length=60, description="The mutation, e.g. exchangeRequest.")
    fingerprint: str = Field(max_length=64, description="SHA-256 of the mutation's input.")
    result_id: int = Field(description="The primary key of what the first call created.")
    created_at: datetime = Field(default_factory=utcnow, sa_type=timestamp_column())
