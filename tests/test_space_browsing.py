"""`Query.spaces` on the database path (no text, no point): the directory's filters, counts by
typology and pages, as the `/lieux` page asks them."""

from __future__ import annotations

import base64
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from core.db import StatementCounter
from tests.graphql import GraphQLClient
from tests.places import CREUSE_GRAND_SUD, GRAND_GUERET, make_directory

SPACES = """query($filter: SpaceFilter, $first: Int = 20, $after: String) {
  spaces(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { node { name organization { name } } }
    typologyCounts { typology count }
  }
}"""


def names(answer: dict[str, Any]) -> list[str]:
    return [edge["node"]["name"] for edge in answer["spaces"]["edges"]]


def offset_cursor(offset: int) -> str:
    """The cursor the web app builds for `page=N`, as the search's pages are named."""
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


async def test_places_of_an_intercommunality_claimed_or_not(
    client: GraphQLClient, session: AsyncSession
) -> None:
    await make_directory(session)

    sud = await client.execute(SPACES, {"filter": {"epci": CREUSE_GRAND_SUD}})
    unclaimed = await client.execute(
        SPACES, {"filter": {"epci": CREUSE_GRAND_SUD, "claimed": False}}
    )
    claimed = await client.execute(SPACES, {"filter": {"claimed": True}})
    gueret = await client.execute(SPACES, {"filter": {"epci": GRAND_GUERET}})

    assert sorted(names(sud)) == ["Espace coworking d'Aubusson", "Fablab de Felletin"]
    assert names(unclaimed) == ["Fablab de Felletin"]
    assert unclaimed["spaces"]["edges"][0]["node"]["organization"] is None
    assert sorted(names(claimed)) == [
        "Café coworking de Saint-Denis",
        "Espace coworking d'Aubusson",
        "La Quincaillerie numérique",
    ]
    assert claimed["spaces"]["totalCount"] == 3
    assert names(gueret) == ["La Quincaillerie numérique"]


async def test_typology_counts_leave_the_typology_filter_aside(
    client: GraphQLClient, session: AsyncSession
) -> None:
    await make_directory(session)

    fablabs = await client.execute(SPACES, {"filter": {"department": "23", "typology": "FABLAB"}})

    assert sorted(names(fablabs)) == ["Fablab de Felletin", "La Quincaillerie numérique"]
    assert fablabs["spaces"]["typologyCounts"] == [
        {"typology": "COWORKING", "count": 2},  # ties in the order of the Typology enum
        {"typology": "FABLAB", "count": 2},
        {"typology": "MAKERSPACE", "count": 1},
    ]


async def test_a_page_named_by_its_offset_is_the_page_the_cursors_reach(
    client: GraphQLClient, session: AsyncSession
) -> None:
    await make_directory(session)
    first = (await client.execute(SPACES, {"first": 4}))["spaces"]

    by_cursor = await client.execute(SPACES, {"first": 4, "after": first["pageInfo"]["endCursor"]})
    by_offset = await client.execute(SPACES, {"first": 4, "after": offset_cursor(4)})
    page_one = await client.execute(SPACES, {"first": 4, "after": offset_cursor(0)})

    assert (
        names(by_offset)
        == names(by_cursor)
        == [
            "Fablab de Montreuil",
            "Café coworking de Saint-Denis",
        ]
    )
    assert by_offset["spaces"]["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "endCursor": by_cursor["spaces"]["pageInfo"]["endCursor"],
    }
    assert by_offset["spaces"]["totalCount"] == 6
    assert first["pageInfo"]["hasNextPage"] is True
    assert names(page_one) == [e["node"]["name"] for e in first["edges"]]
    assert page_one["spaces"]["pageInfo"]["hasPreviousPage"] is False


async def test_a_page_with_its_typology_counts_costs_two_statements(
    client: GraphQLClient, session: AsyncSession, statements: StatementCounter
) -> None:
    await make_directory(session)
    query = """query($f: SpaceFilter) {
      spaces(filter: $f) { edges { node { name } } typologyCounts { count } } }"""
    before = statements.total

    await client.execute(query, {"f": {"region": "75", "claimed": False}})

    # The page's rows, then one sum per typology in a single statement (never one per typology).
    assert statements.total - before == 2


async def test_bad_filters_name_their_field(client: GraphQLClient, session: AsyncSession) -> None:
    await make_directory(session)
    cases = {
        "epci": {"epci": "Grand Guéret"},
        "organizationId": {"organizationId": "not-an-id"},
        "radiusKm": {"radiusKm": 10},
        "nameContains": {"nameContains": "fab", "text": "fablab"},
    }
    for field, given in cases.items():
        errors = await client.errors(SPACES, {"filter": given})

        assert errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, given


async def test_an_intercommunality_by_its_siren(client: GraphQLClient) -> None:
    data = await client.execute(
        '{ found: epci(siren: "200034825") { siren name nature population }'
        ' missing: epci(siren: "000000000") { name } }'
    )

    assert data["found"]["name"] == "CA du Grand Guéret"
    assert data["found"]["nature"] == "CA"
    assert data["missing"] is None
