from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import Membership, Organization, OrganizationKind, Role
from tests.factories import make_organization, make_token
from tests.graphql import GraphQLClient

CREATE = """
mutation($input: OrganizationCreateInput!) {
  organizationCreate(input: $input) {
    __typename
    ... on OrganizationCreateSuccess { organization { id name kind sector siret siren parent { name } } }
    ... on InputError { message fields { field message } }
    ... on ConflictError { message }
  }
}
"""
VALID_SIRET = "21930048000007"  # SIREN of the commune of Montreuil, a Luhn-valid NIC


async def _count(session: AsyncSession) -> int:
    return (await session.exec(select(func.count()).select_from(Organization))).one()


async def test_a_signed_in_person_creates_a_commune_and_becomes_its_owner(
    client: GraphQLClient, session: AsyncSession
) -> None:
    network = await make_organization(session, "Réseau des tiers-lieux", OrganizationKind.RESEAU)
    token = await make_token(session, network, Role.MEMBER)
    await session.commit()

    data = await client.execute(
        CREATE,
        {
            "input": {
                "name": "Commune de Montreuil",
                "kind": "COLLECTIVITE",
                "siret": "219 300 480 00007",
                "inseeCode": "93048",
                "networkId": (await client.execute("{ organizations { edges { node { id } } } }"))[
                    "organizations"
                ]["edges"][0]["node"]["id"],
            }
        },
        token,
    )

    created = data["organizationCreate"]["organization"]
    assert created["sector"] == "PUBLIC"
    assert created["siret"] == VALID_SIRET
    assert created["siren"] == "219300480"
    assert created["parent"] == {"name": "Réseau des tiers-lieux"}
    owners = await session.exec(select(Membership).where(Membership.role == Role.OWNER))
    assert len(owners.all()) == 1


async def test_an_invalid_siret_is_an_input_error_on_the_field_and_writes_nothing(
    client: GraphQLClient, session: AsyncSession
) -> None:
    organization = await make_organization(session)
    token = await make_token(session, organization)
    await session.commit()
    before = await _count(session)

    data = await client.execute(
        CREATE,
        {"input": {"name": "Fablab", "kind": "TIERS_LIEU", "siret": "21930048000008"}},
        token,
    )

    result = data["organizationCreate"]
    assert result["__typename"] == "InputError"
    assert result["fields"] == [
        {"field": "siret", "message": "the SIRET's check digit is wrong (Luhn)"}
    ]
    assert await _count(session) == before


async def test_a_siret_already_registered_is_a_conflict(
    client: GraphQLClient, session: AsyncSession
) -> None:
    organization = await make_organization(session, siret=VALID_SIRET)
    token = await make_token(session, organization)
    await session.commit()

    data = await client.execute(
        CREATE, {"input": {"name": "Doublon", "kind": "COLLECTIVITE", "siret": VALID_SIRET}}, token
    )

    assert data["organizationCreate"]["__typename"] == "ConflictError"


async def test_a_collectivite_cannot_be_declared_private(
    client: GraphQLClient, session: AsyncSession
) -> None:
    organization = await make_organization(session)
    token = await make_token(session, organization)
    await session.commit()

    data = await client.execute(
        CREATE, {"input": {"name": "Mairie", "kind": "COLLECTIVITE", "sector": "PRIVATE"}}, token
    )

    assert data["organizationCreate"]["fields"][0]["field"] == "sector"


async def test_organizations_filter_by_kind_and_name_with_a_total_count(
    client: GraphQLClient, session: AsyncSession
) -> None:
    await make_organization(session, "Commune de Guéret", OrganizationKind.COLLECTIVITE)
    await make_organization(session, "Commune de Felletin", OrganizationKind.COLLECTIVITE)
    await make_organization(session, "Ressourcerie du Pays de Guéret", OrganizationKind.ASSOCIATION)
    await session.commit()

    data = await client.execute(
        '{ organizations(filter: { kind: COLLECTIVITE, nameContains: "guéret" }) '
        "{ totalCount edges { node { name } } } }"
    )

    assert data["organizations"]["totalCount"] == 1
    assert data["organizations"]["edges"][0]["node"]["name"] == "Commune de Guéret"
