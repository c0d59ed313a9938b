"""How many listings an anonymous viewer sees, kept per department, kind and direction.

`core/listing_counts.py` adds and takes away in the flush that changes a listing, so the figure
commits or rolls back with the change. Each key is spread over `SLOTS` rows, a change going to one
drawn at random: concurrent publishes in one department rarely wait for each other's row lock.
A key's figure is the sum of its rows (a row alone may be negative).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.models.base import enum_column
from core.models.listings import Direction, ListingKind

SLOTS = 8
NO_DEPARTMENT = ""
"""The key of listings without a department (no location): a primary key cannot be NULL."""


class ListingCount(SQLModel, table=True):
    """PUBLISHED, PUBLIC, not hidden listings (what anyone sees), one slot of one key."""

    __tablename__ = "listing_count"

    department_code: str = Field(default=NO_DEPARTMENT, max_length=3, primary_key=True)
    kind: ListingKind = Field(sa_type=enum_column(ListingKind), primary_key=True)
    direction: Direction = Field(sa_type=enum_column(Direction), primary_key=True)
    slot: int = Field(default=0, primary_key=True, sa_type=sa.SmallInteger())
    n: int = Field(default=0, sa_type=sa.BigInteger())
