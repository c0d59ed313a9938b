"""The audit trail: who did what for an organization. Never holds a secret."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.models.base import enum_column, timestamp_column, utcnow


class AuditAction(enum.StrEnum):
    SIGN_IN = "SIGN_IN"
    SIGN_OUT = "SIGN_OUT"
    ROLE_CHANGED = "ROLE_CHANGED"
    TOKEN_CREATED = "TOKEN_CREATED"  # noqa: S105  (an action name)
    TOKEN_REVOKED = "TOKEN_REVOKED"  # noqa: S105
    MEMBER_INVITED = "MEMBER_INVITED"
    MEMBER_ACCEPTED = "MEMBER_ACCEPTED"
    MEMBER_REFUSED = "MEMBER_REFUSED"
    MEMBER_REVOKED = "MEMBER_REVOKED"
    MEMBERSHIP_REQUESTED = "MEMBERSHIP_REQUESTED"
    NETWORK_VALIDATED = "NETWORK_VALIDATED"
    SPACE_CLAIMED = "SPACE_CLAIMED"
    SPACE_CLAIM_VERIFIED = "SPACE_CLAIM_VERIFIED"
    SPACE_CLAIM_ACCEPTED = "SPACE_CLAIM_ACCEPTED"
    SPACE_CLAIM_REFUSED = "SPACE_CLAIM_REFUSED"
    SPACE_CONFIRMED = "SPACE_CONFIRMED"
    NETWORK_REFUSED = "NETWORK_REFUSED"
    LISTING_REPORTED = "LISTING_REPORTED"
    LISTING_HIDDEN = "LISTING_HIDDEN"
    LISTING_UNHIDDEN = "LISTING_UNHIDDEN"
    REPORT_DISMISSED = "REPORT_DISMISSED"
    TRAINING_RECORDED = "TRAINING_RECORDED"
    TRAINING_REVOKED = "TRAINING_REVOKED"
    LAB_RECOGNITION_SET = "LAB_RECOGNITION_SET"


class AuditEvent(SQLModel, table=True):
    """One thing that happened to an organization, and who did it (null: the system)."""

    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_organization", "organization_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int | None = Field(
        default=None, foreign_key="organization.id", ondelete="CASCADE"
    )
    actor_id: int | None = Field(
        default=None, foreign_key="person.id", index=True, ondelete="SET NULL"
    )
    action: AuditAction = Field(sa_type=enum_column(AuditAction))
    details: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=timestamp_column())
