"""Photos: up to a few per listing, in order; one per place and one per organization; the
condition of an exchange's object at handover and at return."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.models.base import enum_column, timestamp_column, utcnow

_SUBJECTS = ("listing_id", "space_id", "organization_id", "exchange_id")


class PhotoStage(enum.StrEnum):
    """When an exchange's photo was taken."""

    HANDOVER = "HANDOVER"
    RETURN = "RETURN"


class Photo(SQLModel, table=True):
    """One picture, re-encoded at a few widths; its files are in the media storage under `key`.

    It is the photo of exactly one subject: a listing, a place, an organization or an exchange
    (then `stage` says whether it shows the condition at handover or at return).
    """

    __tablename__ = "photo"
    __table_args__ = (
        sa.CheckConstraint(
            " + ".join(f"(CASE WHEN {c} IS NULL THEN 0 ELSE 1 END)" for c in _SUBJECTS) + " = 1",
            name="one_subject",
        ),
        sa.CheckConstraint("(exchange_id IS NULL) = (stage IS NULL)", name="stage_of_exchange"),
        sa.Index("ix_photo_listing_position", "listing_id", "position"),
        sa.Index("ix_photo_exchange_position", "exchange_id", "stage", "position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    listing_id: int | None = Field(default=None, foreign_key="listing.id", ondelete="CASCADE")
    space_id: int | None = Field(
        default=None, foreign_key="space.id", unique=True, ondelete="CASCADE"
    )
    organization_id: int | None = Field(
        default=None, foreign_key="organization.id", unique=True, ondelete="CASCADE"
    )
    exchange_id: int | None = Field(default=None, foreign_key="exchange.id", ondelete="CASCADE")
    stage: PhotoStage | None = Field(default=None, sa_type=enum_column(PhotoStage))
    position: int = Field(
        default=0, description="A listing's (or an exchange stage's) photos, first (0) to last."
    )
    alt: str = Field(max_length=300, description="What the photo shows, for screen readers.")
    key: str = Field(max_length=100, unique=True, description="Its files' folder in the storage.")
    width: int = Field(description="The width of its largest file, in pixels.")
    height: int = Field(description="The height of its largest file, in pixels.")
    widths: list[int] = Field(default_factory=list, sa_type=sa.JSON)
    media_type: str = Field(default="image/webp", max_length=32)
    source_format: str = Field(max_length=8, description="What was uploaded: JPEG, PNG, WEBP.")
    created_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=timestamp_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_type=timestamp_column())
