from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import Role, Space
from core.services.communes import fold
from tests.factories import make_organization, make_space, make_token
from tests.graphql import GraphQLClient

CREATE = """
mutation($input: SpaceCreateInput!) {
  spaceCreate(input: $input) {
    __typename
    ... on SpaceSuccess { space { id name typologies organization { name }
      location { lat lon communeInsee communeName department departmentName region regionName } } }
    ... on InputError { fields { field message } }
  }
}
"""
UPDATE = """
mutation($id: ID!, $input: SpaceUpdateInput!) {
  spaceUpdate(id: $id, input: $input) {
    __typename
    ... on SpaceSuccess { space { name location { communeInsee lat } } }
    ... on InputError { fields { field message } }
    ... on NotFoundError { message }
  }
}
"""


async def _ids(client: GraphQLClient) -> list[str]:
    data = await client.execute("{ organizations { edges { node { id } } } }")
    return [edge["node"]["id"] for edge in data["organizations"]["edges"]]


async def test_an_admin_adds_a_place_located_by_commune_name(
    client: GraphQLClient, session: AsyncSession
) -> None:
    lab = await make_organization(session, "Quincaillerie numérique")
    token = await make_token(session, lab, Role.ADMIN)
    await session.commit()
    [lab_id] = await _ids(client)

    data = await client.execute(
        CREATE,
        {
            "input": {
                "organizationId": lab_id,
                "name": "La Quincaillerie",
                "typologies": ["FABLAB", "COWORKING", "FABLAB"],
                "commune": "Guéret",
            }
        },
        token,
    )

    space = data["spaceCreate"]["space"]
    assert space["typologies"] == ["FABLAB", "COWORKING"]
    assert space["organization"] == {"name": "Quincaillerie numérique"}
    assert space["location"]["communeInsee"] == "23096"
    assert space["location"]["departmentName"] == "Creuse"
    assert space["location"]["regionName"] == "Nouvelle-Aquitaine"
    assert space["location"]["lat"] is not None


async def test_a_member_without_the_admin_role_may_not_add_a_place(
    client: GraphQLClient, session: AsyncSession
) -> None:
    lab = await make_organization(session)
    token = await make_token(session, lab, Role.MEMBER)
    await session.commit()
    [lab_id] = await _ids(client)

    errors = await client.errors(
        CREATE, {"input": {"organizationId": lab_id, "name": "Atelier"}}, token
    )

    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    assert (await session.exec(select(func.count()).select_from(Space))).one() == 0


async def test_an_unknown_commune_and_bad_coordinates_name_their_fields(
    client: GraphQLClient, session: AsyncSession
) -> None:
    lab = await make_organization(session)
    token = await make_token(session, lab, Role.ADMIN)
    await session.commit()
    [lab_id] = await _ids(client)

    unknown = await client.execute(
        CREATE,
        {"input": {"organizationId": lab_id, "name": "Atelier", "commune": "Atlantide"}},
        token,
    )
    out_of_range = await client.execute(
        CREATE,
        {"input": {"organizationId": lab_id, "name": "Atelier", "latitude": 91, "longitude": 2}},
        token,
    )

    assert unknown["spaceCreate"]["fields"][0]["field"] == "commune"
    assert "Atlantide" in unknown["spaceCreate"]["fields"][0]["message"]
    assert out_of_range["spaceCreate"]["fields"][0]["field"] == "latitude"
    assert (await session.exec(select(func.count()).select_from(Space))).one() == 0


async def test_an_admin_moves_a_place_and_only_given_fields_change(
    client: GraphQLClient, session: AsyncSession
) -> None:
    lab = await make_organization(session)
    space = await make_space(session, lab, name="Atelier partagé")
    token = await make_token(session, lab, Role.OWNER)
    await session.commit()
    space_id = (await client.execute("{ spaces { edges { node { id } } } }"))["spaces"]["edges"][0][
        "node"
    ]["id"]

    data = await client.execute(UPDATE, {"id": space_id, "input": {"commune": "75056"}}, token)

    assert data["spaceUpdate"]["space"]["name"] == "Atelier partagé"
    assert data["spaceUpdate"]["space"]["location"]["communeInsee"] == "75056"
    assert space.id is not None


async def test_another_organization_may_not_change_a_place(
    client: GraphQLClient, session: AsyncSession
) -> None:
    owner = await make_organization(session)
    await make_space(session, owner, name="Atelier partagé")
    intruder = await make_organization(session)
    token = await make_token(session, intruder, Role.OWNER)
    await session.commit()
    space_id = (await client.execute("{ spaces { edges { node { id } } } }"))["spaces"]["edges"][0][
        "node"
    ]["id"]

    errors = await client.errors(UPDATE, {"id": space_id, "input": {"name": "Pris"}}, token)

    assert errors[0]["extensions"]["code"] == "FORBIDDEN"


async def test_places_filter_by_department_typology_and_name(
    client: GraphQLClient, session: AsyncSession
) -> None:
    await make_space(session, name="Fablab de Guéret", typologies=["FABLAB"])
    await make_space(session, name="Coworking de Guéret", typologies=["COWORKING"])
    await make_space(
        session,
        name="Fablab de Tulle",
        typologies=["FABLAB"],
        department_code="19",
        commune_insee="19272",
    )
    await session.commit()

    data = await client.execute(
        '{ spaces(filter: { department: "23", typology: FABLAB, nameContains: "fab" }) '
        "{ totalCount edges { node { name } } } }"
    )

    assert data["spaces"]["totalCount"] == 1
    assert data["spaces"]["edges"][0]["node"]["name"] == "Fablab de Guéret"


async def test_cursor_pagination_walks_every_place_once(
    client: GraphQLClient, session: AsyncSession
) -> None:
    for index in range(7):
        await make_space(session, name=f"Lieu {index}")
    await session.commit()
    query = "query($after: String) { spaces(first: 3, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { name } } } }"

    names, after, pages = [], None, 0
    while True:
        page = (await client.execute(query, {"after": after}))["spaces"]
        names += [edge["node"]["name"] for edge in page["edges"]]
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert names == [f"Lieu {index}" for index in range(7)]
    assert pages == 3
    assert page["totalCount"] == 7


def test_commune_names_fold_accents_hyphens_and_saint() -> None:
    assert fold("Saint-Étienne") == fold("st etienne") == "saint etienne"
