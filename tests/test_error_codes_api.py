"""Real errors come back with their code: in the result union, in each field, at the top level."""

from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import ListingKind, Role
from schema.relay import to_global_id
from tests.factories import make_listing, make_member, make_organization
from tests.graphql import GraphQLClient

ERRORS = """
  __typename
  ... on Error { code message }
  ... on InputError { fields { field code value message } }
"""
PUBLISH = f"""
mutation($input: ListingPublishInput!) {{ listingPublish(input: $input) {{ {ERRORS} }} }}
"""
REQUEST = f"""
mutation($input: ExchangeRequestInput!) {{ exchangeRequest(input: $input) {{
  ... on ExchangeChangeSuccess {{ exchange {{ id }} }}
  {ERRORS}
}} }}
"""
ACCEPT = """
mutation($id: ID!) { exchangeAccept(id: $id) {
  __typename
  ... on ExchangeChangeSuccess { exchange { state } }
  ... on Error { code message }
} }
"""
INVITE = """
mutation($input: OrganizationInviteInput!) { organizationInvite(input: $input) { __typename } }
"""


async def test_a_listing_with_its_dates_out_of_order_names_the_code_of_each_field(
    client: GraphQLClient, session: AsyncSession
) -> None:
    lab = await make_organization(session)
    member = await make_member(session, lab)
    await session.commit()
    given = {
        "direction": "OFFER",
        "kind": "EQUIPMENT",
        "title": "Li",
        "availableFrom": "2027-03-10",
        "availableUntil": "2027-03-01",
    }

    result = (await client.execute(PUBLISH, {"input": given}, member.token))["listingPublish"]

    assert result["__typename"] == "InputError"
    assert result["code"] == "INVALID_INPUT"
    assert {f["field"]: (f["code"], f["value"], f["message"]) for f in result["fields"]} == {
        "title": ("TOO_SHORT", "3", "String should have at least 3 characters"),
        "availableUntil": ("DATES_OUT_OF_ORDER", None, "is before available_from"),
    }


async def test_an_exchange_accepted_twice_is_a_conflict_with_its_code(
    client: GraphQLClient, session: AsyncSession
) -> None:
    lab, commune = await make_organization(session), await make_organization(session)
    admin, agent = await make_member(session, lab, Role.ADMIN), await make_member(session, commune)
    listing = await make_listing(session, lab)
    await session.commit()
    assert listing.id is not None
    period = {"startsAt": "2027-04-01T09:00:00+00:00", "endsAt": "2027-04-03T09:00:00+00:00"}
    asked = await client.execute(
        REQUEST,
        {"input": {"listingId": to_global_id("Listing", listing.id), **period}},
        agent.token,
    )
    exchange_id = asked["exchangeRequest"]["exchange"]["id"]

    first = await client.execute(ACCEPT, {"id": exchange_id}, admin.token)
    second = await client.execute(ACCEPT, {"id": exchange_id}, admin.token)

    assert first["exchangeAccept"] == {
        "__typename": "ExchangeChangeSuccess",
        "exchange": {"state": "ACCEPTED"},
    }
    assert second["exchangeAccept"] == {
        "__typename": "ConflictError",
        "code": "WRONG_STATE",
        "message": "This exchange is ACCEPTED: only a REQUESTED exchange can be accepted.",
    }


async def test_a_material_asked_beyond_what_is_left_says_how_much_is_left(
    client: GraphQLClient, session: AsyncSession
) -> None:
    ressourcerie, lab = await make_organization(session), await make_organization(session)
    member = await make_member(session, lab)
    doors = await make_listing(
        session, ressourcerie, kind=ListingKind.MATERIAL, details={"quantity": 30, "unit": "unit"}
    )
    await session.commit()
    assert doors.id is not None

    given = {"listingId": to_global_id("Listing", doors.id), "quantity": 31}
    result = (await client.execute(REQUEST, {"input": given}, member.token))["exchangeRequest"]

    assert result["fields"] == [
        {"field": "quantity", "code": "NOT_ENOUGH_LEFT", "value": "30", "message": "only 30 left"}
    ]


async def test_top_level_errors_keep_their_code_and_give_the_reason(
    client: GraphQLClient, session: AsyncSession
) -> None:
    lab = await make_organization(session)
    member = await make_member(session, lab, Role.MEMBER)
    await session.commit()
    given = {"organizationId": to_global_id("Organization", lab.id or 0), "email": "a@b.fr"}

    [anonymous] = await client.errors(INVITE, {"input": given})
    [member_only] = await client.errors(INVITE, {"input": given}, member.token)

    assert anonymous["extensions"] == {"code": "UNAUTHENTICATED", "reason": "SIGN_IN_REQUIRED"}
    assert member_only["extensions"] == {"code": "FORBIDDEN", "reason": "ADMIN_ROLE_REQUIRED"}
    assert member_only["message"] == "This needs the ADMIN or OWNER role in the organization."


PUBLISH_THROUGH_A_FRAGMENT = """
mutation($input: ListingPublishInput!) { listingPublish(input: $input) { __typename ...Problem } }
fragment Problem on Error {
  __typename code message value
  ... on InputError { fields { field code value message } }
}
"""


async def test_a_client_asking_through_a_fragment_on_error_gets_the_codes_and_values(
    client: GraphQLClient, session: AsyncSession
) -> None:
    """The web app's way: one fragment on the `Error` interface, spread in every result union."""
    lab = await make_organization(session)
    member = await make_member(session, lab)
    await session.commit()
    given = {"direction": "OFFER", "kind": "EQUIPMENT", "title": "Li"}

    answer = await client.execute(PUBLISH_THROUGH_A_FRAGMENT, {"input": given}, member.token)

    result = answer["listingPublish"]
    assert (result["__typename"], result["code"]) == ("InputError", "INVALID_INPUT")
    assert [(f["field"], f["code"], f["value"]) for f in result["fields"]] == [
        ("title", "TOO_SHORT", "3")
    ]
