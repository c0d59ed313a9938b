"""Inputs at the edges of their types answer with a clear error, never "Internal error." or a 500."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from schema.relay import to_global_id
from tests.factories import make_listing, make_organization
from tests.graphql import GraphQLClient

CALENDAR_BESIDE_LOADERS = """query($l: ID!, $o: ID!, $from: Date!, $to: Date!) {
  node(id: $l) { ... on Listing { calendar(from: $from, to: $to) { reason } organization { name } } }
  organization(id: $o) { name }
}"""


async def _listing_ids(session: AsyncSession) -> dict[str, Any]:
    organization = await make_organization(session, "Lab")
    listing = await make_listing(session, organization)
    await session.commit()
    return {
        "l": to_global_id("Listing", listing.id or 0),
        "o": to_global_id("Organization", organization.id or 0),
    }


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2200-01-01"])
async def test_a_date_at_the_limits_of_python_is_refused_by_name(
    client: GraphQLClient, session: AsyncSession, day: str
) -> None:
    variables = {**await _listing_ids(session), "from": day, "to": day}
    response = await client.post(CALENDAR_BESIDE_LOADERS, variables)
    assert response.status_code == 200, response.text
    messages = [error["message"] for error in response.json()["errors"]]
    assert [m.split("'")[1] for m in messages] == ["$from", "$to"], messages
    assert all("between 2000-01-01 and 2199-12-31" in m for m in messages), messages


async def test_a_failing_field_leaves_no_loader_running_after_the_response(
    client: GraphQLClient, session: AsyncSession
) -> None:
    """The calendar refuses a window of four years (a non-null field fails) while its sibling
    `organization` waits on a loader: the request answers, and the next ones too."""
    variables = {**await _listing_ids(session), "from": "2026-01-01", "to": "2030-01-01"}
    for _ in range(3):
        response = await client.post(CALENDAR_BESIDE_LOADERS, variables)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["data"]["organization"] == {"name": "Lab"}
        assert body["data"]["node"] is None
        assert [e["extensions"].get("code") for e in body["errors"]] == ["BAD_USER_INPUT"]
    after = await client.execute("{ organizations(first: 1) { totalCount } }")
    assert after["organizations"]["totalCount"] >= 1, after  # the session still reads


async def test_a_date_literal_out_of_bounds_is_refused_by_name(
    client: GraphQLClient, session: AsyncSession
) -> None:
    ids = await _listing_ids(session)
    query = """query($l: ID!) { node(id: $l) { ... on Listing {
      calendar(from: "9999-12-31", to: "9999-12-31") { reason } } } }"""
    response = await client.post(query, {"l": ids["l"]})
    assert response.status_code == 200, response.text
    messages = [error["message"] for error in response.json()["errors"]]
    assert len(messages) == 2, messages
    assert all("between 2000-01-01 and 2199-12-31" in m for m in messages), messages
