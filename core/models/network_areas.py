"""The territory a network (a RESEAU organization) covers: communes, EPCI, departments, regions, or
the whole country for the national structure. Claims, reports and territory figures go to the
networks whose areas contain the place."""

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.models.base import enum_column


class AreaLevel(enum.StrEnum):
    COMMUNE = "COMMUNE"
    """`code` is an INSEE code."""
    EPCI = "EPCI"
    """`code` is the intercommunality's SIREN."""
    DEPARTMENT = "DEPARTMENT"
    REGION = "REGION"
    COUNTRY = "COUNTRY"
    """`code` is `FR`: the national administrators, who decide where no other network covers."""


class NetworkArea(SQLModel, table=True):
    __tablename__ = "network_area"
    __table_args__ = (sa.UniqueConstraint("organization_id", "level", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True, ondelete="CASCADE")
    level: AreaLevel = Field(sa_type=enum_column(AreaLevel))
    code: str = Field(max_length=9, index=True)
