"""Claims on places: an organization says "this place is ours", with evidence or a network's word.

A claim verified at once (matching SIRET, verified e-mail domain) or accepted by the network gives
the place to the organization; `verified_at` is then the last verification or yearly confirmation,
and `reminded_at` when its admins were asked to re-confirm (once per year).
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.models.base import enum_column, timestamp_column, utcnow


class ClaimState(enum.StrEnum):
    PENDING = "PENDING"
    """Waiting for the network that covers the place."""
    VERIFIED = "VERIFIED"
    """The organization holds the place: verified at once, or accepted by the network."""
    REFUSED = "REFUSED"
    """The network refused, with a reason."""
    REPLACED = "REPLACED"
    """It held the place until the network accepted another organization's claim."""


class ClaimEvidence(enum.StrEnum):
    SIRET = "SIRET"
    """The organization's SIRET is the place's."""
    EMAIL_DOMAIN = "EMAIL_DOMAIN"
    """The claimant's verified e-mail address is at the place's website domain."""
    NETWORK = "NETWORK"
    """No strong evidence: the covering network accepted it."""


class SpaceClaim(SQLModel, table=True):
    __tablename__ = "space_claim"
    __table_args__ = (sa.Index("ix_space_claim_network_state", "network_id", "state"),)

    id: int | None = Field(default=None, primary_key=True)
    space_id: int = Field(foreign_key="space.id", index=True, ondelete="CASCADE")
    organization_id: int = Field(foreign_key="organization.id", index=True, ondelete="CASCADE")
    person_id: int | None = Field(
        default=None, foreign_key="person.id", ondelete="SET NULL", description="Who claimed."
    )
    message: str = Field(default="", max_length=2000)
    state: ClaimState = Field(sa_type=enum_column(ClaimState))
    evidence: ClaimEvidence | None = Field(
        default=None,
        sa_type=enum_column(ClaimEvidence),
        description="How it was verified; for a pending claim, the strong evidence it had anyway.",
    )
    holder_id: int | None = Field(
        default=None,
        foreign_key="organization.id",
        ondelete="SET NULL",
        description="The organization that held the place when this claim was made: a dispute.",
    )
    network_id: int | None = Field(
        default=None,
        foreign_key="organization.id",
        ondelete="SET NULL",
        description="The network that decides (null when verified at once).",
    )
    reason: str = Field(default="", max_length=2000, description="The network's reason.")
    decided_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    decided_at: datetime | None = Field(default=None, sa_type=timestamp_column())
    verified_at: datetime | None = Field(
        default=None,
        sa_type=timestamp_column(),
        description="The last verification or yearly confirmation, while it holds the place.",
    )
    reminded_at: datetime | None = Field(
        default=None,
        sa_type=timestamp_column(),
        description="When its admins were asked to re-confirm, since the last verification.",
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=timestamp_column())
