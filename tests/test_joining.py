"""No dead end for a person without an organization: they find one to join (by name, SIRET or
commune) and ask; its admins are notified; once accepted they request an exchange. Or they create
their own, an INDEPENDANT one included (no SIRET, their name). And names: never a bare SIRET, and
a person's name asked once when the provider gave none."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.auth.cookies import SESSION, cookie_name
from core.mail import compose
from core.models import (
    Direction,
    ListingKind,
    Membership,
    Notification,
    NotificationKind,
    Organization,
    OrganizationKind,
    Person,
    Role,
)
from core.services.identities import VerifiedIdentity, sign_in
from core.services.web_sessions import open_session
from core.settings import Settings
from schema.relay import to_global_id
from tests.factories import make_listing, make_member, make_organization, make_space
from tests.graphql import GraphQLClient

SEARCH = """
query($query: String!) {
  organizations(filter: {query: $query}, first: 10) { edges { node { name siret } } }
}
"""
ASK = """
mutation($input: MembershipRequestInput!) {
  membershipRequest(input: $input) {
    __typename
    ... on MembershipRequestSuccess { request { id state } }
    ... on Error { message }
  }
}
"""
ACCEPT = """
mutation($input: MembershipAcceptInput!) {
  membershipAccept(input: $input) {
    __typename ... on MembershipSuccess { membership { role } } ... on Error { message } }
}
"""
EXCHANGE = """
mutation($input: ExchangeRequestInput!) {
  exchangeRequest(input: $input) {
    __typename
    ... on ExchangeChangeSuccess { exchange { id state } }
    ... on Error { message code }
  }
}
"""
CREATE = """
mutation($input: OrganizationCreateInput!) {
  organizationCreate(input: $input) {
    __typename
    ... on OrganizationCreateSuccess { organization { id name kind sector siret nameConfirmed } }
    ... on InputError { fields { field code } }
    ... on Error { message }
  }
}
"""
PROFILE = """
mutation($name: String!) {
  profileUpdate(input: {displayName: $name}) {
    __typename
    ... on ProfileUpdateSuccess { me { displayName needsDisplayName } }
    ... on InputError { fields { field code } }
  }
}
"""
RENAME = """
mutation($input: OrganizationRenameInput!) {
  organizationRename(input: $input) {
    __typename
    ... on OrganizationRenameSuccess { organization { name nameConfirmed } }
    ... on InputError { fields { field code } }
  }
}
"""
ME = "{ me { displayName needsDisplayName membershipRequests { organization { name } } } }"


def gid(type_name: str, pk: int | None) -> str:
    assert pk is not None
    return to_global_id(type_name, pk)


async def browser_for(
    client: GraphQLClient, session: AsyncSession, settings: Settings, person: Person
) -> None:
    """Make `client` a browser signed in as `person` (a session cookie, from our own origin):
    unlike a token, a browser session may act for no organization at all."""
    assert person.id is not None
    secret = await open_session(session, person.id, "generic", "", timedelta(hours=1))
    await session.commit()
    client.http.cookies.set(cookie_name(settings, SESSION), secret)
    client.http.headers["Origin"] = settings.base_url


async def make_person(session: AsyncSession, name: str = "Lou Petit", **fields: object) -> Person:
    person = Person(email=f"{name.split()[0].lower()}@example.org", display_name=name, **fields)
    session.add(person)
    await session.flush()
    return person


async def test_organizations_are_found_by_name_siret_or_commune(
    client: GraphQLClient, session: AsyncSession
) -> None:
    fablab = await make_organization(session, "FabLab des Monts de Guéret")
    await make_space(session, fablab)  # in Guéret (23096)
    await make_organization(
        session, "Atelier Bois Recyclé", OrganizationKind.ENTREPRISE, siret="85271946700015"
    )
    await make_organization(
        session, "Commune de Montreuil", OrganizationKind.COLLECTIVITE, insee_code="93048"
    )
    await make_organization(session, "Tiers-lieu 100%_libre")
    await session.commit()

    async def names(query: str) -> list[str]:
        data = await client.execute(SEARCH, {"query": query})
        return [edge["node"]["name"] for edge in data["organizations"]["edges"]]

    assert await names("MONTS de guéret") == ["FabLab des Monts de Guéret"]
    assert await names("fablab, guéret") == ["FabLab des Monts de Guéret"]  # words, any order
    assert await names("852 719 467") == ["Atelier Bois Recyclé"]
    assert await names("85271946700015") == ["Atelier Bois Recyclé"]
    assert await names("Guéret") == ["FabLab des Monts de Guéret"]  # where its place is
    assert await names("93100") == ["Commune de Montreuil"]  # Montreuil's postcode
    assert await names("23000") == ["FabLab des Monts de Guéret"]  # its place's postcode
    assert await names("0%_") == ["Tiers-lieu 100%_libre"]  # wildcards are plain characters
    assert await names("Besançon") == []
    errors = await client.errors(SEARCH, {"query": " x "})
    assert errors[0]["extensions"]["code"] == "INVALID_INPUT"
    assert "filter.query: type at least 2 characters" in errors[0]["message"]


async def test_a_person_without_organization_asks_to_join_and_once_accepted_requests(
    client: GraphQLClient, session: AsyncSession, settings: Settings
) -> None:
    lab = await make_organization(session, "FabLab de Guéret")
    owner = await make_member(session, lab, Role.OWNER)
    admin = await make_member(session, lab, Role.ADMIN)
    member = await make_member(session, lab, Role.MEMBER)
    facilitation = await make_organization(session, "Réseau des animateurs")
    listing = await make_listing(
        session,
        facilitation,
        kind=ListingKind.SKILL,
        direction=Direction.OFFER,
        title="Animation de communauté",
        details={},
    )
    person = await make_person(session, "Lou Petit")
    await browser_for(client, session, settings, person)
    skill = {"input": {"listingId": gid("Listing", listing.id), "hours": 6, "message": "Bonjour"}}

    before = (await client.post(EXCHANGE, skill)).json()
    asked = (
        await client.execute(
            ASK, {"input": {"organizationId": gid("Organization", lab.id), "message": "Coucou"}}
        )
    )["membershipRequest"]
    waiting = (await client.execute(ME))["me"]["membershipRequests"]
    notices = (
        await session.exec(
            select(Notification).where(
                col(Notification.kind) == NotificationKind.MEMBERSHIP_REQUESTED
            )
        )
    ).all()

    assert before["data"]["exchangeRequest"]["code"] == "NOT_A_MEMBER", before  # no organization
    assert asked["__typename"] == "MembershipRequestSuccess", asked
    assert waiting == [{"organization": {"name": "FabLab de Guéret"}}]
    # The owner and the admin are told (by notification and e-mail), not the plain member.
    assert sorted(n.person_id for n in notices) == sorted([owner.person.id, admin.person.id])
    assert member.person.id not in {n.person_id for n in notices}
    notice = notices[0]
    assert notice.organization_id == lab.id
    assert notice.email_pending
    assert "Lou Petit demande à rejoindre FabLab de Guéret" in notice.body
    assert "Coucou" in notice.body
    mail = compose(settings, notice, "admin@example.org").get_content()
    assert f"Voir l'organisation : {settings.base_url}/organisations/" in mail
    assert gid("Organization", lab.id) in mail

    accepted = await client.execute(
        ACCEPT, {"input": {"requestId": asked["request"]["id"]}}, admin.token
    )
    requested = (await client.execute(EXCHANGE, skill))["exchangeRequest"]
    welcome = (
        await session.exec(
            select(Notification).where(
                col(Notification.kind) == NotificationKind.MEMBERSHIP_ACCEPTED
            )
        )
    ).all()

    assert accepted["membershipAccept"]["membership"]["role"] == "MEMBER"
    assert requested["__typename"] == "ExchangeChangeSuccess", requested
    assert requested["exchange"]["state"] == "REQUESTED"
    assert [(n.person_id, n.organization_id) for n in welcome] == [(person.id, lab.id)]
    assert (await client.execute(ME))["me"]["membershipRequests"] == []


async def test_an_independent_person_creates_their_organization_without_siret_and_requests(
    client: GraphQLClient, session: AsyncSession, settings: Settings
) -> None:
    other = await make_organization(session, "Commune de Guéret", OrganizationKind.COLLECTIVITE)
    listing = await make_listing(session, other, kind=ListingKind.SKILL, details={})
    person = await make_person(session, "Lou Petit")
    await browser_for(client, session, settings, person)

    public = await client.execute(
        CREATE, {"input": {"name": "", "kind": "INDEPENDANT", "sector": "PUBLIC"}}
    )
    unnamed_place = await client.execute(CREATE, {"input": {"name": " ", "kind": "TIERS_LIEU"}})
    created = (await client.execute(CREATE, {"input": {"name": "", "kind": "INDEPENDANT"}}))[
        "organizationCreate"
    ]
    requested = await client.execute(
        EXCHANGE, {"input": {"listingId": gid("Listing", listing.id), "hours": 3}}
    )
    role = (
        await session.exec(select(Membership.role).where(Membership.person_id == person.id))
    ).one()

    assert public["organizationCreate"]["fields"] == [
        {"field": "sector", "code": "INDEPENDANT_IS_PRIVATE"}
    ]
    assert unnamed_place["organizationCreate"]["fields"] == [
        {"field": "name", "code": "ORGANIZATION_NAME_REQUIRED"}
    ]
    assert created["organization"] | {"id": None} == {
        "id": None,
        "name": "Lou Petit",
        "kind": "INDEPENDANT",
        "sector": "PRIVATE",
        "siret": None,
        "nameConfirmed": True,
    }
    assert role == Role.OWNER
    assert requested["exchangeRequest"]["__typename"] == "ExchangeChangeSuccess", requested
    # An activity's name is shown with the person's, once.
    studio = {"input": {"name": "Studio Lumen", "kind": "INDEPENDANT"}}
    named = {"input": {"name": "Ateliers de Lou Petit", "kind": "INDEPENDANT"}}
    studio_name = (await client.execute(CREATE, studio))["organizationCreate"]["organization"]
    named_name = (await client.execute(CREATE, named))["organizationCreate"]["organization"]
    assert studio_name["name"] == "Studio Lumen — Lou Petit"
    assert named_name["name"] == "Ateliers de Lou Petit"


async def test_an_independent_organization_waits_for_the_persons_own_name(
    client: GraphQLClient, session: AsyncSession, settings: Settings
) -> None:
    person = await make_person(session, "lou.petit", name_confirmed=False)
    await browser_for(client, session, settings, person)
    independent = {"input": {"name": "", "kind": "INDEPENDANT"}}

    before = (await client.execute(ME))["me"]
    refused = (await client.execute(CREATE, independent))["organizationCreate"]
    too_short = (await client.execute(PROFILE, {"name": " L "}))["profileUpdate"]
    named = (await client.execute(PROFILE, {"name": "  Lou   Petit "}))["profileUpdate"]
    created = (await client.execute(CREATE, independent))["organizationCreate"]

    assert before == {
        "displayName": "lou.petit",
        "needsDisplayName": True,
        "membershipRequests": [],
    }
    assert refused["fields"] == [{"field": "name", "code": "YOUR_NAME_FIRST"}]
    assert (
        await session.exec(select(Organization).where(Organization.name == "lou.petit"))
    ).all() == []
    assert too_short["fields"] == [{"field": "displayName", "code": "DISPLAY_NAME_REQUIRED"}]
    assert named["me"] == {"displayName": "Lou Petit", "needsDisplayName": False}
    assert created["organization"]["name"] == "Lou Petit"


@pytest.mark.parametrize(
    ("unit", "expected", "confirmed"),
    [
        ("", "Organisation d’alex.bernard", False),
        ("Atelier Bois Recyclé", "Atelier Bois Recyclé", True),
    ],
)
async def test_an_organization_from_a_siret_alone_is_never_named_by_its_siret(
    client: GraphQLClient,
    session: AsyncSession,
    settings: Settings,
    unit: str,
    expected: str,
    confirmed: bool,
) -> None:
    claims = {
        "sub": f"siret-only-{unit}",
        "email": "alex.bernard@example.org",
        "siret": "85271946700015",
    }
    if unit:
        claims["organizational_unit"] = unit
    signed = await sign_in(session, VerifiedIdentity.from_claims("https://op.example", claims))
    organization = signed.organization
    assert organization is not None
    assert organization.id is not None

    assert organization.name == expected
    assert "85271946700015" not in organization.name
    assert organization.name_confirmed is confirmed
    assert signed.person.name_confirmed is False  # no given nor usual name: asked once

    await browser_for(client, session, settings, signed.person)
    renamed = await client.execute(
        RENAME,
        {"input": {"organizationId": gid("Organization", organization.id), "name": "Atelier Bois"}},
    )
    blank = await client.execute(
        RENAME, {"input": {"organizationId": gid("Organization", organization.id), "name": "  "}}
    )
    assert renamed["organizationRename"]["organization"] == {
        "name": "Atelier Bois",
        "nameConfirmed": True,
    }
    assert blank["organizationRename"]["fields"] == [
        {"field": "name", "code": "ORGANIZATION_NAME_REQUIRED"}
    ]


async def test_a_person_named_by_the_provider_is_not_asked(session: AsyncSession) -> None:
    claims = {"sub": "camille", "given_name": "Camille", "usual_name": "Martin"}
    signed = await sign_in(session, VerifiedIdentity.from_claims("https://op.example", claims))
    assert signed.person.display_name == "Camille Martin"
    assert signed.person.name_confirmed is True
