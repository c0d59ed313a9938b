"""Material requests may leave the quantity out (issue 11); offers still say how much they give."""

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import Listing, Role
from tests.factories import make_organization, make_token
from tests.graphql import GraphQLClient

PUBLISH = """
mutation($input: ListingPublishInput!) {
  listingPublish(input: $input) {
    __typename
    ... on ListingSuccess { listing { id direction
      details { ... on MaterialDetails { quantity quantityOpen unit } } } }
    ... on InputError { fields { field message code } }
  }
}
"""
UPDATE = """
mutation($id: ID!, $input: ListingUpdateInput!) {
  listingUpdate(id: $id, input: $input) {
    __typename
    ... on ListingSuccess { listing { details { ... on MaterialDetails { quantity quantityOpen } } } }
    ... on InputError { fields { field message code } }
  }
}
"""


def _material(direction: str, details: dict[str, object]) -> dict[str, object]:
    return {
        "direction": direction,
        "kind": "MATERIAL",
        "title": "Briques de réemploi",
        "commune": "Guéret",
        "details": {"material": details},
    }


async def _token(session: AsyncSession) -> str:
    token = await make_token(session, await make_organization(session), Role.MEMBER)
    await session.commit()
    return token


async def test_a_material_request_without_a_quantity_is_published(
    client: GraphQLClient, session: AsyncSession
) -> None:
    token = await _token(session)

    data = await client.execute(PUBLISH, {"input": _material("REQUEST", {"unit": "unit"})}, token)

    result = data["listingPublish"]
    assert result["__typename"] == "ListingSuccess", result
    assert result["listing"]["details"] == {"quantity": 0.0, "quantityOpen": True, "unit": "unit"}
    stored = (await session.exec(select(Listing))).one()
    assert "quantity" not in stored.details


async def test_a_material_request_with_a_quantity_says_it(
    client: GraphQLClient, session: AsyncSession
) -> None:
    token = await _token(session)

    data = await client.execute(
        PUBLISH, {"input": _material("REQUEST", {"quantity": 500, "unit": "unit"})}, token
    )

    details = data["listingPublish"]["listing"]["details"]
    assert details == {"quantity": 500.0, "quantityOpen": False, "unit": "unit"}


async def test_a_material_offer_still_needs_its_quantity_and_nothing_is_written(
    client: GraphQLClient, session: AsyncSession
) -> None:
    token = await _token(session)

    left_out = await client.execute(PUBLISH, {"input": _material("OFFER", {})}, token)
    null = await client.execute(PUBLISH, {"input": _material("OFFER", {"quantity": None})}, token)

    for data in (left_out, null):
        result = data["listingPublish"]
        assert result["__typename"] == "InputError", result
        assert [(f["field"], f["code"]) for f in result["fields"]] == [
            ("details.quantity", "REQUIRED")
        ]
    assert (await session.exec(select(Listing))).all() == []


async def test_an_update_of_a_request_may_drop_the_quantity_but_not_of_an_offer(
    client: GraphQLClient, session: AsyncSession
) -> None:
    token = await _token(session)
    request = await client.execute(
        PUBLISH, {"input": _material("REQUEST", {"quantity": 40})}, token
    )
    offer = await client.execute(PUBLISH, {"input": _material("OFFER", {"quantity": 40})}, token)
    dropped = {"details": {"material": {"unit": "m2"}}}

    of_request = await client.execute(
        UPDATE, {"id": request["listingPublish"]["listing"]["id"], "input": dropped}, token
    )
    of_offer = await client.execute(
        UPDATE, {"id": offer["listingPublish"]["listing"]["id"], "input": dropped}, token
    )

    assert of_request["listingUpdate"]["listing"]["details"] == {
        "quantity": 0.0,
        "quantityOpen": True,
    }
    assert of_offer["listingUpdate"]["__typename"] == "InputError"
    assert of_offer["listingUpdate"]["fields"][0]["field"] == "details.quantity"
