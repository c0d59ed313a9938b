from datetime import timedelta

from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core import time_zones
from core.models import AccessToken, Listing, Membership, OrganizationKind, Role
from core.models.base import utcnow
from schema.relay import to_global_id
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


async def _count_listings(session: AsyncSession) -> int:
    return (await session.exec(select(func.count()).select_from(Listing))).one()


async def _member_token(session: AsyncSession, role: Role = Role.MEMBER) -> str:
    organization = await make_organization(session)
    token = await make_token(session, organization, role)
    await session.commit()
    return token


async def test_each_kind_is_published_with_its_typed_details(
    client: GraphQLClient, session: AsyncSession
) -> None:
    token = await _member_token(session)
    cases = [
        ("PREMISES", {"premises": {"surfaceM2": 240, "accessible": True, "erpCategory": 5}}),
        ("SKILL", {"skill": {"level": "EXPERT", "format": "ON_SITE", "hours": 16}}),
        ("MATERIAL", {"material": {"quantity": 30, "unit": "unit", "condition": "GOOD"}}),
        ("EQUIPMENT", {"equipment": {"machineClass": "laser"}}),
    ]
    query = PUBLISH.replace(
        "... on EquipmentDetails { brand quantity trainingRequired }",
        "... on EquipmentDetails { machineClass } ... on PremisesDetails { surfaceM2 erpCategory }"
        " ... on SkillDetails { level hours } ... on MaterialDetails { quantity condition }",
    )

    kinds = []
    for kind, details in cases:
        data = await client.execute(
            query,
            {
                "input": {
                    "direction": "OFFER",
                    "kind": kind,
                    "title": f"Une offre {kind}",
                    "commune": "93048",
                    "details": details,
                }
            },
            token,
        )
        kinds.append(data["listingPublish"]["listing"]["details"])

    assert kinds == [
        {"__typename": "PremisesDetails", "surfaceM2": 240.0, "erpCategory": 5},
        {"__typename": "SkillDetails", "level": "EXPERT", "hours": 16.0},
        {"__typename": "MaterialDetails", "quantity": 30.0, "condition": "GOOD"},
        {"__typename": "EquipmentDetails", "machineClass": "laser"},
    ]


async def test_bad_input_names_each_field_and_writes_nothing(
    client: GraphQLClient, session: AsyncSession
) -> None:
    token = await _member_token(session)
    base = {"direction": "REQUEST", "kind": "PREMISES", "title": "Cherche locaux"}
    cases = {
        "title": {"title": "x" * 201},
        "availableUntil": {"availableFrom": "2027-03-01", "availableUntil": "2027-02-01"},
        "commune": {"commune": "Nulle-Part-sur-Mer"},
        "latitude": {"latitude": -91, "longitude": 2},
        "details": {"details": {"equipment": {"quantity": 1}}},
        "details.surfaceM2": {"details": {"premises": {"surfaceM2": -5}}},
        "lon": {"latitude": 45.0},
        "spaceId": {"spaceId": "U3BhY2U6OTk5OTk5"},
    }

    for field, change in cases.items():
        data = await client.execute(PUBLISH, {"input": base | change}, token)
        result = data["listingPublish"]
        assert result["__typename"] == "InputError", (field, result)
        assert [f["field"] for f in result["fields"]] == [field], (field, result)

    assert await _count_listings(session) == 0


async def test_every_wrong_field_is_named_at_once(
    client: GraphQLClient, session: AsyncSession
) -> None:
    """A form shows all its problems after one submission, not one per try."""
    token = await _member_token(session)
    wrong = {
        "direction": "OFFER",
        "kind": "PREMISES",
        "title": "ab",
        "availableFrom": "2027-03-01",
        "availableUntil": "2027-02-01",
    }
    result = (await client.execute(PUBLISH, {"input": wrong}, token))["listingPublish"]
    assert sorted(f["field"] for f in result["fields"]) == ["availableUntil", "title"]
    assert await _count_listings(session) == 0


async def test_a_ref_is_unique(client: GraphQLClient, session: AsyncSession) -> None:
    token = await _member_token(session)
    listing = {"direction": "OFFER", "kind": "SKILL", "title": "Animation", "ref": "anim-1"}

    first = await client.execute(PUBLISH, {"input": listing}, token)
    second = await client.execute(PUBLISH, {"input": listing}, token)

    assert first["listingPublish"]["__typename"] == "ListingSuccess"
    assert second["listingPublish"]["__typename"] == "ConflictError"
    assert await _count_listings(session) == 1


UPDATE = """
mutation($id: ID!, $input: ListingUpdateInput!) {
  listingUpdate(id: $id, input: $input) {
    __typename
    ... on ListingSuccess { listing { title status availableFrom availableUntil tags
      details { ... on MaterialDetails { quantity unit } } } }
    ... on InputError { fields { field message } }
    ... on ConflictError { message }
    ... on NotFoundError { message }
  }
}
"""
WITHDRAW = "mutation($id: ID!) { listingWithdraw(id: $id) { __typename ... on ListingSuccess { listing { status } } } }"


async def _publish(client: GraphQLClient, token: str, **fields: object) -> str:
    listing = {
        "direction": "OFFER",
        "kind": "MATERIAL",
        "title": "30 portes isoplanes",
        "details": {"material": {"quantity": 30}},
    } | fields
    data = await client.execute(PUBLISH, {"input": listing}, token)
    return data["listingPublish"]["listing"]["id"]


async def test_the_owner_updates_only_the_fields_given(
    client: GraphQLClient, session: AsyncSession
) -> None:
    token = await _member_token(session)
    listing_id = await _publish(client, token, tags=["Bois", "bois", " porte "])

    data = await client.execute(
        UPDATE,
        {
            "id": listing_id,
            "input": {
                "availableFrom": "2027-01-01",
                "details": {"material": {"quantity": 12, "unit": "unit"}},
            },
        },
        token,
    )

    listing = data["listingUpdate"]["listing"]
    assert listing["title"] == "30 portes isoplanes"
    assert listing["tags"] == ["bois", "porte"]
    assert listing["availableFrom"] == "2027-01-01"
    assert listing["details"] == {"quantity": 12.0, "unit": "unit"}


async def test_an_update_that_breaks_the_date_order_changes_nothing(
    client: GraphQLClient, session: AsyncSession
) -> None:
    token = await _member_token(session)
    listing_id = await _publish(client, token, availableFrom="2027-01-01")

    data = await client.execute(
        UPDATE,
        {"id": listing_id, "input": {"title": "Nouveau", "availableUntil": "2026-12-01"}},
        token,
    )
    after = await client.execute(UPDATE, {"id": listing_id, "input": {}}, token)

    assert data["listingUpdate"]["fields"] == [
        {"field": "availableUntil", "message": "is before available_from"}
    ]
    assert after["listingUpdate"]["listing"]["title"] == "30 portes isoplanes"


async def test_withdrawn_listings_leave_browsing_for_others_and_cannot_be_paused(
    client: GraphQLClient, session: AsyncSession
) -> None:
    token = await _member_token(session)
    listing_id = await _publish(client, token)

    withdrawn = await client.execute(WITHDRAW, {"id": listing_id}, token)
    paused = await client.execute(UPDATE, {"id": listing_id, "input": {"status": "PAUSED"}}, token)
    anonymous = await client.execute("{ listings { totalCount } }")
    own = await client.execute("{ listings { totalCount } }", token=token)

    assert withdrawn["listingWithdraw"]["listing"]["status"] == "WITHDRAWN"
    assert paused["listingUpdate"]["__typename"] == "ConflictError"
    assert anonymous["listings"]["totalCount"] == 0
    assert own["listings"]["totalCount"] == 1


async def test_another_organization_may_neither_change_nor_withdraw_a_listing(
    client: GraphQLClient, session: AsyncSession
) -> None:
    owner = await _member_token(session)
    intruder = await _member_token(session, Role.OWNER)
    listing_id = await _publish(client, owner)

    errors = await client.errors(WITHDRAW, {"id": listing_id}, intruder)

    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    status = await client.execute(
        "query($id: ID!) { node(id: $id) { ... on Listing { status } } }", {"id": listing_id}
    )
    assert status["node"]["status"] == "PUBLISHED"


async def test_visibility_matrix_for_browse_node_and_ref(
    client: GraphQLClient, session: AsyncSession
) -> None:
    network = await make_organization(session, kind=OrganizationKind.RESEAU)
    owner = await make_organization(session, parent_id=network.id)
    peer = await make_organization(session, parent_id=network.id)
    outsider = await make_organization(session)
    tokens = {
        "owner": await make_token(session, owner),
        "peer": await make_token(session, peer),
        "network": await make_token(session, network),
        "outsider": await make_token(session, outsider),
        "anonymous": None,
    }
    for visibility in ("PUBLIC", "NETWORK", "PRIVATE"):
        await make_listing(session, owner, visibility=visibility, ref=f"v-{visibility}")
    await make_listing(session, owner, status="DRAFT", ref="v-DRAFT")
    await session.commit()
    expected = {
        "owner": {"v-PUBLIC", "v-NETWORK", "v-PRIVATE", "v-DRAFT"},
        "peer": {"v-PUBLIC", "v-NETWORK"},
        "network": {"v-PUBLIC", "v-NETWORK"},
        "outsider": {"v-PUBLIC"},
        "anonymous": {"v-PUBLIC"},
    }
    all_ids = {
        row.ref: to_global_id("Listing", row.id)
        for row in (await session.exec(select(Listing))).all()
    }

    for viewer, token in tokens.items():
        browsed = await client.execute(
            "{ listings(first: 50) { edges { node { ref } } } }", token=token
        )
        refs = {edge["node"]["ref"] for edge in browsed["listings"]["edges"]}
        by_node = set()
        by_ref = set()
        for ref, global_id in all_ids.items():
            node = await client.execute(
                "query($id: ID!) { node(id: $id) { ... on Listing { ref } } }",
                {"id": global_id},
                token,
            )
            if node["node"]:
                by_node.add(ref)
            found = await client.execute(
                "query($ref: String!) { listing(ref: $ref) { ref } }", {"ref": ref}, token
            )
            if found["listing"]:
                by_ref.add(ref)
        assert refs == by_node == by_ref == expected[viewer], viewer


async def test_a_revoked_token_no_longer_signs_in(
    client: GraphQLClient, session: AsyncSession
) -> None:
    organization = await make_organization(session)
    token = await make_token(session, organization)
    await session.commit()
    assert (await client.post("{ __typename }", token=token)).status_code == 200

    row = (await session.exec(select(AccessToken))).one()
    row.revoked_at = utcnow()
    await session.commit()

    assert (await client.post("{ __typename }", token=token)).status_code == 401


async def test_a_token_acts_with_the_current_role_of_its_membership(
    client: GraphQLClient, session: AsyncSession
) -> None:
    organization = await make_organization(session)
    token = await make_token(session, organization, Role.ADMIN)
    await session.commit()
    membership = (await session.exec(select(Membership))).one()
    membership.role = Role.MEMBER
    await session.commit()
    organization_id = to_global_id("Organization", organization.id)

    errors = await client.errors(
        "mutation($input: SpaceCreateInput!) { spaceCreate(input: $input) { __typename } }",
        {"input": {"organizationId": organization_id, "name": "Atelier"}},
        token,
    )

    assert errors[0]["extensions"]["code"] == "FORBIDDEN"


async def test_listings_filter_by_kind_direction_and_space(
    client: GraphQLClient, session: AsyncSession
) -> None:
    organization = await make_organization(session)
    space = await make_space(session, organization)
    await make_listing(session, organization, kind="EQUIPMENT", space_id=space.id)
    await make_listing(session, organization, kind="EQUIPMENT", direction="REQUEST")
    await make_listing(session, organization, kind="SKILL", details={})
    await session.commit()
    space_id = to_global_id("Space", space.id)

    data = await client.execute(
        "query($space: ID!) { a: listings(filter: { kind: EQUIPMENT, direction: OFFER }) { totalCount }"
        " b: listings(filter: { spaceId: $space }) { totalCount }"
        " c: listings(filter: { kind: SKILL }) { totalCount } }",
        {"space": space_id},
    )

    assert [data[k]["totalCount"] for k in "abc"] == [1, 1, 1]


async def test_a_category_must_be_a_taxonomy_code_of_the_listing_kind(
    client: GraphQLClient, session: AsyncSession
) -> None:
    token = await _member_token(session)
    base = {"direction": "OFFER", "kind": "EQUIPMENT", "title": "Découpeuse"}

    unknown = await client.execute(PUBLISH, {"input": base | {"category": "spaceship"}}, token)
    wrong_kind = await client.execute(PUBLISH, {"input": base | {"category": "school"}}, token)
    fine = await client.execute(PUBLISH, {"input": base | {"category": "laser"}}, token)
    labels = await client.execute("{ categories(kind: EQUIPMENT) { code labelFr labelEn } }")

    assert unknown["listingPublish"]["fields"][0]["field"] == "category"
    assert "PREMISES" in wrong_kind["listingPublish"]["fields"][0]["message"]
    assert fine["listingPublish"]["__typename"] == "ListingSuccess"
    assert {"code": "laser", "labelFr": "Découpeuse laser", "labelEn": "Laser cutter"} in labels[
        "categories"
    ]


async def test_places_and_organizations_asked_through_fragments_are_prefetched_too(
    client: GraphQLClient, session: AsyncSession, statements
) -> None:
    organization = await make_organization(session, "Ressourcerie")
    for _ in range(30):
        space = await make_space(session, organization)
        await make_listing(session, organization, space_id=space.id)
    await session.commit()
    query = """
      fragment Where on Listing { space { name } }
      { listings(first: 30) { edges { node { ...Where ... on Listing { organization { name } } } } } }
    """

    before = statements.total
    data = await client.execute(query)

    nodes = [edge["node"] for edge in data["listings"]["edges"]]
    assert all(
        node["space"]["name"] and node["organization"]["name"] == "Ressourcerie" for node in nodes
    )
    assert statements.total - before == 3


async def test_an_availability_entirely_in_the_past_is_refused_on_publish_and_edit(
    client: GraphQLClient, session: AsyncSession
) -> None:
    """It would go live "not available": the form says why instead (today, Paris, still fits)."""
    token = await _member_token(session)
    yesterday = (time_zones.today() - timedelta(days=1)).isoformat()
    today = time_zones.today().isoformat()
    past = {
        "direction": "OFFER",
        "kind": "SKILL",
        "title": "Animation",
        "availableUntil": yesterday,
    }

    published = (await client.execute(PUBLISH, {"input": past}, token))["listingPublish"]
    listing_id = await _publish(client, token, availableUntil=today)
    edited = await client.execute(
        UPDATE, {"id": listing_id, "input": {"availableUntil": yesterday}}, token
    )

    assert published["__typename"] == "InputError"
    expected = {
        "field": "availableUntil",
        "message": f"{yesterday} is in the past: the availability must end today or later",
    }
    assert published["fields"] == [expected]
    assert edited["listingUpdate"]["fields"] == [expected]
    assert await _count_listings(session) == 1
    after = await client.execute(UPDATE, {"id": listing_id, "input": {}}, token)
    assert after["listingUpdate"]["listing"]["availableUntil"] == today
