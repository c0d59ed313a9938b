"""Offers and requests of equipment, premises, skills and materials."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.models.base import enum_column, timestamp_column, utcnow


class Direction(enum.StrEnum):
    OFFER = "OFFER"
    REQUEST = "REQUEST"


class ListingKind(enum.StrEnum):
    EQUIPMENT = "EQUIPMENT"
    PREMISES = "PREMISES"
    SKILL = "SKILL"
    MATERIAL = "MATERIAL"


class Terms(enum.StrEnum):
    LOAN = "LOAN"
    RENT = "RENT"
    DONATION = "DONATION"
    EXCHANGE = "EXCHANGE"
    TEMPORARY_OCCUPATION = "TEMPORARY_OCCUPATION"


class ListingStatus(enum.StrEnum):
    DRAFT = "DRAFT"
    PUBLISHED = "PUBLISHED"
    PAUSED = "PAUSED"
    WITHDRAWN = "WITHDRAWN"
    FULFILLED = "FULFILLED"


class ListingOrigin(enum.StrEnum):
    OWNER = "OWNER"
    """Published by its organization."""
    CARTOFRICHES = "CARTOFRICHES"
    """A vacant site recorded by Cartofriches (Cerema) with a public owner: a census record
    shown under its owner's name, which the owner has not published (yet)."""


class Visibility(enum.StrEnum):
    PUBLIC = "PUBLIC"
    NETWORK = "NETWORK"
    PRIVATE = "PRIVATE"


TERRITORY_FIGURE_COLUMNS = (
    "status",
    "visibility",
    "direction",
    "kind",
    "category",
    "organization_id",
    "id",
)


PUBLIC_CONDITION = "status = 'PUBLISHED' AND visibility = 'PUBLIC' AND hidden_at IS NULL"
"""What anyone sees, as the partial index says it (`visibility.visible_listings` is the rule)."""


class Listing(SQLModel, table=True):
    """One offer or request. `details` holds the kind's typed fields, validated by the service."""

    __tablename__ = "listing"
    __table_args__ = (
        sa.Index("ix_listing_org_status", "organization_id", "status"),
        # A territory's figures read only these columns: index-only scans (0017_territory).
        *(
            sa.Index(f"ix_listing_{level}_figures", column, *TERRITORY_FIGURE_COLUMNS)
            for level, column in (
                ("region", "region_code"),
                ("department", "department_code"),
                ("commune", "commune_insee"),
            )
        ),
        # A department's page of what anyone sees, newest first, whatever its size (0019).
        sa.Index(
            "ix_listing_public_department",
            "department_code",
            "id",
            postgresql_where=sa.text(PUBLIC_CONDITION),
            sqlite_where=sa.text(PUBLIC_CONDITION),
        ),
        sa.CheckConstraint(
            "available_until IS NULL OR available_from IS NULL"
            " OR available_until >= available_from",
            name="dates_ordered",
        ),
        sa.CheckConstraint(
            "quantity_remaining IS NULL OR quantity_remaining >= 0", name="quantity_not_negative"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    ref: str | None = Field(default=None, max_length=200, unique=True)
    organization_id: int = Field(foreign_key="organization.id", index=True, ondelete="CASCADE")
    space_id: int | None = Field(
        default=None, foreign_key="space.id", index=True, ondelete="SET NULL"
    )
    direction: Direction = Field(sa_type=enum_column(Direction))
    kind: ListingKind = Field(sa_type=enum_column(ListingKind), index=True)
    category: str | None = Field(default=None, max_length=100)
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=10000)
    tags: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    address: str = Field(default="", max_length=300)
    commune_insee: str | None = Field(default=None, max_length=5, index=True)
    department_code: str | None = Field(default=None, max_length=3, index=True)
    region_code: str | None = Field(default=None, max_length=3)
    latitude: float | None = None
    longitude: float | None = None
    available_from: date | None = None
    available_until: date | None = None
    terms: Terms | None = Field(default=None, sa_type=enum_column(Terms))
    price_eur: Decimal | None = Field(default=None, max_digits=12, decimal_places=2)
    status: ListingStatus = Field(sa_type=enum_column(ListingStatus), index=True)
    visibility: Visibility = Field(sa_type=enum_column(Visibility))
    details: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    origin: ListingOrigin = Field(
        default=ListingOrigin.OWNER,
        sa_type=enum_column(ListingOrigin),
        sa_column_kwargs={"server_default": ListingOrigin.OWNER.value},
    )
    source: str = Field(
        default="",
        max_length=500,
        sa_column_kwargs={"server_default": ""},
        description="Where a record not published by its owner comes from, with its date.",
    )
    quantity_remaining: Decimal | None = Field(
        default=None,
        max_digits=14,
        decimal_places=3,
        description="Materials: what is left to give; accepted donations take from it.",
    )
    created_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=timestamp_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_type=timestamp_column())
    published_at: datetime | None = Field(default=None, sa_type=timestamp_column())
    hidden_at: datetime | None = Field(
        default=None,
        sa_type=timestamp_column(),
        description="Hidden by a network covering it: out of every read but its owner's.",
    )
    hidden_reason: str = Field(default="", max_length=2000, sa_column_kwargs={"server_default": ""})
    hidden_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    hidden_by_network_id: int | None = Field(
        default=None, foreign_key="organization.id", ondelete="SET NULL"
    )
