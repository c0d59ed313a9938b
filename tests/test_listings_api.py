from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Role
from tests.factories import make_listing, make_organization, make_space, make_token
from tests.graphql import GraphQLClient

PUBLISH = """
mutation($input: ListingPublishInput!) {
  listingPublish(input: $input) {
    __typename
    ... on ListingSuccess { listing { id ref title kind direction status
      location { lat lon communeInsee communeName department region }
      details { __typename ... on EquipmentDetails { brand quantity trainingRequired } }
      organization { name } } }
    ... on InputError { message fields { field message } }
    ... on ConflictError { message }
  }
}
"""


async def test_a_member_publishes_an_equipment_offer_located_by_commune(
    client: GraphQLClient, session: AsyncSession
) -> None:
    lab = await make_organization(session, "FabLab de Guéret")
    token = await make_token(session, lab, Role.MEMBER)
    await session.commit()

    data = await client.execute(
        PUBLISH,
        {
            "input": {
                "direction": "OFFER",
                "kind": "EQUIPMENT",
                "title": "Découpeuse laser Epilog Legend 36EXT",
                "ref": "fablab-gueret:laser",
                "commune": "23000",
                "details": {
                    "equipment": {"brand": "Epilog", "quantity": 1, "trainingRequired": True}
                },
            }
        },
        token,
    )

    result = data["listingPublish"]
    assert result["__typename"] == "ListingSuccess", result
    listing = result["listing"]
    assert listing["status"] == "PUBLISHED"
    assert listing["location"]["communeInsee"] == "23096"
    assert listing["location"]["communeName"] == "Guéret"
    assert listing["location"]["department"] == "23"
    assert listing["details"] == {
        "__typename": "EquipmentDetails",
        "brand": "Epilog",
        "quantity": 1,
        "trainingRequired": True,
    }
    assert listing["organization"]["name"] == "FabLab de Guéret"


async def test_listings_page_costs_a_constant_number_of_statements(
    client: GraphQLClient, session: AsyncSession, statements
) -> None:
    organizations = [await make_organization(session) for _ in range(5)]
    for index in range(60):
        space = await make_space(session, organizations[index % 5])
        await make_listing(session, organizations[index % 5], space_id=space.id)
    await session.commit()
    query = """query($n: Int!) { listings(first: $n) {
        totalCount edges { node { title space { name } organization { name } } } } }"""

    counts = []
    for size in (5, 50):
        before = statements.total
        data = await client.execute(query, {"n": size})
        counts.append(statements.total - before)
        assert len(data["listings"]["edges"]) == size

    assert counts[0] == counts[1]
    assert counts[1] <= 4
