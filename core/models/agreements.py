"""Agreements: the paperwork of an accepted exchange, its versions and each side's acceptance.

One agreement per exchange, drafted when the exchange is accepted. Each edit of its editable
terms or free clauses is a new version with its author; a side's representative accepts one
exact version, recording the SHA-256 of that version's PDF. The PDF itself is not stored: a
version's PDF is rendered again, byte for byte, from its data and `created_at`
(`core/agreements/render.py`) until a side accepts it; from then on the exact PDF accepted is kept
with the version, so a later change of its template cannot change what was signed.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.models.base import enum_column, timestamp_column, utcnow


class AgreementKind(enum.StrEnum):
    """One kind per template file, `core/agreements/templates/<value>.typ`."""

    PRET_A_USAGE = "pret_a_usage"
    OCCUPATION_TEMPORAIRE = "occupation_temporaire"
    OCCUPATION_PRECAIRE = "occupation_precaire"
    MISE_A_DISPOSITION = "mise_a_disposition"
    ATTESTATION_DON = "attestation_don"


class AgreementState(enum.StrEnum):
    DRAFT = "DRAFT"
    """No side has accepted the current version."""
    PARTLY_ACCEPTED = "PARTLY_ACCEPTED"
    """One side has accepted the current version."""
    ACCEPTED = "ACCEPTED"
    """Both sides have accepted the current version."""


class Agreement(SQLModel, table=True):
    __tablename__ = "agreement"

    id: int | None = Field(default=None, primary_key=True)
    exchange_id: int = Field(foreign_key="exchange.id", unique=True, ondelete="CASCADE")
    kind: AgreementKind = Field(sa_type=enum_column(AgreementKind))
    state: AgreementState = Field(default=AgreementState.DRAFT, sa_type=enum_column(AgreementState))
    created_at: datetime = Field(default_factory=utcnow, sa_type=timestamp_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_type=timestamp_column())


class AgreementVersion(SQLModel, table=True):
    """One version: the terms the parties may edit and the free clauses, on top of what the
    drafting reads from the exchange. `created_at` is its PDF's date; `template_sha256` names
    the template text that rendered it."""

    __tablename__ = "agreement_version"
    __table_args__ = (sa.UniqueConstraint("agreement_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreement.id", index=True, ondelete="CASCADE")
    number: int = Field(ge=1)
    terms: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    clauses: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    data: dict[str, Any] = Field(
        default_factory=dict,
        sa_type=sa.JSON,
        description="What the template read: kept so the PDF renders again byte for byte even "
        "after the exchange, the listing or an organization changed.",
    )
    author_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    author_organization_id: int | None = Field(
        default=None, foreign_key="organization.id", ondelete="SET NULL"
    )
    template_sha256: str = Field(max_length=64)
    pdf: bytes | None = Field(
        default=None,
        sa_type=sa.LargeBinary,
        description="The exact PDF accepted, kept at the first acceptance; null before.",
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=timestamp_column())


class AgreementAcceptance(SQLModel, table=True):
    """A side's representative said « bon pour accord » to one version's exact PDF."""

    __tablename__ = "agreement_acceptance"
    __table_args__ = (sa.UniqueConstraint("version_id", "organization_id"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="agreement_version.id", index=True, ondelete="CASCADE")
    organization_id: int = Field(foreign_key="organization.id", ondelete="CASCADE")
    person_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    pdf_sha256: str = Field(max_length=64)
    accepted_at: datetime = Field(default_factory=utcnow, sa_type=timestamp_column())
