"""Exchanges between two organizations about one listing, their calendar, thread and history.

The rule that no unit is booked twice at once lives in the database, not only here: the migration
adds a PostgreSQL exclusion constraint on `booking` (listing, unit, time range), and on SQLite a
trigger that refuses an overlapping row, inside a transaction begun with `BEGIN IMMEDIATE`.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.models.base import enum_column, timestamp_column, utcnow

OVERLAP_CONSTRAINT = "booking_no_overlap"
"""The name of the constraint (PostgreSQL) or trigger message (SQLite) refusing an overlap."""


class ExchangeState(enum.StrEnum):
    REQUESTED = "REQUESTED"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    CANCELLED = "CANCELLED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"

    @property
    def is_open(self) -> bool:
        return self in (ExchangeState.REQUESTED, ExchangeState.ACCEPTED, ExchangeState.IN_PROGRESS)


class ExchangeSide(enum.StrEnum):
    OWNER = "OWNER"
    """The organization that published the listing; it accepts or declines."""
    REQUESTER = "REQUESTER"
    """The organization that asked for the exchange."""


class Exchange(SQLModel, table=True):
    """A loan, booking, occupation, donation or skill session between two organizations."""

    __tablename__ = "exchange"
    __table_args__ = (
        sa.CheckConstraint(
            "ends_at IS NULL OR starts_at IS NULL OR ends_at > starts_at", name="period_ordered"
        ),
        sa.CheckConstraint("quantity IS NULL OR quantity > 0", name="quantity_positive"),
        sa.Index("ix_exchange_owner_state", "owner_organization_id", "state"),
        sa.Index("ix_exchange_requester_state", "requester_organization_id", "state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    listing_id: int = Field(foreign_key="listing.id", index=True, ondelete="CASCADE")
    owner_organization_id: int = Field(foreign_key="organization.id", ondelete="CASCADE")
    requester_organization_id: int = Field(foreign_key="organization.id", ondelete="CASCADE")
    requester_space_id: int | None = Field(
        default=None, foreign_key="space.id", ondelete="SET NULL"
    )
    requested_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    state: ExchangeState = Field(sa_type=enum_column(ExchangeState), index=True)
    awaiting: ExchangeSide | None = Field(
        default=ExchangeSide.OWNER,
        sa_type=enum_column(ExchangeSide),
        description="Who must answer a REQUESTED exchange: the owner, or the requester after "
        "the owner proposed another period. Null once answered.",
    )
    starts_at: datetime | None = Field(default=None, sa_type=timestamp_column())
    ends_at: datetime | None = Field(default=None, sa_type=timestamp_column())
    quantity: Decimal | None = Field(default=None, max_digits=14, decimal_places=3)
    hours: Decimal | None = Field(default=None, max_digits=8, decimal_places=2)
    in_return: str = Field(default="", max_length=1000, description="A reciprocal offer.")
    unit: int | None = Field(default=None, description="The unit booked, once accepted.")
    reason: str = Field(default="", max_length=1000, description="Why declined or cancelled.")
    start_note: str = Field(default="", max_length=2000, description="Condition at handover.")
    end_note: str = Field(default="", max_length=2000, description="Condition at return.")
    created_at: datetime = Field(default_factory=utcnow, sa_type=timestamp_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_type=timestamp_column())
    # Impact, measured when the exchange completes (null before, or when unknown).
    kg_reused: float | None = None
    distance_km: float | None = None
    skill_hours: float | None = None
    equipment_days: float | None = None
    premises_days: float | None = None
    completed_at: datetime | None = Field(default=None, sa_type=timestamp_column(), index=True)


class ExchangeEventKind(enum.StrEnum):
    REQUESTED = "REQUESTED"
    PROPOSED = "PROPOSED"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    CANCELLED = "CANCELLED"
    STARTED = "STARTED"
    COMPLETED = "COMPLETED"


class ExchangeEvent(SQLModel, table=True):
    """One change of an exchange: who, for which organization, when, from what state to what."""

    __tablename__ = "exchange_event"

    id: int | None = Field(default=None, primary_key=True)
    exchange_id: int = Field(foreign_key="exchange.id", index=True, ondelete="CASCADE")
    kind: ExchangeEventKind = Field(sa_type=enum_column(ExchangeEventKind))
    from_state: ExchangeState | None = Field(default=None, sa_type=enum_column(ExchangeState))
    to_state: ExchangeState = Field(sa_type=enum_column(ExchangeState))
    actor_person_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    actor_organization_id: int | None = Field(
        default=None, foreign_key="organization.id", ondelete="SET NULL"
    )
    note: str = Field(default="", max_length=2000)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=timestamp_column())


class ExchangeMessage(SQLModel, table=True):
    """A message of an exchange's one thread between the two organizations."""

    __tablename__ = "exchange_message"
    id: int | None = Field(default=None, primary_key=True)
    exchange_id: int = Field(foreign_key="exchange.id", index=True, ondelete="CASCADE")
    author_person_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    author_organization_id: int = Field(foreign_key="organization.id", ondelete="CASCADE")
    body: str = Field(max_length=5000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=timestamp_column())


class Booking(SQLModel, table=True):
    """A period during which one unit of a listing is taken: by an accepted exchange, or blocked
    by its owner (no exchange). Rows of the same listing and unit never overlap (half-open
    periods, so back-to-back bookings are fine)."""

    __tablename__ = "booking"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="period_ordered"),
        sa.Index("ix_booking_listing_period", "listing_id", "unit", "starts_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    listing_id: int = Field(foreign_key="listing.id", ondelete="CASCADE")
    unit: int = Field(default=1, ge=1)
    starts_at: datetime = Field(sa_type=timestamp_column())
    ends_at: datetime = Field(sa_type=timestamp_column())
    exchange_id: int | None = Field(
        default=None, foreign_key="exchange.id", unique=True, ondelete="CASCADE"
    )
    reason: str = Field(default="", max_length=300, description="Why the owner blocked it.")
    created_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=timestamp_column())


class CalendarFeed(SQLModel, table=True):
    """A private iCalendar URL of an organization's accepted exchanges; the token is its secret."""

    __tablename__ = "calendar_feed"

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True, ondelete="CASCADE")
    name: str = Field(default="", max_length=100)
    prefix: str = Field(max_length=16)
    token_hash: str = Field(max_length=64, unique=True)
    created_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=timestamp_column())
    revoked_at: datetime | None = Field(default=None, sa_type=timestamp_column())
