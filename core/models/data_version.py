"""The data version: one row, advanced in the same transaction as every committed write.

`core/data_version.py` advances it; `api/response_cache.py` answers a read from memory only while
the version it was computed at is still the database's.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class DataVersion(SQLModel, table=True):
    """The one row (`id` 1) whose `version` grows by one with each committed write."""

    __tablename__ = "data_version"

    id: int = Field(primary_key=True)
    version: int = Field(default=0, sa_type=sa.BigInteger())
