"""Creating organizations, naming them, and reading them.

An INDEPENDANT organization is one person acting alone: its SIRET is optional (as for every
kind) and it is shown with its creator's name (their name alone, or after the activity's).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.error_codes import OrganizationErrorCode
from core.errors import Conflict, FieldProblem, InvalidInput, NotFound
from core.models import Membership, Organization, OrganizationKind, Person, Role, Sector
from core.services.organization_search import matching
from core.services.pagination import Page, PageRequest, paginate
from core.services.principal import Principal, require_admin, require_principal
from core.services.validation import normalize_siret, refuse, siret_problem


class OrganizationDraft(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(default=None, max_length=200)
    """Required, except for an INDEPENDANT organization (it then takes its creator's name)."""
    kind: OrganizationKind
    sector: Sector | None = None
    siret: str | None = None
    insee_code: str | None = Field(default=None, pattern=r"^(\d{5}|2[AB]\d{3})$")
    parent_id: int | None = None
    website: str | None = Field(default=None, max_length=500)
    description: str = Field(default="", max_length=5000)

    @field_validator("siret")
    @classmethod
    def _siret(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        siret = normalize_siret(value)
        if problem := siret_problem(siret):
            raise refuse(problem)
        return siret

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if len(value) < 2:
            raise refuse(OrganizationErrorCode.ORGANIZATION_NAME_REQUIRED)
        return value

    def cross_check(self) -> list[FieldProblem]:
        problems = []
        if self.kind == OrganizationKind.COLLECTIVITE and self.sector == Sector.PRIVATE:
            problems.append(FieldProblem("sector", OrganizationErrorCode.COLLECTIVITE_IS_PUBLIC))
        if self.kind == OrganizationKind.INDEPENDANT and self.sector == Sector.PUBLIC:
            problems.append(FieldProblem("sector", OrganizationErrorCode.INDEPENDANT_IS_PRIVATE))
        if self.name is None and self.kind != OrganizationKind.INDEPENDANT:
            problems.append(FieldProblem("name", OrganizationErrorCode.ORGANIZATION_NAME_REQUIRED))
        return problems

    @property
    def derived_sector(self) -> Sector:
        if self.sector is not None:
            return self.sector
        return Sector.PUBLIC if self.kind == OrganizationKind.COLLECTIVITE else Sector.PRIVATE


@dataclass(frozen=True)
class OrganizationFilter:
    kind: OrganizationKind | None = None
    sector: Sector | None = None
    name_contains: str | None = None
    parent_id: int | None = None
    query: str | None = None
    """A name, a SIRET (or SIREN) or a commune: see `organization_search.matching`."""


async def create_organization(
    session: AsyncSession, principal: Principal | None, draft: OrganizationDraft
) -> Organization:
    """A new organization; whoever creates it becomes its OWNER."""
    acting = require_principal(principal)
    if draft.kind == OrganizationKind.INDEPENDANT:
        draft = draft.model_copy(update={"name": await _independent_name(session, acting, draft)})
    organization = await add_organization(session, draft)
    assert organization.id is not None
    session.add(
        Membership(person_id=acting.person_id, organization_id=organization.id, role=Role.OWNER)
    )
    await session.flush()
    return organization


async def _independent_name(
    session: AsyncSession, acting: Principal, draft: OrganizationDraft
) -> str:
    """An independent person's organization is shown with their name: it is their name, or
    their activity's followed by it ("Studio Lumen — Rose Moreau")."""
    person = await session.get(Person, acting.person_id)
    if person is None or not person.name_confirmed or len(person.display_name.strip()) < 2:
        raise InvalidInput.one("name", OrganizationErrorCode.YOUR_NAME_FIRST)
    own = person.display_name.strip()
    if draft.name is None or own.casefold() in draft.name.casefold():
        return draft.name or own
    return f"{draft.name} — {own}"[:200]


async def rename_organization(
    session: AsyncSession, principal: Principal | None, organization_id: int, name: str
) -> Organization:
    """An admin gives the organization its name; a provisional name is then confirmed."""
    require_admin(principal, organization_id)
    organization = await session.get(Organization, organization_id)
    if organization is None:
        raise NotFound(OrganizationErrorCode.ORGANIZATION_NOT_FOUND, value=str(organization_id))
    name = " ".join(name.split())
    if not 2 <= len(name) <= 200:
        raise InvalidInput.one("name", OrganizationErrorCode.ORGANIZATION_NAME_REQUIRED)
    organization.name, organization.name_confirmed = name, True
    session.add(organization)
    await session.flush()
    return organization


async def add_organization(session: AsyncSession, draft: OrganizationDraft) -> Organization:
    """Insert the organization with no member (imports and the command line use this)."""
    if draft.name is None:
        raise InvalidInput.one("name", OrganizationErrorCode.ORGANIZATION_NAME_REQUIRED)
    if draft.siret and await organization_by_siret(session, draft.siret):
        raise Conflict(OrganizationErrorCode.SIRET_TAKEN, value=draft.siret)
    if draft.parent_id is not None:
        parent = await session.get(Organization, draft.parent_id)
        if parent is None or parent.kind != OrganizationKind.RESEAU:
            raise InvalidInput.one("parent_id", OrganizationErrorCode.PARENT_NOT_A_NETWORK)
    organization = Organization(
        name=draft.name,
        kind=draft.kind,
        sector=draft.derived_sector,
        siret=draft.siret,
        siren=draft.siret[:9] if draft.siret else None,
        insee_code=draft.insee_code,
        parent_id=draft.parent_id,
        website=draft.website,
        description=draft.description,
    )
    session.add(organization)
    await session.flush()
    return organization


async def organization_by_siret(session: AsyncSession, siret: str) -> Organization | None:
    statement = select(Organization).where(Organization.siret == siret)
    return (await session.exec(statement)).first()


async def organization_by_siret_or_name(session: AsyncSession, key: str) -> Organization | None:
    """A 14-digit key is a SIRET; anything else is an exact name."""
    siret = normalize_siret(key)
    if siret.isdigit() and len(siret) == 14:
        return await organization_by_siret(session, siret)
    statement = (
        select(Organization).where(Organization.name == key.strip()).order_by(col(Organization.id))
    )
    return (await session.exec(statement.limit(1))).first()


async def browse_organizations(
    session: AsyncSession, where: OrganizationFilter, page: PageRequest
) -> Page[Organization]:
    statement = select(Organization)
    if where.kind is not None:
        statement = statement.where(Organization.kind == where.kind)
    if where.sector is not None:
        statement = statement.where(Organization.sector == where.sector)
    if where.parent_id is not None:
        statement = statement.where(Organization.parent_id == where.parent_id)
    if where.name_contains:
        statement = statement.where(Organization.name.icontains(where.name_contains))  # type: ignore[attr-defined]
    if where.query is not None:
        statement = statement.where(await matching(session, where.query))
    return await paginate(session, statement, Organization.id, page)


async def organizations_by_ids(session: AsyncSession, ids: Sequence[int]) -> list[Organization]:
    statement = select(Organization).where(Organization.id.in_(ids))  # type: ignore[union-attr]
    return list((await session.exec(statement)).all())
