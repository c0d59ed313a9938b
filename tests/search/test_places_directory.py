"""`Query.spaces` on the index path (text, or near a point) against a real Meilisearch: every
filter of the database path holds there too, and a place's document follows its claim."""

from __future__ import annotations

from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.db import Database
from core.models import OutboxEvent, OutboxTopic, Role
from schema.relay import to_global_id
from search.client import SearchClient
from search.relay import space_ids_of
from tests.factories import make_organization, make_token
from tests.graphql import GraphQLClient
from tests.places import CREUSE_GRAND_SUD, make_directory
from tests.search.conftest import index_now

SPACES = """query($filter: SpaceFilter, $first: Int = 20, $after: String) {
  spaces(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { name } }
    typologyCounts { typology count }
  }
}"""
EVERYWHERE = {"nearCommune": "Guéret", "radiusKm": 1000}  # the index path, every place


SIRET = "85271946700015"
CLAIM = """mutation($input: SpaceClaimInput!) { spaceClaim(input: $input) { __typename } }"""


def names(answer: dict[str, Any]) -> list[str]:
    return [edge["node"]["name"] for edge in answer["spaces"]["edges"]]


async def test_text_with_typos_and_no_accents_within_an_intercommunality(
    search_api: GraphQLClient,
    session: AsyncSession,
    database: Database,
    search_client: SearchClient,
) -> None:
    await make_directory(session)
    await index_now(database, search_client)

    no_accent = await search_api.execute(SPACES, {"filter": {"text": "quincaillerie numerique"}})
    typo = await search_api.execute(SPACES, {"filter": {"text": "fellettin"}})
    sud = await search_api.execute(
        SPACES, {"filter": {"text": "coworking", "epci": CREUSE_GRAND_SUD}}
    )
    unclaimed = await search_api.execute(
        SPACES, {"filter": {"text": "fablab", "claimed": False, "region": "75"}}
    )

    assert names(no_accent) == ["La Quincaillerie numérique"]
    assert names(typo) == ["Fablab de Felletin"]
    assert names(sud) == ["Espace coworking d'Aubusson"]
    assert names(unclaimed) == ["Fablab de Felletin"]


async def test_near_a_commune_within_a_radius_nearest_first(
    search_api: GraphQLClient,
    session: AsyncSession,
    database: Database,
    search_client: SearchClient,
) -> None:
    await make_directory(session)
    await index_now(database, search_client)

    fablabs = await search_api.execute(
        SPACES, {"filter": {"nearCommune": "23096", "radiusKm": 100, "typology": "FABLAB"}}
    )
    close = await search_api.execute(SPACES, {"filter": {"nearCommune": "Guéret", "radiusKm": 20}})
    unknown = await search_api.errors(
        SPACES, {"filter": {"nearCommune": "Nullepart-sur-Rien", "radiusKm": 20}}
    )

    assert names(fablabs) == ["La Quincaillerie numérique", "Fablab de Felletin"]
    assert fablabs["spaces"]["typologyCounts"] == [
        {"typology": "COWORKING", "count": 2},
        {"typology": "FABLAB", "count": 2},
        {"typology": "MAKERSPACE", "count": 1},
    ]
    assert names(close) == ["La Quincaillerie numérique"]
    assert unknown[0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "nearCommune"}


async def test_both_paths_give_the_same_places_and_counts_for_every_filter(
    search_api: GraphQLClient,
    session: AsyncSession,
    database: Database,
    search_client: SearchClient,
) -> None:
    await make_directory(session)
    await index_now(database, search_client)
    filters: list[dict[str, Any]] = [
        {},
        {"department": "23"},
        {"region": "11"},
        {"communeInsee": "23079"},
        {"epci": CREUSE_GRAND_SUD},
        {"claimed": True},
        {"claimed": False, "typology": "FABLAB"},
        {"typology": "COWORKING", "department": "93"},
        {"epci": "200054781"},  # the Métropole du Grand Paris: Montreuil and Saint-Denis
    ]
    for given in filters:
        browsed = await search_api.execute(SPACES, {"filter": given})
        searched = await search_api.execute(SPACES, {"filter": given | EVERYWHERE})

        assert sorted(names(browsed)) == sorted(names(searched)), given
        assert browsed["spaces"]["totalCount"] == searched["spaces"]["totalCount"], given
        assert browsed["spaces"]["typologyCounts"] == searched["spaces"]["typologyCounts"], given
    assert names(await search_api.execute(SPACES, {"filter": {"epci": "200054781"}})) != []


async def test_pages_of_the_index_path(
    search_api: GraphQLClient,
    session: AsyncSession,
    database: Database,
    search_client: SearchClient,
) -> None:
    await make_directory(session)
    await index_now(database, search_client)

    seen: list[str] = []
    after = None
    while True:
        page = await search_api.execute(SPACES, {"filter": EVERYWHERE, "first": 4, "after": after})
        seen += names(page)
        if not page["spaces"]["pageInfo"]["hasNextPage"]:
            break
        after = page["spaces"]["pageInfo"]["endCursor"]

    assert len(seen) == len(set(seen)) == 6


async def test_a_claim_reaches_the_index_and_an_organization_s_change_refreshes_its_places(
    search_api: GraphQLClient,
    session: AsyncSession,
    database: Database,
    search_client: SearchClient,
) -> None:
    places = await make_directory(session)
    await index_now(database, search_client)
    felletin = places["Fablab de Felletin"]
    claimed = {"text": "felletin", "claimed": True}
    assert names(await search_api.execute(SPACES, {"filter": claimed})) == []

    lab = await make_organization(session, "Association du Fablab de Felletin", siret=SIRET)
    felletin.siret = SIRET  # the same SIRET: the claim is verified at once
    admin = await make_token(session, lab, Role.ADMIN)
    await session.commit()
    made = await search_api.execute(
        CLAIM,
        {
            "input": {
                "spaceId": to_global_id("Space", felletin.id or 0),
                "organizationId": to_global_id("Organization", lab.id or 0),
            }
        },
        admin,
    )
    assert made["spaceClaim"]["__typename"] == "SpaceClaimSuccess", made
    await index_now(database, search_client)

    assert names(await search_api.execute(SPACES, {"filter": claimed})) == ["Fablab de Felletin"]
    lab.name = "Fablab de Felletin (association)"
    await session.commit()
    events = (
        await session.exec(select(OutboxEvent).where(OutboxEvent.topic == OutboxTopic.ORGANIZATION))
    ).all()
    assert await space_ids_of(session, [e for e in events if e.entity_id == lab.id]) == [
        felletin.id
    ]
