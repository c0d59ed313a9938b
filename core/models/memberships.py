"""How people join organizations: invitations by e-mail, and requests to join."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlmodel import Field, SQLModel

from core.models.base import enum_column, timestamp_column, utcnow
from core.models.identities import Role


class Invitation(SQLModel, table=True):
    """An admin invites an e-mail address; whoever signs in holding the one-time token joins.

    Only the SHA-256 of the token is stored; `accepted_at` makes it single-use.
    """

    __tablename__ = "invitation"

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True, ondelete="CASCADE")
    email: str = Field(max_length=320)
    role: Role = Field(sa_type=enum_column(Role))
    token_hash: str = Field(max_length=64, unique=True)
    invited_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=timestamp_column())
    expires_at: datetime = Field(sa_type=timestamp_column())
    accepted_at: datetime | None = Field(default=None, sa_type=timestamp_column())
    accepted_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")


class MembershipRequestState(enum.StrEnum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    REFUSED = "REFUSED"


class MembershipRequest(SQLModel, table=True):
    """A signed-in person asks to join an organization; one of its admins decides."""

    __tablename__ = "membership_request"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    organization_id: int = Field(foreign_key="organization.id", index=True, ondelete="CASCADE")
    message: str = Field(default="", max_length=2000)
    state: MembershipRequestState = Field(
        default=MembershipRequestState.PENDING, sa_type=enum_column(MembershipRequestState)
    )
    decided_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    decided_at: datetime | None = Field(default=None, sa_type=timestamp_column())
    created_at: datetime = Field(default_factory=utcnow, sa_type=timestamp_column())
