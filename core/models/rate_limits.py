"""Rate-limit counters shared by every app process: one row per key and fixed window.

`core/rate_limiter.py` keeps each process's own counts and adds them here at most every
`RATE_LIMIT_SYNC_SECONDS`; a row is useless two windows after it starts and is purged then.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class RateLimitCount(SQLModel, table=True):
    """What a key (a limit's name and its caller: `graphql:ip:203.0.113.7`) spent in one window."""

    __tablename__ = "rate_limit"

    key: str = Field(max_length=200, primary_key=True)
    window_start: int = Field(
        sa_type=sa.BigInteger(), primary_key=True, description="Unix seconds, a window's multiple."
    )
    count: int = Field(default=0, sa_type=sa.BigInteger())
    expires_at: int = Field(
        sa_type=sa.BigInteger(), index=True, description="Unix seconds: no longer counted after."
    )
