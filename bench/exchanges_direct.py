"""The request and accept transactions written by hand with the database driver: the reference.

The same checks as the app makes and the same rows as it writes, with the same locks
(`FOR UPDATE` on PostgreSQL, `BEGIN IMMEDIATE` on SQLite), but no ORM, no GraphQL and no HTTP.
One statement per row, as the app sends them:

- each call first finds its bearer token by hash, joined to the membership it acts through
  (the app's `authenticate`), and refuses a revoked one;
- *request* reads the listing with the visibility condition (published, not hidden, public or
  the requester's own) and checks what the app checks of it (not its own, published by its
  owner, a kind that is booked), then the overlap; inserts the exchange, its event, and one
  notification per member of the owner;
- *accept* locks the exchange among those of the acting organization's and its listing, checks
  the role (an admin of the owner), the state and the listing's status, then the overlap;
  inserts the booking (in a savepoint on PostgreSQL), updates the exchange, inserts the outbox
  row, the event and the notifications. The listing itself is not updated: the app does not
  write it when a one-unit machine is booked (its outbox row comes from the booking).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import aiosqlite
import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import make_url

from core.models.base import utcnow
from core.services.tokens import hash_secret

TITLE = "Nouvelle demande : Découpeuse laser"


@dataclass(frozen=True)
class Party:
    """A person acting for an organization, and the bearer token the API run sends for them."""

    person_id: int
    organization_id: int
    token: str


class Refused(Exception):
    """The token or the role does not allow the call (never expected in the benchmark)."""


BOOKED_KINDS = ("EQUIPMENT", "PREMISES")
ADMIN_ROLES = ("OWNER", "ADMIN")


def check_listing(row: Any, requester_organization_id: int) -> bool:
    """The app's checks of a requested listing (`_requestable_listing`): False when refused."""
    if row is None or row["organization_id"] == requester_organization_id:
        return False
    if row["status"] != "PUBLISHED" or row["origin"] != "OWNER":
        return False
    return bool(row["direction"] == "OFFER" and row["kind"] in BOOKED_KINDS)


class Writer(Protocol):
    async def request(
        self,
        listing_id: int,
        owner: Party,
        requester: Party,
        starts_at: datetime,
        ends_at: datetime,
    ) -> int | None:
        """The new exchange's id, or None when the period is already booked."""

    async def accept(
        self, exchange_id: int, listing_id: int, owner: Party, requester: Party
    ) -> bool:
        """True when booked; False when another exchange took the period first."""


@asynccontextmanager
async def connect(url: str, pool_size: int) -> AsyncIterator[Writer]:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        writer = SqliteWriter(parsed.database or "", pool_size)
        await writer.open()
        try:
            yield writer
        finally:
            await writer.close()
        return
    dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    pool = await asyncpg.create_pool(dsn, min_size=pool_size, max_size=pool_size)
    try:
        yield PostgresWriter(pool)
    finally:
        await pool.close()


# --- PostgreSQL --------------------------------------------------------------------------------

_PG_OVERLAP = (
    "SELECT 1 FROM booking WHERE listing_id = $1 AND starts_at < $3 AND ends_at > $2 LIMIT 1"
)
_PG_EXCHANGE = """
INSERT INTO exchange (listing_id, owner_organization_id, requester_organization_id,
    requested_by_id, state, awaiting, starts_at, ends_at, in_return, reason, start_note, end_note,
    created_at, updated_at)
VALUES ($1, $2, $3, $4, 'REQUESTED', 'OWNER', $5, $6, '', '', '', '', $7, $7) RETURNING id
"""
_PG_EVENT = """
INSERT INTO exchange_event (exchange_id, kind, from_state, to_state, actor_person_id,
    actor_organization_id, note, data, created_at)
VALUES ($1, $2, $3, $4, $5, $6, '', '{}'::json, $7)
"""
_PG_MEMBERS = "SELECT person_id FROM membership WHERE organization_id = $1"
_PG_ACTING = """
SELECT t.person_id, t.organization_id, t.revoked_at, t.expires_at, m.role, o.parent_id
FROM access_token t
JOIN membership m ON m.person_id = t.person_id AND m.organization_id = t.organization_id
JOIN organization o ON o.id = t.organization_id
WHERE t.token_hash = $1
"""
_PG_LISTING = """
SELECT organization_id, status, origin, direction, kind FROM listing
WHERE id = $1 AND status = 'PUBLISHED' AND hidden_at IS NULL
  AND (visibility = 'PUBLIC' OR organization_id = $2)
"""
_PG_NOTIFICATION = """
INSERT INTO notification (person_id, listing_id, exchange_id, kind, title, body, created_at,
    email_pending)
VALUES ($1, $2, $3, $4, $5, '', $6, true)
"""


class PostgresWriter:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def request(
        self,
        listing_id: int,
        owner: Party,
        requester: Party,
        starts_at: datetime,
        ends_at: datetime,
    ) -> int | None:
        now = utcnow()
        async with self.pool.acquire() as connection, connection.transaction():
            acting = await connection.fetchrow(_PG_ACTING, hash_secret(requester.token))
            _check_token(acting)
            listing = await connection.fetchrow(_PG_LISTING, listing_id, acting["organization_id"])
            if not check_listing(listing, acting["organization_id"]):
                raise Refused(f"listing {listing_id}")
            if await connection.fetchval(_PG_OVERLAP, listing_id, starts_at, ends_at):
                return None
            exchange_id: int = await connection.fetchval(
                _PG_EXCHANGE,
                listing_id,
                owner.organization_id,
                requester.organization_id,
                requester.person_id,
                starts_at,
                ends_at,
                now,
            )
            await connection.execute(
                _PG_EVENT,
                exchange_id,
                "REQUESTED",
                None,
                "REQUESTED",
                requester.person_id,
                requester.organization_id,
                now,
            )
            await self._notify(connection, owner.organization_id, listing_id, exchange_id, now)
            return exchange_id

    async def accept(
        self, exchange_id: int, listing_id: int, owner: Party, requester: Party
    ) -> bool:
        now = utcnow()
        async with self.pool.acquire() as connection, connection.transaction():
            acting = await connection.fetchrow(_PG_ACTING, hash_secret(owner.token))
            _check_token(acting)
            row = await connection.fetchrow(
                "SELECT state, starts_at, ends_at, owner_organization_id FROM exchange"
                " WHERE id = $1 AND (owner_organization_id = $2 OR requester_organization_id = $2)"
                " FOR UPDATE",
                exchange_id,
                acting["organization_id"],
            )
            status = await connection.fetchval(
                "SELECT status FROM listing WHERE id = $1 FOR UPDATE", listing_id
            )
            _check_owner(row, acting)
            if row["state"] != "REQUESTED" or status != "PUBLISHED":
                return False
            if await connection.fetchval(_PG_OVERLAP, listing_id, row["starts_at"], row["ends_at"]):
                return False
            try:
                async with connection.transaction():  # a savepoint, as the app's
                    await connection.execute(
                        "INSERT INTO booking (listing_id, unit, starts_at, ends_at, exchange_id,"
                        " reason, created_at) VALUES ($1, 1, $2, $3, $4, '', $5)",
                        listing_id,
                        row["starts_at"],
                        row["ends_at"],
                        exchange_id,
                        now,
                    )
            except asyncpg.ExclusionViolationError:
                return False
            await connection.execute(
                "UPDATE exchange SET state = 'ACCEPTED', awaiting = NULL, unit = 1,"
                " updated_at = $2 WHERE id = $1",
                exchange_id,
                now,
            )
            await connection.execute(
                "INSERT INTO outbox_event (topic, entity_id, created_at, available_at, attempts)"
                " VALUES ('LISTING', $1, $2, $2, 0)",
                listing_id,
                now,
            )
            await connection.execute(
                _PG_EVENT,
                exchange_id,
                "ACCEPTED",
                "REQUESTED",
                "ACCEPTED",
                owner.person_id,
                owner.organization_id,
                now,
            )
            await self._notify(connection, requester.organization_id, listing_id, exchange_id, now)
            return True

    @staticmethod
    async def _notify(
        connection: Any, organization_id: int, listing_id: int, exchange_id: int, now: datetime
    ) -> None:
        for member in await connection.fetch(_PG_MEMBERS, organization_id):
            await connection.execute(
                _PG_NOTIFICATION,
                member["person_id"],
                listing_id,
                exchange_id,
                "EXCHANGE_REQUESTED",
                TITLE,
                now,
            )


# --- SQLite ------------------------------------------------------------------------------------

_SQLITE_OVERLAP = (
    "SELECT 1 FROM booking WHERE listing_id = ? AND starts_at < ? AND ends_at > ? LIMIT 1"
)


def _text(moment: datetime) -> str:
    """The text SQLAlchemy stores for a UTC moment in SQLite."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


_SQLITE_ACTING = _PG_ACTING.replace("$1", "?")
_SQLITE_LISTING = _PG_LISTING.replace("$1", "?").replace("$2", "?")


def _check_token(acting: Any) -> None:
    """The app's `authenticate`: a known token, neither revoked nor expired."""
    if acting is None or acting["revoked_at"] is not None:
        raise Refused("token")
    expires_at = acting["expires_at"]
    if expires_at is not None and str(expires_at) <= str(utcnow()):
        raise Refused("token expired")


def _check_owner(row: Any, acting: Any) -> None:
    """The transition table's rule for ACCEPT: an admin of the owner (a party, else not found)."""
    if row is None or row["owner_organization_id"] != acting["organization_id"]:
        raise Refused("not the owner")
    if acting["role"] not in ADMIN_ROLES:
        raise Refused("not an admin")


class SqliteWriter:
    """A pool of `size` aiosqlite connections, set up as the app's engine sets up its own."""

    def __init__(self, path: str, size: int) -> None:
        self.path = path
        self.size = size
        self.idle: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()

    async def open(self) -> None:
        for _ in range(self.size):
            connection = await aiosqlite.connect(self.path, timeout=30, isolation_level=None)
            connection.row_factory = aiosqlite.Row
            for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL"):
                await connection.execute(f"PRAGMA {pragma}")
            self.idle.put_nowait(connection)

    async def close(self) -> None:
        while not self.idle.empty():
            await self.idle.get_nowait().close()

    async def _token(self, secret: str) -> Any:
        """The token's row, read before the write lock (as the app authenticates first)."""
        connection = await self.idle.get()
        try:
            cursor = await connection.execute(_SQLITE_ACTING, (hash_secret(secret),))
            acting = await cursor.fetchone()
        finally:
            self.idle.put_nowait(connection)
        _check_token(acting)
        return acting

    @asynccontextmanager
    async def _immediate(self) -> AsyncIterator[aiosqlite.Connection]:
        connection = await self.idle.get()
        try:
            await connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                await connection.execute("ROLLBACK")
                raise
            await connection.execute("COMMIT")
        finally:
            self.idle.put_nowait(connection)

    async def request(
        self,
        listing_id: int,
        owner: Party,
        requester: Party,
        starts_at: datetime,
        ends_at: datetime,
    ) -> int | None:
        now = _text(utcnow())
        acting = await self._token(requester.token)
        async with self._immediate() as connection:
            cursor = await connection.execute(
                _SQLITE_LISTING, (listing_id, acting["organization_id"])
            )
            if not check_listing(await cursor.fetchone(), acting["organization_id"]):
                raise Refused(f"listing {listing_id}")
            taken = await connection.execute(
                _SQLITE_OVERLAP, (listing_id, _text(ends_at), _text(starts_at))
            )
            if await taken.fetchone():
                return None
            cursor = await connection.execute(
                "INSERT INTO exchange (listing_id, owner_organization_id,"
                " requester_organization_id, requested_by_id, state, awaiting, starts_at,"
                " ends_at, in_return, reason, start_note, end_note, created_at, updated_at)"
                " VALUES"
                " (?, ?, ?, ?, 'REQUESTED', 'OWNER', ?, ?, '', '', '', '', ?, ?)",
                (
                    listing_id,
                    owner.organization_id,
                    requester.organization_id,
                    requester.person_id,
                    _text(starts_at),
                    _text(ends_at),
                    now,
                    now,
                ),
            )
            exchange_id = cursor.lastrowid
            assert exchange_id is not None
            await self._event(connection, exchange_id, None, "REQUESTED", requester, now)
            await self._notify(connection, owner.organization_id, listing_id, exchange_id, now)
            return exchange_id

    async def accept(
        self, exchange_id: int, listing_id: int, owner: Party, requester: Party
    ) -> bool:
        now = _text(utcnow())
        acting = await self._token(owner.token)
        async with self._immediate() as connection:
            cursor = await connection.execute(
                "SELECT state, starts_at, ends_at, owner_organization_id FROM exchange"
                " WHERE id = ? AND (owner_organization_id = ? OR requester_organization_id = ?)",
                (exchange_id, acting["organization_id"], acting["organization_id"]),
            )
            row = await cursor.fetchone()
            cursor = await connection.execute(
                "SELECT status FROM listing WHERE id = ?", (listing_id,)
            )
            status = await cursor.fetchone()
            _check_owner(row, acting)
            if row["state"] != "REQUESTED" or status is None or status[0] != "PUBLISHED":
                return False
            taken = await connection.execute(_SQLITE_OVERLAP, (listing_id, row[2], row[1]))
            if await taken.fetchone():
                return False
            await connection.execute(
                "INSERT INTO booking (listing_id, unit, starts_at, ends_at, exchange_id, reason,"
                " created_at) VALUES (?, 1, ?, ?, ?, '', ?)",
                (listing_id, row[1], row[2], exchange_id, now),
            )
            await connection.execute(
                "UPDATE exchange SET state = 'ACCEPTED', awaiting = NULL, unit = 1,"
                " updated_at = ? WHERE id = ?",
                (now, exchange_id),
            )
            await connection.execute(
                "INSERT INTO outbox_event (topic, entity_id, created_at, available_at, attempts)"
                " VALUES ('LISTING', ?, ?, ?, 0)",
                (listing_id, now, now),
            )
            await self._event(connection, exchange_id, "REQUESTED", "ACCEPTED", owner, now)
            await self._notify(connection, requester.organization_id, listing_id, exchange_id, now)
            return True

    @staticmethod
    async def _event(
        connection: aiosqlite.Connection,
        exchange_id: int,
        before: str | None,
        after: str,
        actor: Party,
        now: str,
    ) -> None:
        await connection.execute(
            "INSERT INTO exchange_event (exchange_id, kind, from_state, to_state,"
            " actor_person_id, actor_organization_id, note, data, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, '', '{}', ?)",
            (exchange_id, after, before, after, actor.person_id, actor.organization_id, now),
        )

    @staticmethod
    async def _notify(
        connection: aiosqlite.Connection,
        organization_id: int,
        listing_id: int,
        exchange_id: int,
        now: str,
    ) -> None:
        members = await connection.execute(
            "SELECT person_id FROM membership WHERE organization_id = ?", (organization_id,)
        )
        for (person_id,) in await members.fetchall():
            await connection.execute(
                "INSERT INTO notification (person_id, listing_id, exchange_id, kind, title, body,"
                " created_at, email_pending) VALUES (?, ?, ?, 'EXCHANGE_REQUESTED', ?, '', ?, 1)",
                (person_id, listing_id, exchange_id, TITLE, now),
            )
