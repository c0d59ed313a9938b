"""Physical places: a coworking, a fablab, a commune's vacant building."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.models.base import timestamp_column, utcnow


class Typology(enum.StrEnum):
    COWORKING = "COWORKING"
    FABLAB = "FABLAB"
    MAKERSPACE = "MAKERSPACE"
    HACKERSPACE = "HACKERSPACE"
    LIVING_LAB = "LIVING_LAB"
    RESSOURCERIE = "RESSOURCERIE"
    TIERS_LIEU_RURAL = "TIERS_LIEU_RURAL"
    TELECENTRE = "TELECENTRE"
    ESPACE_NUMERIQUE = "ESPACE_NUMERIQUE"
    PEPINIERE = "PEPINIERE"
    PUBLIC_BUILDING = "PUBLIC_BUILDING"
    OTHER = "OTHER"


class Space(SQLModel, table=True):
    """A place. Census places are imported unclaimed (no organization) until one claims them."""

    __tablename__ = "space"

    id: int | None = Field(default=None, primary_key=True)
    ref: str | None = Field(
        default=None, max_length=100, unique=True, description="External id: 'mc:<ID>', a slug."
    )
    organization_id: int | None = Field(
        default=None, foreign_key="organization.id", index=True, ondelete="SET NULL"
    )
    name: str = Field(max_length=200, index=True)
    typologies: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    address: str = Field(default="", max_length=300)
    postcode: str = Field(default="", max_length=5)
    commune_insee: str | None = Field(default=None, max_length=5, index=True)
    commune_name: str = Field(default="", max_length=120)
    department_code: str | None = Field(default=None, max_length=3, index=True)
    region_code: str | None = Field(default=None, max_length=3, index=True)
    latitude: float | None = None
    longitude: float | None = None
    website: str | None = Field(default=None, max_length=500)
    siret: str | None = Field(
        default=None, max_length=14, index=True, description="The SIRET of the establishment."
    )
    fabrique: bool = Field(default=False, description="Labelled Fabrique des territoires.")
    fablabs_slug: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=timestamp_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_type=timestamp_column())
