"""The demo's networks (core/importers/demo_networks.py) and how its development accounts come to
act for them: an open invitation to the e-mail their provider verified is accepted at sign-in;
an unverified address, or another one, joins nothing."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.importers.demo_networks import (
    AQUITAINE,
    CLAIMS,
    NATIONAL,
    NETWORKS,
    OUEST,
    REPORTED,
    REPORTER,
    load_demo_networks,
)
from core.models import (
    ClaimState,
    Invitation,
    Organization,
    Role,
    SpaceClaim,
    VerificationMethod,
)
from core.services.coverage import networks_covering
from core.services.identities import VerifiedIdentity, principal_for_person, sign_in
from core.services.network_desk import members_to_validate, reports_to_review
from core.services.space_claims import claims_to_decide
from tests.factories import make_listing, make_organization, make_space

OUEST_ADMIN = "morgane.guillou@tiers-lieux-ouest.fr"
NANTES = {"commune_insee": "44109", "commune_name": "Nantes", "department_code": "44"}


async def _the_demo_organizations(session: AsyncSession) -> None:
    """The few demo organizations and records the networks' load names."""
    for plan in NETWORKS:
        for name in plan.validated + plan.waiting:
            await make_organization(session, name)
    for claimant, _, _ in CLAIMS:
        await make_organization(session, claimant)
    lyon = {"commune_insee": "69381", "commune_name": "Lyon", "department_code": "69"}
    await make_space(
        session, None, ref=CLAIMS[1][1], name="Atelier des Médias", region_code="84", **lyon
    )
    await make_space(
        session, None, ref=CLAIMS[0][1], name="Le Petit Salon", region_code="52", **NANTES
    )
    oasis = (await session.exec(select(Organization).where(Organization.name == REPORTED))).one()
    await make_listing(session, oasis, commune_insee="49007")  # Angers
    assert REPORTER in {p for plan in NETWORKS for p in plan.validated}


async def _network(session: AsyncSession, name: str) -> Organization:
    return (await session.exec(select(Organization).where(Organization.name == name))).one()


async def test_the_networks_cover_their_regions_and_the_country_and_have_work_waiting(
    session: AsyncSession,
) -> None:
    await _the_demo_organizations(session)

    made = await load_demo_networks(session)
    again = await load_demo_networks(session)

    assert made == {
        "networks": 3, "validated": 7, "waiting": 3, "invitations": 2, "claims": 2, "reports": 1
    }  # fmt: skip
    assert again == {}
    national, ouest = await _network(session, NATIONAL), await _network(session, OUEST)
    aquitaine = await _network(session, AQUITAINE)
    assert await networks_covering(session, "44109") == [ouest.id, national.id]
    assert await networks_covering(session, "23096") == [aquitaine.id, national.id]  # Guéret
    assert await networks_covering(session, "13055") == [national.id]  # Marseille
    members = (
        await session.exec(select(Organization).where(Organization.parent_id == ouest.id))
    ).all()
    validated = {o.name for o in members if o.verified}
    assert validated == set(NETWORKS[1].validated)
    assert {o.verified_by for o in members if o.verified} == {VerificationMethod.NETWORK}
    claims = (await session.exec(select(SpaceClaim).order_by(col(SpaceClaim.id)))).all()
    assert [(c.state, c.network_id) for c in claims] == [
        (ClaimState.PENDING, ouest.id),
        (ClaimState.PENDING, national.id),  # Lyon: no regional network there
    ]
    invited = (await session.exec(select(Invitation).order_by(col(Invitation.id)))).all()
    assert [(i.email, i.role, i.organization_id) for i in invited] == [
        ("claire.fontaine@cooperative-tiers-lieux.fr", Role.ADMIN, national.id),
        (OUEST_ADMIN, Role.ADMIN, ouest.id),
    ]


async def test_the_ouest_coordinator_joins_at_sign_in_and_finds_the_queue(
    session: AsyncSession,
) -> None:
    await _the_demo_organizations(session)
    await load_demo_networks(session)
    ouest = await _network(session, OUEST)
    assert ouest.id is not None

    signed = await sign_in(
        session, VerifiedIdentity("https://oidc.test", "reseau-ouest", OUEST_ADMIN, True)
    )
    again = await sign_in(
        session, VerifiedIdentity("https://oidc.test", "reseau-ouest", OUEST_ADMIN, True)
    )

    assert signed.person.id is not None
    assert again.person.id == signed.person.id
    principal = await principal_for_person(session, signed.person.id)
    assert principal.memberships == {ouest.id: Role.ADMIN}
    claims = await claims_to_decide(session, principal, ouest.id)
    assert [c.message[:38] for c in claims] == ["Notre collectif anime Le Petit Salon d"]
    waiting = await members_to_validate(session, principal, ouest.id)
    assert [o.name for o in waiting] == list(NETWORKS[1].waiting)
    assert len(await reports_to_review(session, principal, ouest.id)) == 1
    national = await _network(session, NATIONAL)
    waiting_nationally = await claims_to_decide(session, principal, national.id)
    assert waiting_nationally == []  # not hers: the national structure's


async def test_an_unverified_or_other_address_joins_no_network(session: AsyncSession) -> None:
    await load_demo_networks(session)

    unverified = await sign_in(
        session, VerifiedIdentity("https://oidc.test", "someone", OUEST_ADMIN, False)
    )
    other = await sign_in(
        session, VerifiedIdentity("https://oidc.test", "other", "m.guillou@example.org", True)
    )

    for signed in (unverified, other):
        assert signed.person.id is not None
        principal = await principal_for_person(session, signed.person.id)
        assert principal.memberships == {}
    opened = select(Invitation).where(col(Invitation.accepted_at).is_(None))
    assert len((await session.exec(opened)).all()) == 2
