"""Who signed in: a person found by their (issuer, subject), and the organization their SIRET names.

A person is never matched by e-mail: the same address at another provider is another identity.
A `siret` claim comes from a provider that verified it, so the organization it names is created
verified (`SIRET_CLAIM`); its sector is public when its SIREN is a commune's (the official list in
`data/commune_sirens.csv`) or its legal category is 7xxx, else private.

An open invitation addressed to the e-mail the provider verified is accepted at sign-in
(`accept_invitations_to_verified_email`): the address is what the invitation's link proves.

Names: a commune is named after the commune, another organization after the provider's
`organizational_unit`; with neither, it gets a provisional name its owner is asked to confirm
(`name_confirmed`), never a bare SIRET. A person whose provider gave no name is asked theirs once.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.error_codes import AccountErrorCode
from core.errors import FieldProblem, InvalidInput
from core.models import (
    AuditAction,
    Commune,
    Identity,
    Membership,
    Organization,
    OrganizationKind,
    Person,
    Role,
    Sector,
    VerificationMethod,
)
from core.services.audit import record
from core.services.memberships import accept_invitations_to_verified_email
from core.services.organizations import organization_by_siret
from core.services.principal import Principal, principal_of
from core.services.validation import normalize_siret, siret_problem
from core.settings import DEFAULT_DATA_DIR

_MAX_CLAIM = 320
_ASSOCIATION_CATEGORIES = ("92",)
_VOWELS = frozenset("aeiouyh")


@dataclass(frozen=True)
class VerifiedIdentity:
    """The claims of a validated ID token (and userinfo) that Entrelieux uses."""

    issuer: str
    subject: str
    email: str | None = None
    email_verified: bool = False
    """The provider says it verified `email` (the `email_verified` claim is true)."""
    given_name: str = ""
    usual_name: str = ""
    siret: str | None = None
    legal_category: str | None = None
    organizational_unit: str = ""

    @classmethod
    def from_claims(cls, issuer: str, claims: Mapping[str, Any]) -> VerifiedIdentity:
        """Refuses claims of the wrong type or oversized, and a SIRET that fails its check."""
        problems: list[FieldProblem] = []

        def text(name: str) -> str | None:
            value = claims.get(name)
            if value is None or value == "":
                return None
            if not isinstance(value, str) or len(value) > _MAX_CLAIM:
                problems.append(FieldProblem(name, AccountErrorCode.CLAIM_NOT_TEXT))
                return None
            return value.strip()

        subject = text("sub")
        siret = text("siret")
        if siret is not None:
            siret = normalize_siret(siret)
            if problem := siret_problem(siret):
                problems.append(FieldProblem("siret", problem))
        if subject is None and not any(p.field == "sub" for p in problems):
            problems.append(FieldProblem("sub", AccountErrorCode.NO_SUBJECT))
        if problems:
            raise InvalidInput(problems)
        assert subject is not None
        return cls(
            issuer=issuer,
            subject=subject,
            email=text("email"),
            email_verified=claims.get("email_verified") is True,
            given_name=text("given_name") or "",
            usual_name=text("usual_name") or text("family_name") or "",
            siret=siret,
            legal_category=text("legal_category") or text("categorie_juridique"),
            organizational_unit=" ".join((text("organizational_unit") or "").split())[:200],
        )

    @property
    def has_name(self) -> bool:
        """The provider said what the person is called (not only an e-mail address)."""
        return bool(f"{self.given_name}{self.usual_name}".strip())

    @property
    def display_name(self) -> str:
        full = f"{self.given_name} {self.usual_name}".strip()
        return full or (self.email or "").split("@")[0] or "Personne"


@dataclass(frozen=True)
class SignedIn:
    person: Person
    organization: Organization | None
    new_person: bool


async def sign_in(session: AsyncSession, identity: VerifiedIdentity) -> SignedIn:
    """The person of an identity (new on first sign-in), joined to their SIRET's organization."""
    person, created = await _person_for(session, identity)
    assert person.id is not None
    organization = None
    if identity.siret is not None:
        organization = await _organization_for(session, identity, person)
        await _join(session, person.id, organization)
    await accept_invitations_to_verified_email(session, person)
    principal = await principal_for_person(session, person.id)
    organization_ids: list[int | None] = [*sorted(principal.organization_ids)] or [None]
    for organization_id in organization_ids:
        await record(
            session, organization_id, person.id, AuditAction.SIGN_IN, {"issuer": identity.issuer}
        )
    return SignedIn(person=person, organization=organization, new_person=created)


async def _person_for(session: AsyncSession, identity: VerifiedIdentity) -> tuple[Person, bool]:
    statement = (
        select(Person)
        .join(Identity, col(Identity.person_id) == col(Person.id))
        .where(Identity.issuer == identity.issuer, Identity.subject == identity.subject)
    )
    if (person := (await session.exec(statement)).first()) is not None:
        verified = identity.email_verified and person.email == identity.email
        if person.email_verified != verified:
            person.email_verified = verified
            session.add(person)
        return person, False
    email = identity.email
    if email and (await session.exec(select(Person.id).where(Person.email == email))).first():
        email = None  # another person holds it; e-mail alone never links two accounts
    person = Person(
        email=email,
        email_verified=email is not None and identity.email_verified,
        display_name=identity.display_name[:200],
        name_confirmed=identity.has_name,
    )
    session.add(person)
    await session.flush()
    assert person.id is not None
    session.add(Identity(person_id=person.id, issuer=identity.issuer, subject=identity.subject))
    await session.flush()
    return person, True


async def _organization_for(
    session: AsyncSession, identity: VerifiedIdentity, person: Person
) -> Organization:
    assert identity.siret is not None
    organization = await organization_by_siret(session, identity.siret)
    if organization is None:
        organization = await _new_organization(session, identity, person)
    elif not organization.verified:
        organization.verified = True
        organization.verified_by = VerificationMethod.SIRET_CLAIM
    await session.flush()
    return organization


async def _new_organization(
    session: AsyncSession, identity: VerifiedIdentity, person: Person
) -> Organization:
    assert identity.siret is not None
    siret, legal_category = identity.siret, identity.legal_category
    insee_code = commune_code_by_siren().get(siret[:9])
    commune = await session.get(Commune, insee_code) if insee_code else None
    if insee_code is not None or (legal_category and legal_category.startswith("7")):
        kind, sector = OrganizationKind.COLLECTIVITE, Sector.PUBLIC
    elif legal_category and legal_category.startswith(_ASSOCIATION_CATEGORIES):
        kind, sector = OrganizationKind.ASSOCIATION, Sector.PRIVATE
    else:
        kind, sector = OrganizationKind.ENTREPRISE, Sector.PRIVATE
    if commune is not None:
        name, confirmed = f"Commune de {commune.name}", True
    elif len(identity.organizational_unit) >= 2:
        name, confirmed = identity.organizational_unit, True
    else:
        name, confirmed = _provisional_name(person.display_name), False
    organization = Organization(
        name=name,
        name_confirmed=confirmed,
        kind=kind,
        sector=sector,
        siret=siret,
        siren=siret[:9],
        insee_code=insee_code,
        verified=True,
        verified_by=VerificationMethod.SIRET_CLAIM,
    )
    session.add(organization)
    await session.flush()
    return organization


def _provisional_name(display_name: str) -> str:
    """Until its owner names it: "Organisation de Camille", "Organisation d’Alex"."""
    initial = unicodedata.normalize("NFKD", display_name[:1]).lower()[:1]
    of = "d’" if initial in _VOWELS else "de "
    return f"Organisation {of}{display_name}"[:200]


async def _join(session: AsyncSession, person_id: int, organization: Organization) -> None:
    """OWNER when the organization has no member yet, else MEMBER; an existing role is kept."""
    members = select(func.count()).where(Membership.organization_id == organization.id)
    count = (await session.exec(members)).one()
    mine = select(Membership).where(
        Membership.organization_id == organization.id, Membership.person_id == person_id
    )
    if (await session.exec(mine)).first() is None:
        assert organization.id is not None
        role = Role.OWNER if count == 0 else Role.MEMBER
        session.add(Membership(person_id=person_id, organization_id=organization.id, role=role))
        await session.flush()


async def person_id_for(session: AsyncSession, issuer: str, subject: str) -> int | None:
    statement = select(Identity.person_id).where(
        Identity.issuer == issuer, Identity.subject == subject
    )
    return (await session.exec(statement)).first()


async def principal_for_person(session: AsyncSession, person_id: int) -> Principal:
    """A browser session acts for every organization of the person; the earliest one by default."""
    statement = (
        select(Membership.organization_id, Membership.role, Organization.parent_id)
        .join(Organization, col(Organization.id) == col(Membership.organization_id))
        .where(Membership.person_id == person_id)
        .order_by(col(Membership.id))
    )
    return principal_of(person_id, (await session.exec(statement)).all())


@cache
def commune_code_by_siren() -> dict[str, str]:
    """SIREN → INSEE code of every commune (Licence Ouverte, see data/README.md)."""
    with (DEFAULT_DATA_DIR / "commune_sirens.csv").open(newline="", encoding="utf-8") as file:
        return {row["siren"]: row["code_insee"] for row in csv.DictReader(file)}
