"""Saved searches that notify their owner, and the notifications they send."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.models.base import enum_column, timestamp_column, utcnow
from core.models.listings import Direction, ListingKind

_KIND_BITS = {kind: 1 << position for position, kind in enumerate(ListingKind)}


def kinds_mask(kinds: Iterable[ListingKind]) -> int:
    """The kinds an alert asks for as bits, so SQL can pre-filter alerts; 0 means any kind."""
    mask = 0
    for kind in kinds:
        mask |= _KIND_BITS[kind]
    return mask


def kind_bit(kind: ListingKind) -> int:
    return _KIND_BITS[kind]


class Alert(SQLModel, table=True):
    """A person's saved search. `search` holds the criteria; the other columns only let the
    relay skip, in SQL, the alerts a listing cannot match (direction, kinds, a box around the
    search's circle)."""

    __tablename__ = "alert"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    organization_id: int | None = Field(
        default=None,
        foreign_key="organization.id",
        index=True,
        ondelete="SET NULL",
        description="The organization the person acted for: what they may see is matched.",
    )
    name: str = Field(max_length=100)
    search: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    direction: Direction | None = Field(default=None, sa_type=enum_column(Direction))
    kinds_mask: int = Field(default=0, description="Bits of `kind_bit`; 0 for any kind.")
    box_south: float | None = None
    box_north: float | None = None
    box_west: float | None = None
    box_east: float | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=timestamp_column())


class NotificationKind(enum.StrEnum):
    ALERT_MATCH = "ALERT_MATCH"
    """A listing was published or changed and matches one of the person's alerts."""
    EXCHANGE_REQUESTED = "EXCHANGE_REQUESTED"
    EXCHANGE_PROPOSED = "EXCHANGE_PROPOSED"
    EXCHANGE_ACCEPTED = "EXCHANGE_ACCEPTED"
    EXCHANGE_DECLINED = "EXCHANGE_DECLINED"
    EXCHANGE_CANCELLED = "EXCHANGE_CANCELLED"
    EXCHANGE_STARTED = "EXCHANGE_STARTED"
    EXCHANGE_COMPLETED = "EXCHANGE_COMPLETED"
    EXCHANGE_MESSAGE = "EXCHANGE_MESSAGE"
    """A message arrived in the thread of one of the organization's exchanges."""
    AGREEMENT_EDITED = "AGREEMENT_EDITED"
    """The other side wrote a new version of an exchange's agreement: to read, then accept."""
    AGREEMENT_ACCEPTED = "AGREEMENT_ACCEPTED"
    """The other side accepted the current version of an exchange's agreement."""
    MEMBERSHIP_REQUESTED = "MEMBERSHIP_REQUESTED"
    """Someone asks to join an organization the person administers."""
    MEMBERSHIP_ACCEPTED = "MEMBERSHIP_ACCEPTED"
    """The person's request to join an organization was accepted."""
    CLAIM_TO_DECIDE = "CLAIM_TO_DECIDE"
    """A claim on a place waits for a network the person administers."""
    CLAIM_VERIFIED = "CLAIM_VERIFIED"
    """A place is now verified as the organization's (at once, or accepted by the network)."""
    CLAIM_REFUSED = "CLAIM_REFUSED"
    """The network refused the organization's claim on a place; the note is its reason."""
    CLAIM_DISPUTED = "CLAIM_DISPUTED"
    """Another organization claims a place the organization holds; its network decides."""
    PLACE_REPLACED = "PLACE_REPLACED"
    """The network gave a place the organization held to another organization."""
    PLACE_RECHECK = "PLACE_RECHECK"
    """A year since the place was verified: its organization is asked to re-confirm it."""
    LISTING_REPORTED = "LISTING_REPORTED"
    """Someone reported a listing to a network the person administers."""
    LISTING_HIDDEN = "LISTING_HIDDEN"
    """A network hid a listing of the person's organization; `note` holds its reason."""
    LISTING_UNHIDDEN = "LISTING_UNHIDDEN"
    """A network showed again a listing of the person's organization it had hidden."""
    NETWORK_REFUSED = "NETWORK_REFUSED"
    """The network the organization named refused to validate it; `note` holds its reason."""
    LISTING_REPORT_DECIDED = "LISTING_REPORT_DECIDED"
    """The network decided on the person's report (listing hidden, or kept); `note`: why."""


class Notification(SQLModel, table=True):
    """Something to tell a person. One listing notifies an alert once, however often it changes
    or its outbox event is replayed: the relay delivers at least once, this constraint at most."""

    __tablename__ = "notification"
    __table_args__ = (
        sa.UniqueConstraint("alert_id", "listing_id"),
        sa.Index("ix_notification_person_read", "person_id", "read_at"),
        sa.Index(
            "ix_notification_email_pending",
            "id",
            postgresql_where=sa.text("email_pending"),
            sqlite_where=sa.text("email_pending"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE")
    alert_id: int | None = Field(default=None, foreign_key="alert.id", ondelete="SET NULL")
    listing_id: int | None = Field(
        default=None, foreign_key="listing.id", index=True, ondelete="CASCADE"
    )
    exchange_id: int | None = Field(
        default=None, foreign_key="exchange.id", index=True, ondelete="CASCADE"
    )
    organization_id: int | None = Field(
        default=None, foreign_key="organization.id", index=True, ondelete="CASCADE"
    )
    kind: NotificationKind = Field(sa_type=enum_column(NotificationKind))
    title: str = Field(max_length=300)
    body: str = Field(default="", max_length=2000)
    note: str = Field(default="", max_length=2000)
    """What the acting person wrote (a message, a reason), without the platform's own words."""
    created_at: datetime = Field(default_factory=utcnow, sa_type=timestamp_column())
    read_at: datetime | None = Field(default=None, sa_type=timestamp_column())
    email_pending: bool = Field(
        default=False, description="To be sent by e-mail; the mailer clears it once sent."
    )
    emailed_at: datetime | None = Field(default=None, sa_type=timestamp_column())
