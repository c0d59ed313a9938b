"""Where a place comes from: each open source's record of it, and every merge of two sources'
records into one place (with its rule and reason, undoable by a national administrator).

A `SpaceSourceRecord` is one row of one source (the Mission Coworking base, fablabs.io, ...),
keyed by the source's own id, holding what that source last said (the normalized fields) and
when. Importing a newer file of a source updates its records in place. A record joined to a place
that another record had created is a merge, written as a `SpaceMerge`; undoing it moves the
record to a place of its own and keeps the merge row (with `undone_at`), which stops the record
from ever joining that place again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.models.base import timestamp_column, utcnow


class SpaceSourceRecord(SQLModel, table=True):
    __tablename__ = "space_source_record"
    __table_args__ = (sa.UniqueConstraint("source", "key", name="uq_space_source_record_key"),)

    id: int | None = Field(default=None, primary_key=True)
    space_id: int = Field(foreign_key="space.id", index=True, ondelete="CASCADE")
    source: str = Field(max_length=40, description="The adapter's name: 'fablabs_io', ...")
    key: str = Field(max_length=200, description="The source's own id of the place.")
    url: str | None = Field(default=None, max_length=500, description="The record's own page.")
    said: dict[str, Any] = Field(
        default_factory=dict, sa_type=sa.JSON, description="What the source said, normalized."
    )
    located: bool = Field(
        default=True, description="False when the position is only the commune's centroid."
    )
    said_at: datetime = Field(
        sa_type=timestamp_column(), description="When the source last said it (its file's date)."
    )
    seen_at: datetime = Field(default_factory=utcnow, sa_type=timestamp_column())
    created_at: datetime = Field(default_factory=utcnow, sa_type=timestamp_column())


class SpaceMerge(SQLModel, table=True):
    """A record joined to a place created by another source's record."""

    __tablename__ = "space_merge"

    id: int | None = Field(default=None, primary_key=True)
    record_id: int = Field(foreign_key="space_source_record.id", index=True, ondelete="CASCADE")
    space_id: int = Field(foreign_key="space.id", index=True, ondelete="CASCADE")
    rule: str = Field(max_length=20, description="SIRET, FABLABS_IO, WEBSITE or NAME.")
    reason: str = Field(max_length=300, description="In French, with the figures.")
    merged_at: datetime = Field(default_factory=utcnow, sa_type=timestamp_column())
    undone_at: datetime | None = Field(default=None, sa_type=timestamp_column())
    undone_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
