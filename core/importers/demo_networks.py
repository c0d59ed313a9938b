"""The demo's networks: a national structure and two regional networks, with work waiting for them.

Made through the services themselves (areas, validation, invitations, claims, reports), so the
network pages of `make run` show what a real network would: members it validated, members waiting
for validation, a claim without evidence and a reported listing. The people who act for them are
the demo's development accounts (dev/oidc/accounts.json): each is invited by e-mail, and joins at
first sign-in because the provider verified that address
(`core/services/memberships.py` `accept_invitations_to_verified_email`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import (
    AreaLevel,
    Listing,
    ListingStatus,
    Membership,
    NetworkArea,
    Organization,
    OrganizationKind,
    Person,
    ReportReason,
    Role,
    Sector,
    Space,
    VerificationMethod,
)
from core.services.memberships import InvitationDraft, invite
from core.services.moderation import ReportDraft, report_listing
from core.services.networks import validate_member
from core.services.principal import Principal
from core.services.space_claims import ClaimDraft, claim_space

NATIONAL = "Coopérative nationale des tiers-lieux (exemple)"
OUEST = "Réseau des tiers-lieux de l'Ouest (exemple)"
AQUITAINE = "Réseau des tiers-lieux de Nouvelle-Aquitaine (exemple)"


@dataclass(frozen=True)
class DemoNetwork:
    name: str
    level: AreaLevel
    code: str
    description: str
    admin_email: str | None
    """The development account invited as ADMIN; joins at its first sign-in."""
    validated: tuple[str, ...]
    waiting: tuple[str, ...]
    """Demo organizations that named this network as theirs and wait for its validation."""


NETWORKS = (
    DemoNetwork(
        NATIONAL,
        AreaLevel.COUNTRY,
        "FR",
        "Structure nationale d'exemple de la démonstration : elle décide des revendications et "
        "des signalements là où aucun réseau régional ne couvre le lieu.",
        "claire.fontaine@cooperative-tiers-lieux.fr",
        (),
        (),
    ),
    DemoNetwork(
        OUEST,
        AreaLevel.REGION,
        "52",
        "Réseau régional d'exemple de la démonstration, en Pays de la Loire : il valide ses "
        "membres, examine les revendications de lieux et les annonces signalées.",
        "morgane.guillou@tiers-lieux-ouest.fr",
        (
            "ICI Nantes (exemple)",
            "zBis (exemple)",
            "Espace OASIS (exemple)",
            "La Ruche Saint-Nazaire (exemple)",
        ),
        ("La Terrasse (exemple)", "StartUp Palace (exemple)"),
    ),
    DemoNetwork(
        AQUITAINE,
        AreaLevel.REGION,
        "75",
        "Réseau régional d'exemple de la démonstration, en Nouvelle-Aquitaine.",
        None,
        ("Makeo (exemple)", "FabLab BEN (exemple)", "Cobalt (exemple)"),
        ("Fablab 47 (exemple)",),
    ),
)

CLAIMS = (
    (
        "Collectif d'animation de Nantes (exemple)",
        "mc:115",  # Le Petit Salon, Nantes: waits for the Ouest network
        "Notre collectif anime Le Petit Salon depuis le printemps : nous souhaitons en tenir la "
        "fiche à jour. Le bail est au nom de l'association.",
    ),
    (
        "Collectif d'animation de Lyon (exemple)",
        "mc:306",  # Atelier des Médias, Lyon: no regional network, so the national structure
        "Nous animons les ateliers de l'Atelier des Médias chaque semaine et souhaitons en tenir "
        "la fiche.",
    ),
)
"""Claims without evidence (no SIRET, no e-mail at the place's domain) on unclaimed census
places: (claimant, place ref, message)."""
REPORTED = "Espace OASIS (exemple)"  # Angers: its first published listing
REPORTER = "ICI Nantes (exemple)"
REPORT_MESSAGE = "Ce bureau est loué à l'année depuis l'automne : l'annonce n'est plus à jour."
INVITATION_DAYS = 365
"""The demo's invitations wait a year for their account's first sign-in (the app's, 7 days)."""


async def load_demo_networks(session: AsyncSession) -> dict[str, int]:
    """The networks, their areas, members and queues; nothing when the national one exists
    (a reload). Returns what was made, by kind. The caller commits."""
    found = select(Organization.id).where(Organization.name == NATIONAL)
    if (await session.exec(found)).first() is not None:
        return {}
    made = {"networks": 0, "validated": 0, "waiting": 0, "invitations": 0}
    networks: dict[str, Principal] = {}
    for plan in NETWORKS:
        network = Organization(
            name=plan.name,
            kind=OrganizationKind.RESEAU,
            sector=Sector.PRIVATE,
            description=plan.description,
            verified=True,
            verified_by=VerificationMethod.ADMINISTRATOR,
        )
        session.add(network)
        await session.flush()
        assert network.id is not None
        session.add(NetworkArea(organization_id=network.id, level=plan.level, code=plan.code))
        agent = await _agent(session, network, Role.OWNER)
        networks[plan.name] = agent
        made["networks"] += 1
        for organization in await _named(session, plan.validated + plan.waiting):
            assert organization.id is not None
            organization.parent_id = network.id
            session.add(organization)
            await session.flush()
            if organization.name in plan.validated:
                await validate_member(session, agent, organization.id)
                made["validated"] += 1
            else:
                made["waiting"] += 1
        if plan.admin_email is not None:
            draft = InvitationDraft(email=plan.admin_email, role=Role.ADMIN)
            issued = await invite(session, agent, network.id, draft)
            issued.invitation.expires_at = datetime.now(UTC) + timedelta(days=INVITATION_DAYS)
            session.add(issued.invitation)
            made["invitations"] += 1
    made["claims"] = sum([await _a_claim(session, *claim) for claim in CLAIMS])
    made["reports"] = await _a_report(session)
    await session.flush()
    return made


async def _named(session: AsyncSession, names: tuple[str, ...]) -> list[Organization]:
    statement = select(Organization).where(col(Organization.name).in_(names))
    return list((await session.exec(statement.order_by(col(Organization.id)))).all())


async def _agent(session: AsyncSession, organization: Organization, role: Role) -> Principal:
    """The person who acts for a demo organization: the one its exchanges made, else a new one."""
    assert organization.id is not None
    statement = select(Membership).where(Membership.organization_id == organization.id)
    membership = (await session.exec(statement.order_by(col(Membership.id)))).first()
    if membership is None:
        person = Person(display_name=f"Équipe {organization.name}")
        session.add(person)
        await session.flush()
        assert person.id is not None
        membership = Membership(person_id=person.id, organization_id=organization.id, role=role)
        session.add(membership)
        await session.flush()
    return Principal(membership.person_id, organization.id, membership.role)


async def _a_claim(session: AsyncSession, claimant_name: str, ref: str, message: str) -> int:
    """A demo organization claims a census place without evidence: it waits for the network."""
    claimant = next(iter(await _named(session, (claimant_name,))), None)
    place = (await session.exec(select(Space).where(Space.ref == ref))).first()
    if claimant is None or place is None or place.id is None or place.organization_id is not None:
        return 0
    agent = await _agent(session, claimant, Role.ADMIN)
    assert claimant.id is not None
    await claim_space(session, agent, place.id, claimant.id, ClaimDraft(message=message))
    return 1


async def _a_report(session: AsyncSession) -> int:
    """Another demo organization reports an Angers listing as no longer real."""
    reporter = next(iter(await _named(session, (REPORTER,))), None)
    statement = (
        select(Listing)
        .join(Organization, col(Organization.id) == col(Listing.organization_id))
        .where(Organization.name == REPORTED, Listing.status == ListingStatus.PUBLISHED)
        .order_by(col(Listing.id))
    )
    listing = (await session.exec(statement)).first()
    if reporter is None or listing is None or listing.id is None:
        return 0
    agent = await _agent(session, reporter, Role.ADMIN)
    draft = ReportDraft(reason=ReportReason.NOT_REAL, message=REPORT_MESSAGE)
    await report_listing(session, agent, listing.id, draft)
    return 1
