"""The flush that changes a listing keeps `listing_count` (what anyone sees, by key) in step.

Before each flush, every listing the flush inserts, changes or deletes is compared with what the
database holds: if it was counted (PUBLISHED, PUBLIC, not hidden) its key (department, kind,
direction) loses one, if it is counted now its key gains one. The deltas are written by the flush's
own connection, so they commit or roll back (a savepoint too) with the change. Rows of one key are
`SLOTS` and each delta goes to one drawn at random, so two publishes in the same department rarely
wait for each other's lock; the rows of one flush are written in key order.

Like the outbox, this sees what goes through the session only: a bulk `insert`/`update` of listings
(the bench's seeding) calls `rebuild_listing_counts` afterwards.
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from sqlalchemy import Connection, delete, event, inspect, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from core.models import Direction, Listing, ListingKind, ListingStatus, Visibility
from core.models.listing_counts import NO_DEPARTMENT, SLOTS, ListingCount

Key = tuple[str, ListingKind, Direction]
_COLUMNS = ("status", "visibility", "hidden_at", "department_code", "kind", "direction")
_draw = random.Random()  # noqa: S311 (spreads writes over rows; nothing to guess)


def counted_key(values: dict[str, Any]) -> Key | None:
    """The key listing columns with these values count under; None when not anyone sees it."""
    if (
        values["status"] != ListingStatus.PUBLISHED
        or values["visibility"] != Visibility.PUBLIC
        or values["hidden_at"] is not None
    ):
        return None
    return (values["department_code"] or NO_DEPARTMENT, values["kind"], values["direction"])


def _now(listing: Listing) -> dict[str, Any]:
    return {name: getattr(listing, name) for name in _COLUMNS}


def _before(session: Session, listing: Listing) -> dict[str, Any]:
    """The listing's columns as the database holds them before this flush."""
    state = inspect(listing)
    values: dict[str, Any] = {}
    for name in _COLUMNS:
        history = state.attrs[name].history
        if history.deleted:
            values[name] = history.deleted[0]
        elif history.unchanged:
            values[name] = history.unchanged[0]
        elif not history.added:
            values[name] = getattr(listing, name)
        else:  # set without its old value loaded (an expired row): ask the database
            columns = [getattr(Listing, c) for c in _COLUMNS]
            row = session.connection().execute(
                select(*columns).where(col(Listing.id) == listing.id)
            )
            return dict(row.one()._mapping)
    return values


def deltas_of(session: Session) -> Counter[Key]:
    deltas: Counter[Key] = Counter()
    for instance in session.new:
        if isinstance(instance, Listing) and (key := counted_key(_now(instance))):
            deltas[key] += 1
    for instance in session.dirty:
        if isinstance(instance, Listing) and session.is_modified(instance):
            if before := counted_key(_before(session, instance)):
                deltas[before] -= 1
            if after := counted_key(_now(instance)):
                deltas[after] += 1
    for instance in session.deleted:
        if isinstance(instance, Listing) and (key := counted_key(_before(session, instance))):
            deltas[key] -= 1
    return deltas


def write_deltas(connection: Connection, deltas: Counter[Key]) -> None:
    """Add each delta to one slot of its key, in key order (locks taken in one order)."""
    rows = [
        {"department_code": d, "kind": k, "direction": r, "slot": _draw.randrange(SLOTS), "n": n}
        for (d, k, r), n in sorted(deltas.items())
        if n
    ]
    if not rows:
        return
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(ListingCount)
    statement = statement.on_conflict_do_update(
        index_elements=["department_code", "kind", "direction", "slot"],
        set_={"n": ListingCount.__table__.c.n + statement.excluded.n},  # type: ignore[attr-defined]
    )
    connection.execute(statement, rows)


def listen(session_class: type[Session]) -> None:
    """Keep the counts from every flush of sessions of this class (`core.db` calls it once)."""
    if not event.contains(session_class, "before_flush", _count_listings):
        event.listen(session_class, "before_flush", _count_listings)


def _count_listings(session: Session, _context: Any, _instances: Any) -> None:
    if deltas := deltas_of(session):
        write_deltas(session.connection(), deltas)


_REBUILD = """
INSERT INTO listing_count (department_code, kind, direction, slot, n)
SELECT coalesce(department_code, ''), kind, direction, 0, count(*)
FROM listing
WHERE status = 'PUBLISHED' AND visibility = 'PUBLIC' AND hidden_at IS NULL
GROUP BY coalesce(department_code, ''), kind, direction
"""


def rebuild_listing_counts(connection: Connection) -> None:
    """Count again from the listings, after rows were written around the session."""
    connection.execute(delete(ListingCount))
    connection.execute(text(_REBUILD))
