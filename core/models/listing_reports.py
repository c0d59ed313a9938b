"""Reports of listings by the people who see them, and the decisions of the network that covers
the listing: dismiss the report, or hide the listing (`Listing.hidden_at`, with its reason)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.models.base import enum_column, timestamp_column, utcnow


class ReportReason(enum.StrEnum):
    SPAM = "SPAM"
    """Advertising, repeated or off-topic posts."""
    NOT_REAL = "NOT_REAL"
    """The offer or request does not exist (any more), or is not what it says."""
    OFFENSIVE = "OFFENSIVE"
    """Offensive, hateful or illegal content."""


class ReportState(enum.StrEnum):
    OPEN = "OPEN"
    """Waiting for the network."""
    DISMISSED = "DISMISSED"
    """The network kept the listing, with a reason."""
    UPHELD = "UPHELD"
    """The network hid the listing."""


class ListingReport(SQLModel, table=True):
    """One person's report of one listing, sent to the network covering the listing's commune.

    A person has at most one OPEN report per listing (a partial unique index, on both databases)."""

    __tablename__ = "listing_report"
    __table_args__ = (
        sa.Index(
            "uq_listing_report_open",
            "listing_id",
            "person_id",
            unique=True,
            postgresql_where=sa.text("state = 'OPEN'"),
            sqlite_where=sa.text("state = 'OPEN'"),
        ),
        sa.Index("ix_listing_report_network_state", "network_id", "state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    listing_id: int = Field(foreign_key="listing.id", index=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE")
    network_id: int = Field(foreign_key="organization.id", ondelete="CASCADE")
    reason: ReportReason = Field(sa_type=enum_column(ReportReason))
    message: str = Field(default="", max_length=2000)
    state: ReportState = Field(default=ReportState.OPEN, sa_type=enum_column(ReportState))
    created_at: datetime = Field(default_factory=utcnow, sa_type=timestamp_column())
    decided_at: datetime | None = Field(default=None, sa_type=timestamp_column())
    decided_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    decision_reason: str = Field(default="", max_length=2000)
