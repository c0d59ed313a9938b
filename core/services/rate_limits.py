"""Rate-limit budgets, the two-window sliding count, and the SQL of the shared counts.

A budget allows `limit` units (requests, or GraphQL points) per `seconds`. Time is cut into fixed
windows of `seconds` aligned on the Unix epoch, and what a key spent over the last `seconds` is
estimated from two numbers, the current window's count and the previous one's, weighted by how
much of the previous window the sliding one still covers:

    spent = current + previous × (1 − elapsed / seconds)

Exact when the previous window's requests were spread evenly; never off by more than the
previous window's count. A request is admitted when `spent + cost ≤ limit`; a refused one is
not counted. The process-local counters and their sync with the `rate_limit` table live in
`core/rate_limiter.py`; these functions take a session and never commit.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import RateLimitCount
from core.settings import Settings
from core.transactions import is_postgresql

_CHUNK = 500  # keys per IN (...): well under SQLite's bound on parameters
_COUNT = col(RateLimitCount.count)


@dataclass(frozen=True)
class Budget:
    """`limit` units per `seconds` for each caller; `name` prefixes the callers' keys."""

    name: str
    limit: int
    seconds: int


@dataclass(frozen=True)
class Budgets:
    """Every budget of the app, from the settings' rate-limit block."""

    graphql_anonymous: Budget
    graphql_token: Budget
    graphql_person: Budget
    login: Budget
    bad_tokens: Budget
    creations: Budget

    @classmethod
    def from_settings(cls, settings: Settings) -> Budgets:
        graphql = settings.rate_limit_graphql_seconds
        return cls(
            graphql_anonymous=Budget("graphql", settings.rate_limit_graphql_anonymous, graphql),
            graphql_token=Budget("graphql", settings.rate_limit_graphql_token, graphql),
            graphql_person=Budget("graphql", settings.rate_limit_graphql_person, graphql),
            login=Budget("login", settings.rate_limit_login, settings.rate_limit_login_seconds),
            bad_tokens=Budget(
                "bad_tokens", settings.rate_limit_bad_tokens, settings.rate_limit_bad_tokens_seconds
            ),
            creations=Budget(
                "creations", settings.rate_limit_creations, settings.rate_limit_creations_seconds
            ),
        )


@dataclass(frozen=True)
class Verdict:
    """A budget's state for one caller, as the RateLimit-* headers tell it."""

    allowed: bool
    limit: int
    remaining: int
    reset: int
    """Seconds until nothing spent is counted any more (the whole budget is back)."""
    retry_after: int
    """Seconds until a refused request of the same cost would be admitted; 0 when allowed."""


def window_start(now: float, seconds: int) -> int:
    return int(now // seconds) * seconds


def spent(previous: int, current: int, elapsed: float, seconds: int) -> float:
    """What the last `seconds` spent, `elapsed` seconds into the current window."""
    return current + previous * (1 - elapsed / seconds)


def judge(budget: Budget, previous: int, current: int, now: float, cost: int) -> Verdict:
    """Whether a request of `cost` fits now, given the two windows' counts."""
    seconds = budget.seconds
    elapsed = now - window_start(now, seconds)
    used = spent(previous, current, elapsed, seconds)
    allowed = used + cost <= budget.limit
    remaining = max(0, math.floor(budget.limit - used))
    windows_counted = 2 if current > 0 else 1 if previous > 0 else 0
    reset = windows_counted * seconds - elapsed if windows_counted else 0
    retry = 0 if allowed else _wait(budget, previous, current, elapsed, cost)
    return Verdict(allowed, budget.limit, remaining, math.ceil(reset), retry)


def _wait(budget: Budget, previous: int, current: int, elapsed: float, cost: int) -> int:
    """Seconds until `cost` fits, no more being spent meanwhile (at least 1)."""
    seconds, room = budget.seconds, budget.limit - cost
    if room - current >= 0 and previous > 0:  # the previous window fades enough in this one
        wait = seconds * (1 - (room - current) / previous) - elapsed
    elif room >= 0 and current > 0:  # next window, while the current one fades
        wait = seconds - elapsed + seconds * (1 - room / current)
    else:  # the cost exceeds the whole budget: once both windows are gone
        wait = 2 * seconds - elapsed
    return max(1, math.ceil(wait))


async def add_counts(
    session: AsyncSession, deltas: Mapping[tuple[str, int], tuple[int, int]]
) -> None:
    """Add `(count, expires_at)` to each `(key, window_start)` row, creating it if needed."""
    if not deltas:
        return
    insert = postgresql.insert if is_postgresql(session) else sqlite.insert
    statement = insert(RateLimitCount)
    statement = statement.on_conflict_do_update(
        index_elements=["key", "window_start"],
        set_={"count": _COUNT + statement.excluded["count"]},
    )
    rows = [
        {"key": key, "window_start": start, "count": count, "expires_at": expires}
        for (key, start), (count, expires) in deltas.items()
    ]
    await (await session.connection()).execute(statement, rows)


async def read_counts(
    session: AsyncSession, keys: Collection[str], now: int
) -> dict[tuple[str, int], int]:
    """The live counts of these keys, by `(key, window_start)`."""
    counts: dict[tuple[str, int], int] = {}
    ordered = sorted(keys)
    for first in range(0, len(ordered), _CHUNK):
        chunk = ordered[first : first + _CHUNK]
        rows = await session.exec(
            select(RateLimitCount.key, RateLimitCount.window_start, RateLimitCount.count).where(
                col(RateLimitCount.key).in_(chunk), col(RateLimitCount.expires_at) > now
            )
        )
        counts.update({(key, start): count for key, start, count in rows})
    return counts


async def purge_expired(session: AsyncSession, now: int) -> None:
    await session.exec(delete(RateLimitCount).where(col(RateLimitCount.expires_at) <= now))
