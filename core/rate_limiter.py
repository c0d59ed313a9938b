"""Rate limits shared by every app process, without a database write per request.

Each process counts in memory and decides alone. A background task adds what the process
counted to the `rate_limit` table and reads back the totals of the keys it used (every
process's charges) every `RATE_LIMIT_SYNC_SECONDS` while there is traffic, and sooner (at most
ten times as often) when a caller is within a fifth of a limit or refused. A key (a limit and a
caller, `graphql:ip:203.0.113.7`) met for the first time, or not read for a sync period, is read
first: one indexed SELECT, never a write. So:

- a decision counts every other process's charges up to one sync period (plus a statement) old:
  a budget may be overspent by what the *other* processes admit during that lag, never more;
- a request writes nothing: one write per process and period, whatever the traffic (SQLite
  serializes writers); a refusal costs a dictionary look-up, and a read once a period;
- the database down, the limiter keeps counting alone (it fails open) and syncs when it can.

The arithmetic of the sliding window is `core/services/rate_limits.py`; rows older than two
windows are purged by the sync, at most once a minute. Refusals are told to `on_refused`
(the limit's name), for metrics.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel.ext.asyncio.session import AsyncSession

from core.services.rate_limits import (
    Budget,
    Verdict,
    add_counts,
    judge,
    purge_expired,
    read_counts,
    window_start,
)
from core.transactions import begin_writing

logger = logging.getLogger("entrelieux.rate_limits")

NEAR = 0.2  # within this fraction of its limit, a key is synced sooner
_PURGE_SECONDS = 60.0
_MAX_KEY = 200  # the column's length


@dataclass
class _Cell:
    """One key's count in one window: as last read from the table, being written, not yet sent."""

    seconds: int
    shared: int = 0
    in_flight: int = 0
    pending: int = 0

    @property
    def total(self) -> int:
        return self.shared + self.in_flight + self.pending


class RateLimiter:
    def __init__(
        self,
        sessions: Callable[[], AsyncSession],
        sync_seconds: float,
        clock: Callable[[], float] = time.time,
        on_refused: Callable[[str], None] = lambda _limit: None,
    ) -> None:
        self.sessions = sessions
        self.on_refused = on_refused
        """Told a limit's name (`graphql`, `login`, `bad_tokens`, `creations`) at each refusal."""
        self.sync_seconds = sync_seconds
        self.clock = clock
        self._cells: dict[tuple[str, int], _Cell] = {}
        self._read_at: dict[str, float] = {}
        """When each key's counts were last read from the table."""
        self._touched: set[str] = set()
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._last_purge = 0.0

    async def check(self, budget: Budget, caller: str, cost: int = 1) -> Verdict:
        """Admit a request of `cost` and charge it, or refuse it (charging nothing)."""
        key = await self._key(budget, caller)
        verdict = self._judge(budget, key, cost)
        if verdict.allowed:
            return self._add(budget, key, cost)
        self._refused(budget, key)
        return verdict

    async def peek(self, budget: Budget, caller: str) -> Verdict:
        """Whether one more unit would be admitted, charging nothing (a refusal is counted)."""
        key = await self._key(budget, caller)
        verdict = self._judge(budget, key, 1)
        if not verdict.allowed:
            self._refused(budget, key)
        return verdict

    async def charge(self, budget: Budget, caller: str, cost: int) -> Verdict:
        """Charge what a request turned out to cost, admitted or not: its state after."""
        return self._add(budget, await self._key(budget, caller), cost)

    async def sync(self) -> None:
        """Add this process's counts to the table and read back the totals of the keys used."""
        async with self._lock:
            now = self.clock()
            sending = {where: cell for where, cell in self._cells.items() if cell.pending}
            for cell in sending.values():
                cell.in_flight, cell.pending = cell.pending, 0
            keys, self._touched = self._touched, set()
            try:
                counts = await self._exchange(sending, keys, now)
            except BaseException as error:
                for cell in sending.values():
                    cell.pending, cell.in_flight = cell.pending + cell.in_flight, 0
                self._touched |= keys
                if not isinstance(error, SQLAlchemyError | OSError):
                    raise
                logger.warning("rate-limit counts not synced (%s): counting alone", error)
                return
            for cell in sending.values():
                cell.in_flight = 0
            for where, count in counts.items():
                if (known := self._cells.get(where)) is not None:
                    known.shared = count
            self._read_at.update(dict.fromkeys(keys, now))
            self._forget(now)

    async def close(self) -> None:
        """Stop the background sync after a last one (never cancelled amid a statement)."""
        self._stopping.set()
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None
        if any(cell.pending for cell in self._cells.values()):
            await self.sync()

    async def _exchange(
        self, sending: dict[tuple[str, int], _Cell], keys: set[str], now: float
    ) -> dict[tuple[str, int], int]:
        deltas = {
            (key, start): (cell.in_flight, start + 2 * cell.seconds)
            for (key, start), cell in sending.items()
        }
        async with self.sessions() as session:
            if deltas:
                await begin_writing(session)  # SQLite: wait for the write lock at BEGIN
            await add_counts(session, deltas)
            counts = await read_counts(session, keys, int(now))
            if now - self._last_purge >= _PURGE_SECONDS:
                await purge_expired(session, int(now))
                self._last_purge = now
            await session.commit()
        return counts

    async def _key(self, budget: Budget, caller: str) -> str:
        key = f"{budget.name}:{caller}"
        if len(key) > _MAX_KEY:
            key = f"{budget.name}:sha256:{hashlib.sha256(caller.encode()).hexdigest()}"
        if self.clock() - self._read_at.get(key, -math.inf) > self.sync_seconds:
            await self._load(budget, key)
        return key

    async def _load(self, budget: Budget, key: str) -> None:
        """A key met for the first time, or not read for a sync period: what every process
        spent on it so far."""
        now = self.clock()
        try:
            async with self.sessions() as session:
                counts = await read_counts(session, [key], int(now))
        except (SQLAlchemyError, OSError) as error:
            logger.warning("rate-limit counts not read (%s): counting alone", error)
            counts = {}
        self._read_at[key] = now
        for (_, start), count in counts.items():
            self._cell(budget, key, start).shared = count

    def _cell(self, budget: Budget, key: str, start: int) -> _Cell:
        cell = self._cells.get((key, start))
        if cell is None:
            cell = self._cells[key, start] = _Cell(budget.seconds)
        return cell

    def _judge(self, budget: Budget, key: str, cost: int) -> Verdict:
        now = self.clock()
        start = window_start(now, budget.seconds)
        previous = self._cells.get((key, start - budget.seconds))
        current = self._cells.get((key, start))
        counts = [cell.total if cell else 0 for cell in (previous, current)]
        return judge(budget, counts[0], counts[1], now, cost)

    def _add(self, budget: Budget, key: str, cost: int) -> Verdict:
        start = window_start(self.clock(), budget.seconds)
        self._cell(budget, key, start).pending += cost
        after = self._judge(budget, key, 0)
        self._touch(key, near=after.remaining <= budget.limit * NEAR)
        return after

    def _refused(self, budget: Budget, key: str) -> None:
        self._touch(key, near=True)  # learn soon whether the others' windows have faded
        self.on_refused(budget.name)

    def _touch(self, key: str, *, near: bool) -> None:
        self._touched.add(key)
        if (self._task is None or self._task.done()) and not self._stopping.is_set():
            self._task = asyncio.get_running_loop().create_task(self._run(), name="rate-limits")
        if near:
            self._wake.set()

    async def _run(self) -> None:
        last = time.monotonic()
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.sync_seconds)
            self._wake.clear()
            # Woken early (a caller near a limit): still at most ten syncs a period.
            gap = last + self.sync_seconds / 10 - time.monotonic()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), max(0.0, gap))
            if self._touched:
                await self.sync()
            last = time.monotonic()

    def _forget(self, now: float) -> None:
        """Drop the windows no longer counted, and the keys left without any."""
        for where, cell in list(self._cells.items()):
            if where[1] + 2 * cell.seconds <= now and not (cell.pending or cell.in_flight):
                del self._cells[where]
        kept = {key for key, _ in self._cells} | self._touched
        self._read_at = {key: at for key, at in self._read_at.items() if key in kept}
