"""Cartofriches sites are census records shown for what they are (issue 11): requesting one says
the commune has not published it, and a member of the commune publishes it in one step."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import ListingKind, ListingOrigin, OrganizationKind, Role
from schema.relay import to_global_id
from tests.factories import make_listing, make_organization, make_token
from tests.graphql import GraphQLClient

LISTING = """
query($id: ID!) { listing(id: $id) { origin source status createdAt organization { name } } }
"""
REQUEST = """
mutation($input: ExchangeRequestInput!) { exchangeRequest(input: $input) {
  __typename ... on InputError { code fields { field code message } } } }
"""
PUBLISH_RECORD = """
mutation($id: ID!) { listingPublishRecord(id: $id) {
  __typename ... on ListingSuccess { listing { origin status } }
  ... on ConflictError { code } ... on NotFoundError { code } } }
"""
SOURCE = "Cerema – Cartofriches (DDT de l'Ain), mise à jour du 07/02/2024, site 01004_27423"


async def _site(session: AsyncSession):  # type: ignore[no-untyped-def]
    commune = await make_organization(
        session, "Commune d'Ambérieu-en-Bugey", kind=OrganizationKind.COLLECTIVITE
    )
    site = await make_listing(
        session,
        commune,
        kind=ListingKind.PREMISES,
        title="Ancien abattoir — Ambérieu-en-Bugey",
        origin=ListingOrigin.CARTOFRICHES,
        source=SOURCE,
    )
    assert site.id is not None
    return commune, to_global_id("Listing", site.id)


def _request(listing_id: str) -> dict[str, object]:
    return {
        "listingId": listing_id,
        "startsAt": "2027-03-01T09:00:00+01:00",
        "endsAt": "2027-03-31T18:00:00+02:00",
        "message": "Nous aimerions y installer un atelier partagé.",
    }


async def test_a_cartofriches_site_says_what_it_is_and_cannot_be_requested_yet(
    client: GraphQLClient, session: AsyncSession
) -> None:
    _, site = await _site(session)
    project = await make_token(session, await make_organization(session), Role.MEMBER)
    await session.commit()

    shown = (await client.execute(LISTING, {"id": site}))["listing"]
    refused = (await client.execute(REQUEST, {"input": _request(site)}, project))["exchangeRequest"]

    assert shown["origin"] == "CARTOFRICHES"
    assert shown["source"] == SOURCE
    assert refused["__typename"] == "InputError"
    assert [(f["field"], f["code"]) for f in refused["fields"]] == [
        ("listingId", "NOT_PUBLISHED_BY_OWNER")
    ]
    assert "has not published it yet" in refused["fields"][0]["message"]


async def test_a_member_of_the_commune_publishes_the_site_in_one_step_then_it_can_be_requested(
    client: GraphQLClient, session: AsyncSession
) -> None:
    commune, site = await _site(session)
    agent = await make_token(session, commune, Role.MEMBER)
    project = await make_token(session, await make_organization(session), Role.MEMBER)
    await session.commit()

    by_a_stranger = await client.errors(PUBLISH_RECORD, {"id": site}, project)
    published = (await client.execute(PUBLISH_RECORD, {"id": site}, agent))["listingPublishRecord"]
    again = (await client.execute(PUBLISH_RECORD, {"id": site}, agent))["listingPublishRecord"]
    requested = await client.execute(REQUEST, {"input": _request(site)}, project)

    assert by_a_stranger[0]["extensions"]["code"] == "FORBIDDEN"
    assert published == {
        "__typename": "ListingSuccess",
        "listing": {"origin": "OWNER", "status": "PUBLISHED"},
    }
    assert again == {"__typename": "ConflictError", "code": "ALREADY_PUBLISHED_BY_OWNER"}
    assert requested["exchangeRequest"]["__typename"] == "ExchangeChangeSuccess"
    shown = (await client.execute(LISTING, {"id": site}))["listing"]
    assert shown["origin"] == "OWNER"
