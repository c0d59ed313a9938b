"""Training passports: a lab records that a person was trained on a machine class, and labs
recognize each other's trainings."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.models.base import timestamp_column, utcnow


class Training(SQLModel, table=True):
    """A person trained by a lab on one machine class (a taxonomy EQUIPMENT code, the
    `machine_class` of equipment details). Revoked or past its expiry, it no longer counts;
    the row stays so the person's passport keeps its history."""

    __tablename__ = "training"
    __table_args__ = (
        sa.CheckConstraint(
            "expires_on IS NULL OR expires_on >= trained_on", name="expires_after_trained"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    machine_class: str = Field(max_length=60)
    lab_organization_id: int = Field(foreign_key="organization.id", index=True, ondelete="CASCADE")
    trainer_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    recorded_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    trained_on: date
    expires_on: date | None = None
    note: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=timestamp_column())
    revoked_at: datetime | None = Field(default=None, sa_type=timestamp_column())
    revoked_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")


class LabRecognition(SQLModel, table=True):
    """`organization_id` accepts the trainings of `recognized_organization_id`. One way only:
    each lab decides whom it trusts. (A network's labs recognize each other by default: that is
    computed, not stored.)"""

    __tablename__ = "lab_recognition"

    organization_id: int = Field(
        foreign_key="organization.id", primary_key=True, ondelete="CASCADE"
    )
    recognized_organization_id: int = Field(
        foreign_key="organization.id", primary_key=True, index=True, ondelete="CASCADE"
    )
    created_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=timestamp_column())


class PassportShare(SQLModel, table=True):
    """`person_id` shows their whole passport to the admins of `organization_id`, and their
    trainings count in that organization's checks of their own organizations' requests. The
    person alone adds or removes it."""

    __tablename__ = "passport_share"

    person_id: int = Field(foreign_key="person.id", primary_key=True, ondelete="CASCADE")
    organization_id: int = Field(
        foreign_key="organization.id", primary_key=True, index=True, ondelete="CASCADE"
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=timestamp_column())
