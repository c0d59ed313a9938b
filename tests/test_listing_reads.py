"""The read path of listings (issue 14): rows read for display, fields read from them when
selected, and the department filter."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import ListingKind, Role
from core.models.base import utcnow
from tests.factories import make_listing, make_organization, make_space, make_token
from tests.graphql import GraphQLClient

EVERY_FIELD = """
  id ref direction kind category title description tags address
  location { lat lon communeInsee department region }
  availableFrom availableUntil terms priceEur status visibility origin source
  createdAt updatedAt remainingQuantity hidden { reason }
  details { __typename
    ... on EquipmentDetails { brand model machineClass trainingRequired quantity }
    ... on PremisesDetails { surfaceM2 capacity accessible accessibilityNotes erpCategory rooms }
    ... on SkillDetails { level format hours }
    ... on MaterialDetails { amount: quantity quantityOpen unit condition unitWeightKg pickup } }
  space { id name ref typologies address postcode website fabrique
    location { lat lon communeInsee department region } }
  organization { id name kind sector siret siren inseeCode website description verified
    verifiedBy nameConfirmed }
"""


async def test_every_field_reads_the_same_through_the_page_the_node_and_a_mutation(
    client: GraphQLClient, session: AsyncSession
) -> None:
    """The page and `node` read rows; a mutation's answer reads the model it changed: the
    same listing answers the same, field by field, whatever path read it."""
    organization = await make_organization(session, "Ressourcerie du Pays")
    token = await make_token(session, organization, Role.MEMBER)
    space = await make_space(session, organization)
    listing = await make_listing(
        session,
        organization,
        space_id=space.id,
        kind=ListingKind.MATERIAL,
        title="Portes isoplanes",
        description="30 portes, bon état",
        tags=["porte", "bois"],
        price_eur=Decimal("12.50"),
        details={"quantity": 30, "unit": "unit", "condition": "GOOD", "pickup": "Quai 2"},
        quantity_remaining=Decimal(18),
        latitude=45.76,
        longitude=4.83,
        commune_insee="69123",
        department_code="69",
        region_code="84",
    )
    await session.commit()
    node_query = "query($id: ID!) { node(id: $id) { ... on Listing { " + EVERY_FIELD + " } } }"
    update = (
        "mutation($id: ID!) { listingUpdate(id: $id, input: {}) "
        "{ ... on ListingSuccess { listing { " + EVERY_FIELD + " } } } }"
    )

    page = await client.execute("{ listings(first: 5) { edges { node { " + EVERY_FIELD + " } } } }")
    node = page["listings"]["edges"][0]["node"]
    by_id = (await client.execute(node_query, {"id": node["id"]}))["node"]
    by_listing = await client.execute(
        "query($id: ID!) { listing(id: $id) { " + EVERY_FIELD + " } }", {"id": node["id"]}
    )
    changed = (await client.execute(update, {"id": node["id"]}, token))["listingUpdate"]["listing"]

    assert listing.id is not None
    assert node["title"] == "Portes isoplanes"
    assert node["tags"] == ["porte", "bois"]
    assert node["remainingQuantity"] == 18
    assert node["priceEur"] == "12.50"
    assert node["details"]["amount"] == 30
    assert node["details"]["pickup"] == "Quai 2"
    assert node["location"]["department"] == "69"
    assert node["source"] is None
    assert node["space"]["name"]
    assert node["organization"]["name"] == "Ressourcerie du Pays"
    assert by_id == node
    assert by_listing["listing"] == node
    assert {k: v for k, v in changed.items() if k != "updatedAt"} == {
        k: v for k, v in node.items() if k != "updatedAt"
    }


async def test_a_hidden_listing_reads_why_for_its_own_members_only(
    client: GraphQLClient, session: AsyncSession
) -> None:
    organization = await make_organization(session)
    token = await make_token(session, organization, Role.MEMBER)
    await make_listing(session, organization, hidden_at=utcnow(), hidden_reason="Doublon")
    await session.commit()
    query = "{ listings(first: 5) { edges { node { title hidden { reason } } } } }"

    own = await client.execute(query, token=token)
    anonymous = await client.execute(query)

    assert [e["node"]["hidden"] for e in own["listings"]["edges"]] == [{"reason": "Doublon"}]
    assert anonymous["listings"]["edges"] == []


async def test_listings_filter_by_department_with_their_total(
    client: GraphQLClient, session: AsyncSession, statements
) -> None:
    organization = await make_organization(session)
    for department in ("69", "69", "2A", "971", "23"):
        await make_listing(session, organization, department_code=department)
    await session.commit()
    query = """query($d: String!) { listings(first: 50, filter: {department: $d}) {
        totalCount edges { node { id title } } } }"""

    counts = {}
    for department in ("69", "2A", "2a", "971", "75"):
        data = await client.execute(query, {"d": department})
        assert len(data["listings"]["edges"]) == data["listings"]["totalCount"]
        counts[department] = data["listings"]["totalCount"]
    before = statements.total
    await client.execute(query, {"d": "69"})

    assert counts == {"69": 2, "2A": 1, "2a": 1, "971": 1, "75": 0}
    assert statements.total - before <= 2


async def test_a_department_code_that_names_none_is_a_bad_argument_naming_the_field(
    client: GraphQLClient,
) -> None:
    query = "query($d: String!) { listings(filter: {department: $d}) { totalCount } }"

    for code in ("20", "00", "96", "977", "6", "690", "Rhône", " 69"):
        errors = await client.errors(query, {"d": code})
        assert errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "filter.department"}
