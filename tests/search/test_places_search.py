"""Places and communes found by name, postcode or distance, with typos (real Meilisearch)."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from core.db import Database
from search.client import SearchClient
from tests.factories import make_space
from tests.graphql import GraphQLClient
from tests.search.conftest import index_now

COMMUNES = "query($text: String!) { communes(text: $text, first: 3) { code name department } }"
SPACES = """query($filter: SpaceFilter!) { spaces(filter: $filter, first: 10) {
  totalCount edges { node { name location { communeName } } } } }"""


async def test_communes_by_name_with_typos_missing_accents_and_by_postcode(
    search_api: GraphQLClient,
) -> None:
    for text, code in (
        ("Guéret", "23096"),
        ("gueret", "23096"),
        ("Guerret", "23096"),
        ("23000", "23096"),
        ("Saint-Étienne", "42218"),
        ("montreuil", "93048"),
    ):
        found = (await search_api.execute(COMMUNES, {"text": text}))["communes"]
        assert found, text
        assert found[0]["code"] == code, (text, found)


async def test_places_by_name_with_typos_and_near_a_commune(
    search_api: GraphQLClient,
    session: AsyncSession,
    database: Database,
    search_client: SearchClient,
) -> None:
    await make_space(
        session,
        name="La Quincaillerie numérique",
        commune_name="Guéret",
        latitude=46.17,
        longitude=1.87,
    )
    await make_space(
        session, name="Fablab de Felletin", commune_name="Felletin", latitude=45.88, longitude=2.17
    )
    await make_space(
        session,
        name="Fablab de Paris",
        commune_name="Paris",
        commune_insee="75056",
        department_code="75",
        region_code="11",
        latitude=48.86,
        longitude=2.35,
    )
    await session.commit()
    await index_now(database, search_client)

    by_typo = await search_api.execute(SPACES, {"filter": {"text": "quincailerie"}})
    near = await search_api.execute(
        SPACES, {"filter": {"text": "fablab", "nearCommune": "Guéret", "radiusKm": 60}}
    )
    errors = await search_api.errors(
        SPACES, {"filter": {"text": "x", "radiusKm": 0, "near": {"lat": 46, "lon": 2}}}
    )

    assert [e["node"]["name"] for e in by_typo["spaces"]["edges"]] == ["La Quincaillerie numérique"]
    assert [e["node"]["name"] for e in near["spaces"]["edges"]] == ["Fablab de Felletin"]
    assert near["spaces"]["totalCount"] == 1
    assert errors[0]["extensions"]["field"] == "radiusKm"


async def test_a_commune_tells_its_intercommunality(search_api: GraphQLClient) -> None:
    query = '{ communes(text: "Felletin", first: 1) { code epci { siren name } } }'

    [felletin] = (await search_api.execute(query))["communes"]

    assert felletin["epci"] == {"siren": "200044014", "name": "CC Creuse Grand Sud"}
