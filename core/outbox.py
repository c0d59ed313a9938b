"""The outbox hook: a flush that changes a listing, a place or an organization writes an outbox row.

A booking or a blocked period (a `Booking` row) inserted, changed or deleted writes its listing's
event too: the listing's free days live in its search document. It runs inside the flush, on the
flush's own connection, so the event commits or rolls back with the change itself; services never
call search, and cannot forget to. Bookings therefore change through the session (`add`,
`delete`), never by a bulk statement the flush does not see: the hook refuses those.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, insert
from sqlalchemy.orm import ORMExecuteState
from sqlmodel import Session

from core.commit_notices import mark_outbox_written
from core.models import Booking, Listing, Organization, OutboxEvent, OutboxTopic, Space
from core.models.base import utcnow


class OutboxSession(Session):
    """The synchronous session under every app session; carries the outbox hook."""


@event.listens_for(OutboxSession, "after_flush")
def _write_outbox(session: Session, _context: Any) -> None:
    events: dict[tuple[OutboxTopic, int], None] = {}
    for instance in [*session.new, *session.dirty, *session.deleted]:
        if isinstance(instance, Listing) and instance.id is not None:
            events[(OutboxTopic.LISTING, instance.id)] = None
        elif isinstance(instance, Booking):
            events[(OutboxTopic.LISTING, instance.listing_id)] = None
        elif isinstance(instance, Space) and instance.id is not None:
            events[(OutboxTopic.SPACE, instance.id)] = None
        elif isinstance(instance, Organization) and instance.id is not None:
            if instance in session.dirty and not session.is_modified(instance):
                continue
            events[(OutboxTopic.ORGANIZATION, instance.id)] = None
    if events:
        now = utcnow()
        rows = [
            {"topic": topic, "entity_id": entity_id, "created_at": now, "available_at": now}
            for topic, entity_id in events
        ]
        connection = session.connection()
        connection.execute(insert(OutboxEvent), rows)
        mark_outbox_written(connection)  # NOTIFY on commit (PostgreSQL): wakes other processes


@event.listens_for(OutboxSession, "do_orm_execute")
def _refuse_bulk_booking_changes(state: ORMExecuteState) -> None:
    if (state.is_update or state.is_delete) and state.is_orm_statement:
        mapper = state.bind_mapper
        if mapper is not None and mapper.class_ is Booking:
            raise TypeError(
                "Change bookings through the session (add, delete): a bulk statement would "
                "skip the outbox, and search would show the listing's old calendar."
            )
