"""People, the organizations they act for, and how they prove it (identities, tokens)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.models.base import enum_column, timestamp_column, utcnow


class OrganizationKind(enum.StrEnum):
    TIERS_LIEU = "TIERS_LIEU"
    COLLECTIVITE = "COLLECTIVITE"
    ENTREPRISE = "ENTREPRISE"
    ASSOCIATION = "ASSOCIATION"
    RESEAU = "RESEAU"
    INDEPENDANT = "INDEPENDANT"
    """A person acting alone (auto-entrepreneur, freelance facilitator): SIRET optional."""


class Sector(enum.StrEnum):
    PUBLIC = "PUBLIC"
    PRIVATE = "PRIVATE"


class VerificationMethod(enum.StrEnum):
    SIRET_CLAIM = "SIRET_CLAIM"
    NETWORK = "NETWORK"
    ADMINISTRATOR = "ADMINISTRATOR"


class Role(enum.StrEnum):
    OWNER = "OWNER"
    ADMIN = "ADMIN"
    MEMBER = "MEMBER"

    @property
    def can_administer(self) -> bool:
        return self in (Role.OWNER, Role.ADMIN)


class Person(SQLModel, table=True):
    __tablename__ = "person"

    id: int | None = Field(default=None, primary_key=True)
    email: str | None = Field(default=None, max_length=320, unique=True)
    display_name: str = Field(default="", max_length=200)
    name_confirmed: bool = Field(
        default=True,
        sa_column_kwargs={"server_default": sa.true()},
        description="False while the name is only guessed (the provider gave none): ask once.",
    )
    email_verified: bool = Field(
        default=False,
        sa_column_kwargs={"server_default": sa.false()},
        description="The provider said, at the last sign-in, that it verified `email`.",
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=timestamp_column())


class Identity(SQLModel, table=True):
    """A person's account at an OpenID provider; never matched to a person by e-mail alone."""

    __tablename__ = "identity"
    __table_args__ = (sa.UniqueConstraint("issuer", "subject"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    issuer: str = Field(max_length=500)
    subject: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=utcnow, sa_type=timestamp_column())


class Organization(SQLModel, table=True):
    __tablename__ = "organization"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    kind: OrganizationKind = Field(sa_type=enum_column(OrganizationKind))
    sector: Sector = Field(sa_type=enum_column(Sector))
    siret: str | None = Field(default=None, max_length=14, unique=True)
    siren: str | None = Field(default=None, max_length=9, index=True)
    insee_code: str | None = Field(default=None, max_length=5)
    parent_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    website: str | None = Field(default=None, max_length=500)
    description: str = Field(default="", max_length=5000)
    verified: bool = False
    name_confirmed: bool = Field(
        default=True,
        sa_column_kwargs={"server_default": sa.true()},
        description="False while the name is provisional (created from a SIRET alone).",
    )
    verified_by: VerificationMethod | None = Field(
        default=None, sa_type=enum_column(VerificationMethod)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=timestamp_column())


class Membership(SQLModel, table=True):
    __tablename__ = "membership"
    __table_args__ = (sa.UniqueConstraint("person_id", "organization_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    organization_id: int = Field(foreign_key="organization.id", index=True, ondelete="CASCADE")
    role: Role = Field(sa_type=enum_column(Role))
    created_at: datetime = Field(default_factory=utcnow, sa_type=timestamp_column())


class AccessToken(SQLModel, table=True):
    """A personal access token: a person acting for one organization, from a script.

    Only the SHA-256 of the secret is stored; the role is read from the membership at each use,
    so demoting or removing a member takes effect on their tokens at once.
    """

    __tablename__ = "access_token"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    organization_id: int = Field(foreign_key="organization.id", index=True, ondelete="CASCADE")
    name: str = Field(default="", max_length=100)
    prefix: str = Field(max_length=16, description="The first characters, to recognise a token.")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=timestamp_column())
    expires_at: datetime | None = Field(default=None, sa_type=timestamp_column())
    last_used_at: datetime | None = Field(default=None, sa_type=timestamp_column())
    revoked_at: datetime | None = Field(default=None, sa_type=timestamp_column())
