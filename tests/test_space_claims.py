"""Claiming places through the API, one test per rule of `core/services/space_claims.py`:
strong evidence (SIRET, verified e-mail domain, never a generic domain), the network's accept and
refusal, disputes, rights, and the yearly re-confirmation at explicit dates (never waiting)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.place_recheck import recheck_once
from core.db import Database
from core.error_codes import SpaceClaimErrorCode
from core.errors import Conflict
from core.models import (
    AreaLevel,
    AuditAction,
    AuditEvent,
    ClaimState,
    Notification,
    NotificationKind,
    Organization,
    OrganizationKind,
    Role,
    Space,
    SpaceClaim,
)
from core.services.claim_evidence import is_generic, website_domain
from core.services.identities import VerifiedIdentity, sign_in
from core.services.network_areas import add_area
from core.services.principal import Principal
from core.services.space_claims import (
    ClaimDraft,
    VerificationState,
    claim_space,
    months_before,
    remind_due,
    verification_state,
)
from schema.relay import to_global_id
from tests.factories import Member, make_member, make_organization, make_space
from tests.graphql import GraphQLClient

SIRET = "85271946700015"
CLAIM = """
mutation($input: SpaceClaimInput!) {
  spaceClaim(input: $input) {
    __typename
    ... on SpaceClaimSuccess {
      claim { id state evidence dispute message network { name } holder { name } }
      space { organization { name } verificationState verifiedAt verifiedBy }
    }
    ... on Error { code message }
    ... on InputError { fields { field code } }
  }
}
"""
DECIDE = """
mutation($input: SpaceClaimDecideInput!) {
  spaceClaimDecide(input: $input) {
    __typename
    ... on SpaceClaimDecideSuccess {
      claim { state reason evidence }
      space { organization { name } verificationState verifiedBy }
    }
    ... on Error { code message }
    ... on InputError { fields { field code } }
  }
}
"""
QUEUE = """
query($network: ID) { me { claimsToDecide(networkId: $network) {
  id message dispute claimantName organization { name } holder { name } space { name } } } }
"""
MINE = """
query($space: ID) { me { spaceClaims(spaceId: $space) { state reason network { name } } } }
"""
PLACE = """
query($id: ID!) { space(id: $id) {
  organization { name } verificationState verifiedAt verifiedBy } }
"""
CONFIRM = """
mutation($id: ID!) { spaceConfirm(id: $id) {
  __typename ... on SpaceConfirmSuccess { space { verificationState verifiedAt } }
  ... on Error { code } } }
"""


@dataclass
class World:
    claimant: Organization
    admin: Member
    network: Organization
    network_admin: Member
    national_admin: Member
    space: Space


async def world(session: AsyncSession, **space: Any) -> World:
    """A place in Guéret (Creuse), a network covering the department, national administrators,
    and an organization whose ADMIN claims."""
    network = await make_organization(
        session, "Réseau des tiers-lieux creusois", OrganizationKind.RESEAU
    )
    national = await make_organization(session, "France Tiers-Lieux", OrganizationKind.RESEAU)
    await add_area(session, network.name, AreaLevel.DEPARTMENT, "23")
    await add_area(session, national.name, AreaLevel.COUNTRY, "FR")
    claimant = await make_organization(session, "Association La Quincaillerie", siret=SIRET)
    found = World(
        claimant=claimant,
        admin=await make_member(session, claimant, Role.ADMIN),
        network=network,
        network_admin=await make_member(session, network, Role.ADMIN),
        national_admin=await make_member(session, national, Role.OWNER),
        space=await make_space(session, name="La Quincaillerie", **space),
    )
    await session.commit()
    return found


def claim_input(
    w: World, organization: Organization | None = None, message: str = ""
) -> dict[str, Any]:
    return {
        "input": {
            "spaceId": to_global_id("Space", w.space.id or 0),
            "organizationId": to_global_id("Organization", (organization or w.claimant).id or 0),
            "message": message,
        }
    }


async def claim(client: GraphQLClient, w: World, token: str, **kwargs: Any) -> dict[str, Any]:
    data = await client.execute(CLAIM, claim_input(w, **kwargs), token)
    return data["spaceClaim"]  # type: ignore[no-any-return]


async def decide(
    client: GraphQLClient, token: str, claim_id: str, decision: str, reason: str = ""
) -> dict[str, Any]:
    variables = {"input": {"claimId": claim_id, "decision": decision, "reason": reason}}
    return (await client.execute(DECIDE, variables, token))["spaceClaimDecide"]  # type: ignore[no-any-return]


async def notified(session: AsyncSession, kind: NotificationKind) -> list[Notification]:
    statement = select(Notification).where(Notification.kind == kind)
    return list((await session.exec(statement.order_by(col(Notification.id)))).all())


async def set_email(session: AsyncSession, member: Member, email: str, verified: bool) -> None:
    member.person.email, member.person.email_verified = email, verified
    session.add(member.person)
    await session.commit()


async def test_a_matching_siret_verifies_the_claim_at_once(
    client: GraphQLClient, session: AsyncSession
) -> None:
    w = await world(session, siret=SIRET)

    result = await claim(client, w, w.admin.token)

    assert result["__typename"] == "SpaceClaimSuccess", result
    assert result["claim"]["state"] == "VERIFIED"
    assert result["claim"]["evidence"] == "SIRET"
    assert result["claim"]["network"] is None
    assert result["space"]["organization"]["name"] == "Association La Quincaillerie"
    assert result["space"]["verificationState"] == "VERIFIED"
    assert result["space"]["verifiedBy"] == "SIRET"
    assert result["space"]["verifiedAt"] is not None
    events = (await session.exec(select(AuditEvent.action))).all()
    assert AuditAction.SPACE_CLAIM_VERIFIED in events
    assert await notified(session, NotificationKind.CLAIM_TO_DECIDE) == []


async def test_a_verified_email_at_the_website_domain_verifies_the_claim(
    client: GraphQLClient, session: AsyncSession
) -> None:
    w = await world(session, website="https://WWW.La-Quincaillerie.fr/le-lieu")
    await set_email(session, w.admin, "claire@la-quincaillerie.fr", verified=True)

    result = await claim(client, w, w.admin.token)

    assert result["claim"]["state"] == "VERIFIED", result
    assert result["claim"]["evidence"] == "EMAIL_DOMAIN"
    assert result["space"]["verificationState"] == "VERIFIED"


async def test_an_unverified_email_at_the_domain_goes_to_the_network(
    client: GraphQLClient, session: AsyncSession
) -> None:
    w = await world(session, website="la-quincaillerie.fr")
    await set_email(session, w.admin, "claire@la-quincaillerie.fr", verified=False)

    result = await claim(client, w, w.admin.token)

    assert result["claim"]["state"] == "PENDING", result
    assert result["claim"]["evidence"] is None


async def test_a_generic_mail_domain_is_never_evidence(
    client: GraphQLClient, session: AsyncSession
) -> None:
    w = await world(session, website="http://www.orange.fr")
    await set_email(session, w.admin, "la.quincaillerie@orange.fr", verified=True)

    result = await claim(client, w, w.admin.token)

    assert result["claim"]["state"] == "PENDING", result
    assert result["claim"]["network"]["name"] == "Réseau des tiers-lieux creusois"
    assert result["space"]["organization"] is None
    assert result["space"]["verificationState"] == "UNCLAIMED"


@pytest.mark.parametrize(
    ("domain", "generic"),
    [
        ("gmail.com", True),
        ("hotmail.fr", True),
        ("yahoo.co.uk", True),
        ("outlook.com", True),
        ("laposte.net", True),
        ("wanadoo.fr", True),
        ("free.fr", True),
        ("monlieu.wordpress.com", True),
        ("la-quincaillerie.fr", False),
        ("fablab-gueret.fr", False),
    ],
)
def test_generic_domains(domain: str, generic: bool) -> None:
    assert is_generic(domain) is generic


def test_a_website_s_domain_is_its_host_lower_cased_without_www() -> None:
    assert website_domain("https://WWW.Example.fr:8443/a?b") == "example.fr"
    assert website_domain("example.fr/lieu") == "example.fr"
    assert website_domain("   ") is None
    assert website_domain("http://[bad") is None


async def test_the_network_accepts_a_claim_and_both_sides_see_it(
    client: GraphQLClient, session: AsyncSession
) -> None:
    w = await world(session)
    made = await claim(client, w, w.admin.token, message="Nous animons ce lieu depuis 2016.")
    assert made["claim"]["state"] == "PENDING", made
    assert made["claim"]["network"]["name"] == "Réseau des tiers-lieux creusois"
    asked = await notified(session, NotificationKind.CLAIM_TO_DECIDE)
    assert [n.person_id for n in asked] == [w.network_admin.person.id]
    assert asked[0].email_pending
    assert "Nous animons ce lieu depuis 2016." in asked[0].body
    network_id = to_global_id("Organization", w.network.id or 0)
    queue = (await client.execute(QUEUE, {"network": network_id}, w.network_admin.token))["me"]
    assert queue["claimsToDecide"] == [
        {
            "id": made["claim"]["id"],
            "message": "Nous animons ce lieu depuis 2016.",
            "dispute": False,
            "claimantName": w.admin.person.display_name,
            "organization": {"name": "Association La Quincaillerie"},
            "holder": None,
            "space": {"name": "La Quincaillerie"},
        }
    ]
    national = await client.execute(QUEUE, {}, w.national_admin.token)
    assert national["me"]["claimsToDecide"] == []  # a more specific network covers it

    decided = await decide(client, w.network_admin.token, made["claim"]["id"], "ACCEPT")

    assert decided["claim"]["state"] == "VERIFIED", decided
    assert decided["claim"]["evidence"] == "NETWORK"
    assert decided["space"]["organization"]["name"] == "Association La Quincaillerie"
    assert decided["space"]["verifiedBy"] == "NETWORK"
    mine = await client.execute(MINE, {}, w.admin.token)
    assert mine["me"]["spaceClaims"][0]["state"] == "VERIFIED"
    told = await notified(session, NotificationKind.CLAIM_VERIFIED)
    assert w.admin.person.id in {n.person_id for n in told}
    again = await decide(client, w.network_admin.token, made["claim"]["id"], "REFUSE", "non")
    assert again["code"] == "CLAIM_DECIDED"
    actions = (await session.exec(select(AuditEvent.action, AuditEvent.organization_id))).all()
    assert (AuditAction.SPACE_CLAIM_ACCEPTED, w.network.id) in actions
    assert (AuditAction.SPACE_CLAIM_ACCEPTED, w.claimant.id) in actions


async def test_the_network_refuses_with_a_reason_the_claimant_reads(
    client: GraphQLClient, session: AsyncSession
) -> None:
    w = await world(session)
    made = await claim(client, w, w.admin.token)
    claim_id = made["claim"]["id"]

    no_reason = await decide(client, w.network_admin.token, claim_id, "REFUSE", "   ")
    refused = await decide(
        client, w.network_admin.token, claim_id, "REFUSE", "Ce lieu est géré par la mairie."
    )

    assert no_reason["__typename"] == "InputError", no_reason
    assert no_reason["fields"] == [{"field": "reason", "code": "REASON_REQUIRED"}]
    assert refused["claim"] == {
        "state": "REFUSED",
        "reason": "Ce lieu est géré par la mairie.",
        "evidence": None,
    }
    assert refused["space"]["organization"] is None
    space_id = to_global_id("Space", w.space.id or 0)
    mine = (await client.execute(MINE, {"space": space_id}, w.admin.token))["me"]["spaceClaims"]
    assert mine == [
        {
            "state": "REFUSED",
            "reason": "Ce lieu est géré par la mairie.",
            "network": {"name": "Réseau des tiers-lieux creusois"},
        }
    ]
    told = await notified(session, NotificationKind.CLAIM_REFUSED)
    assert [n.note for n in told] == ["Ce lieu est géré par la mairie."]


async def test_a_second_claim_on_a_claimed_place_is_a_dispute_for_the_network(
    client: GraphQLClient, session: AsyncSession
) -> None:
    w = await world(session, siret=SIRET)
    first = await claim(client, w, w.admin.token)
    assert first["claim"]["state"] == "VERIFIED"
    rival = await make_organization(session, "SCIC Les Ateliers", siret="73282932000074")
    rival_admin = await make_member(session, rival, Role.OWNER)
    await session.commit()

    second = await claim(
        client, w, rival_admin.token, organization=rival, message="Nous avons repris le bail."
    )

    assert second["claim"]["state"] == "PENDING", second
    assert second["claim"]["dispute"] is True
    assert second["claim"]["holder"] == {"name": "Association La Quincaillerie"}
    assert second["space"]["organization"]["name"] == "Association La Quincaillerie"
    assert second["space"]["verificationState"] == "VERIFIED"
    asked = await notified(session, NotificationKind.CLAIM_TO_DECIDE)
    assert "SCIC Les Ateliers revendique « La Quincaillerie »" in asked[-1].body
    assert "Association La Quincaillerie le détient déjà" in asked[-1].body
    disputed = await notified(session, NotificationKind.CLAIM_DISPUTED)
    assert [n.person_id for n in disputed] == [w.admin.person.id]
    queue = (await client.execute(QUEUE, {}, w.network_admin.token))["me"]["claimsToDecide"]
    assert [(c["organization"]["name"], c["holder"]["name"], c["dispute"]) for c in queue] == [
        ("SCIC Les Ateliers", "Association La Quincaillerie", True)
    ]

    accepted = await decide(client, w.network_admin.token, second["claim"]["id"], "ACCEPT")

    assert accepted["space"]["organization"]["name"] == "SCIC Les Ateliers"
    states = (await session.exec(select(SpaceClaim.organization_id, SpaceClaim.state))).all()
    assert set(states) == {(w.claimant.id, ClaimState.REPLACED), (rival.id, ClaimState.VERIFIED)}
    replaced = await notified(session, NotificationKind.PLACE_REPLACED)
    assert [n.person_id for n in replaced] == [w.admin.person.id]


async def test_a_claim_needs_a_right_on_the_organization(
    client: GraphQLClient, session: AsyncSession
) -> None:
    w = await world(session, siret=SIRET)
    member = await make_member(session, w.claimant, Role.MEMBER)
    outsider = await make_member(session, await make_organization(session, "Autre"), Role.OWNER)
    await session.commit()

    as_member = await client.errors(CLAIM, claim_input(w), member.token)
    as_outsider = await client.errors(CLAIM, claim_input(w), outsider.token)
    anonymous = await client.errors(CLAIM, claim_input(w))

    assert as_member[0]["extensions"] == {"code": "FORBIDDEN", "reason": "ADMIN_ROLE_REQUIRED"}
    assert as_outsider[0]["extensions"] == {"code": "FORBIDDEN", "reason": "NOT_A_MEMBER"}
    assert anonymous[0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await session.exec(select(SpaceClaim))).all() == []
    await session.refresh(w.space)
    assert w.space.organization_id is None


async def test_only_the_deciding_network_decides(
    client: GraphQLClient, session: AsyncSession
) -> None:
    w = await world(session)
    made = await claim(client, w, w.admin.token)
    variables = {"input": {"claimId": made["claim"]["id"], "decision": "ACCEPT"}}

    by_claimant = await client.errors(DECIDE, variables, w.admin.token)
    by_national = await client.errors(DECIDE, variables, w.national_admin.token)

    assert by_claimant[0]["extensions"]["reason"] == "NOT_THE_DECIDING_NETWORK"
    assert by_national[0]["extensions"]["reason"] == "NOT_THE_DECIDING_NETWORK"
    unknown = {"input": {"claimId": to_global_id("SpaceClaim", 999999), "decision": "ACCEPT"}}
    missing = (await client.execute(DECIDE, unknown, w.network_admin.token))["spaceClaimDecide"]
    assert missing["code"] == "CLAIM_NOT_FOUND"


async def test_the_same_organization_cannot_claim_twice(
    client: GraphQLClient, session: AsyncSession
) -> None:
    w = await world(session)

    first = await claim(client, w, w.admin.token)
    pending = await claim(client, w, w.admin.token)
    await decide(client, w.network_admin.token, first["claim"]["id"], "ACCEPT")
    held = await claim(client, w, w.admin.token)

    assert pending["code"] == "CLAIM_ALREADY_PENDING", pending
    assert held["code"] == "ALREADY_YOURS", held


async def test_a_place_nobody_covers_cannot_be_claimed_without_evidence(
    client: GraphQLClient, session: AsyncSession
) -> None:
    claimant = await make_organization(session, "Seule")
    admin = await make_member(session, claimant, Role.OWNER)
    space = await make_space(session)
    await session.commit()
    variables = {
        "input": {
            "spaceId": to_global_id("Space", space.id or 0),
            "organizationId": to_global_id("Organization", claimant.id or 0),
        }
    }

    result = (await client.execute(CLAIM, variables, admin.token))["spaceClaim"]

    assert result["code"] == "NO_NETWORK_COVERS", result
    assert (await session.exec(select(SpaceClaim))).all() == []


async def test_the_yearly_reconfirmation(client: GraphQLClient, session: AsyncSession) -> None:
    w = await world(session, siret=SIRET)
    await claim(client, w, w.admin.token)
    row = (await session.exec(select(SpaceClaim))).one()
    verified = datetime(2025, 3, 15, 10, 0, tzinfo=UTC)
    row.verified_at = verified
    session.add(row)
    await session.commit()

    assert await remind_due(session, datetime(2026, 3, 15, 9, 59, tzinfo=UTC)) == 0
    assert await remind_due(session, datetime(2026, 3, 15, 10, 0, tzinfo=UTC)) == 1
    assert await remind_due(session, datetime(2026, 3, 20, tzinfo=UTC)) == 0  # asked once
    asked = await notified(session, NotificationKind.PLACE_RECHECK)
    assert [n.person_id for n in asked] == [w.admin.person.id]
    assert asked[0].email_pending
    holder = w.claimant.id
    april_14 = datetime(2026, 4, 14, 12, tzinfo=UTC)
    april_16 = datetime(2026, 4, 16, tzinfo=UTC)
    assert verification_state(holder, row, april_14) == VerificationState.VERIFIED
    assert verification_state(holder, row, april_16) == VerificationState.TO_RECHECK
    await session.commit()
    row.verified_at = datetime.now(UTC) - timedelta(days=400)  # 13 months ago and more
    session.add(row)
    await session.commit()
    space_id = to_global_id("Space", w.space.id or 0)
    before = (await client.execute(PLACE, {"id": space_id}))["space"]
    assert before["verificationState"] == "TO_RECHECK"

    confirmed = (await client.execute(CONFIRM, {"id": space_id}, w.admin.token))["spaceConfirm"]

    assert confirmed["space"]["verificationState"] == "VERIFIED", confirmed
    await session.refresh(row)
    assert row.reminded_at is None
    assert row.verified_at is not None
    assert row.verified_at > datetime.now(UTC) - timedelta(minutes=5)


async def test_only_a_verified_place_is_confirmed(
    client: GraphQLClient, session: AsyncSession
) -> None:
    w = await world(session)
    held = await make_space(session, w.claimant)
    await session.commit()

    result = await client.execute(
        CONFIRM, {"id": to_global_id("Space", held.id or 0)}, w.admin.token
    )

    assert result["spaceConfirm"] == {"__typename": "ConflictError", "code": "NOTHING_TO_CONFIRM"}
    place = await client.execute(PLACE, {"id": to_global_id("Space", held.id or 0)})
    assert place["space"]["verificationState"] == "UNVERIFIED"


async def test_sign_in_keeps_whether_the_provider_verified_the_email(session: AsyncSession) -> None:
    claims = {"sub": "claire", "email": "claire@la-quincaillerie.fr", "email_verified": True}
    first = await sign_in(session, VerifiedIdentity.from_claims("https://idp", claims))
    assert first.person.email_verified is True

    later = await sign_in(
        session, VerifiedIdentity.from_claims("https://idp", {**claims, "email_verified": False})
    )

    assert later.person.id == first.person.id
    assert later.person.email_verified is False


async def test_the_background_pass_asks_in_its_own_transaction(
    client: GraphQLClient, session: AsyncSession, database: Database
) -> None:
    w = await world(session, siret=SIRET)
    await claim(client, w, w.admin.token)
    row = (await session.exec(select(SpaceClaim))).one()
    row.verified_at = datetime(2025, 1, 31, tzinfo=UTC)
    session.add(row)
    await session.commit()

    the_day_before = datetime(2026, 1, 30, 23, tzinfo=UTC)
    assert await recheck_once(database, the_day_before) == 0
    assert await recheck_once(database, datetime(2026, 1, 31, tzinfo=UTC)) == 1

    session.expire_all()
    asked = await notified(session, NotificationKind.PLACE_RECHECK)
    assert [n.title for n in asked] == ["Confirmez les informations de La Quincaillerie"]


def test_months_are_calendar_months() -> None:
    assert months_before(datetime(2026, 3, 31, 8, tzinfo=UTC), 1) == datetime(
        2026, 2, 28, 8, tzinfo=UTC
    )
    assert months_before(datetime(2025, 2, 28, tzinfo=UTC), 12) == datetime(2024, 2, 28, tzinfo=UTC)
    assert months_before(datetime(2026, 1, 15, tzinfo=UTC), 13) == datetime(
        2024, 12, 15, tzinfo=UTC
    )


async def test_a_pending_claim_becomes_a_dispute_when_the_place_is_taken_meanwhile(
    client: GraphQLClient, session: AsyncSession
) -> None:
    w = await world(session, siret=SIRET)
    rival = await make_organization(session, "SCIC Les Ateliers")
    rival_admin = await make_member(session, rival, Role.OWNER)
    await session.commit()
    waiting = await claim(client, w, rival_admin.token, organization=rival)
    assert waiting["claim"]["dispute"] is False

    verified = await claim(client, w, w.admin.token)  # the SIRET matches: verified at once

    assert verified["claim"]["state"] == "VERIFIED"
    queue = (await client.execute(QUEUE, {}, w.network_admin.token))["me"]["claimsToDecide"]
    assert [(c["dispute"], c["holder"]) for c in queue] == [
        (True, {"name": "Association La Quincaillerie"})
    ]
    await decide(client, w.network_admin.token, waiting["claim"]["id"], "ACCEPT")
    rows = (await session.exec(select(SpaceClaim).order_by(col(SpaceClaim.id)))).all()
    assert [(r.state, r.holder_id) for r in rows] == [
        (ClaimState.VERIFIED, w.claimant.id),
        (ClaimState.REPLACED, None),
    ]


async def test_two_claims_at_once_never_both_take_the_place(session: AsyncSession) -> None:
    w = await world(session, siret=SIRET)
    other = await make_organization(session, "Arrivée la première")
    space = await session.get(Space, w.space.id)
    assert space is not None
    # Another claim commits between this one's read of the place and its write.
    taken = update(Space).where(col(Space.id) == space.id).values(organization_id=other.id)
    await session.exec(taken.execution_options(synchronize_session=False))
    acting = Principal(
        person_id=w.admin.person.id or 0, organization_id=w.claimant.id, role=Role.ADMIN
    )

    with pytest.raises(Conflict) as refused:
        await claim_space(session, acting, space.id or 0, w.claimant.id or 0, ClaimDraft())

    assert refused.value.code == SpaceClaimErrorCode.CLAIMED_MEANWHILE


async def test_bad_inputs_are_named(client: GraphQLClient, session: AsyncSession) -> None:
    w = await world(session)
    too_long = claim_input(w, message="x" * 2001)
    wrong_id = claim_input(w)
    wrong_id["input"]["spaceId"] = to_global_id("Organization", w.claimant.id or 0)
    unknown = claim_input(w)
    unknown["input"]["spaceId"] = to_global_id("Space", 999999)

    long_result = (await client.execute(CLAIM, too_long, w.admin.token))["spaceClaim"]
    wrong_result = (await client.execute(CLAIM, wrong_id, w.admin.token))["spaceClaim"]
    unknown_result = (await client.execute(CLAIM, unknown, w.admin.token))["spaceClaim"]
    bad_filter = await client.errors(MINE, {"space": "nonsense"}, w.admin.token)

    assert long_result["fields"][0]["field"] == "message"
    assert wrong_result["fields"] == [{"field": "spaceId", "code": "NOT_AN_ID"}]
    assert unknown_result["code"] == "SPACE_NOT_FOUND"
    assert bad_filter[0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert (await session.exec(select(SpaceClaim))).all() == []
