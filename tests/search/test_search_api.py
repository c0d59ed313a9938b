"""Search through GraphQL against a real Meilisearch."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from core.db import Database
from core.models import OrganizationKind, Photo, Role
from schema.relay import expect_id
from search.client import SearchClient
from tests.factories import make_organization, make_token
from tests.graphql import GraphQLClient
from tests.search.conftest import index_now

PUBLISH = """
mutation($input: ListingPublishInput!) {
  listingPublish(input: $input) { __typename ... on ListingSuccess { listing { id } }
    ... on InputError { fields { field message } } }
}
"""
SEARCH = """
query($input: SearchInput!) {
  search(input: $input) {
    totalHits endCursor
    hits { score distanceKm listing { title ref } }
    facets { kinds { value count } categories { value count } departments { value count } }
  }
}
"""


async def publish(client: GraphQLClient, token: str, **fields: Any) -> str:
    listing = {"direction": "OFFER", "kind": "EQUIPMENT"} | fields
    data = await client.execute(PUBLISH, {"input": listing}, token)
    assert data["listingPublish"]["__typename"] == "ListingSuccess", data
    return str(data["listingPublish"]["listing"]["id"])


async def titles(client: GraphQLClient, token: str | None = None, **search: Any) -> list[str]:
    data = await client.execute(SEARCH, {"input": search}, token)
    return [hit["listing"]["title"] for hit in data["search"]["hits"]]


async def a_lab(session: AsyncSession, role: Role = Role.MEMBER, **fields: Any) -> str:
    organization = await make_organization(session, **fields)
    token = await make_token(session, organization, role)
    await session.commit()
    return token


async def test_typos_missing_accents_and_english_find_the_laser_cutter(
    search_api: GraphQLClient,
    session: AsyncSession,
    database: Database,
    search_client: SearchClient,
) -> None:
    token = await a_lab(session)
    await publish(
        search_api,
        token,
        title="Découpeuse laser Epilog Legend 36EXT",
        category="laser",
        commune="Guéret",
    )
    await publish(
        search_api,
        token,
        title="Imprimante 3D Ultimaker 2+",
        category="three_d_printer",
        commune="Guéret",
    )
    await index_now(database, search_client)

    for text in ("découpeuse laser", "decoupeuse lazer", "laser cutter", "DECOUPEUSE"):
        assert await titles(search_api, text=text) == ["Découpeuse laser Epilog Legend 36EXT"], text
    assert await titles(search_api, text="3D printer") == ["Imprimante 3D Ultimaker 2+"]
    assert await titles(search_api, text="impression 3d") == ["Imprimante 3D Ultimaker 2+"]


async def test_radius_distance_and_ranking_by_distance(
    search_api: GraphQLClient,
    session: AsyncSession,
    database: Database,
    search_client: SearchClient,
) -> None:
    token = await a_lab(session)
    await publish(search_api, token, title="Découpeuse laser à Felletin", commune="23079")
    await publish(search_api, token, title="Découpeuse laser à Guéret", commune="23096")
    await publish(search_api, token, title="Découpeuse laser à Paris", commune="75056")
    await index_now(database, search_client)

    data = await search_api.execute(
        SEARCH, {"input": {"text": "laser", "commune": "Guéret", "radiusKm": 60}}
    )

    hits = data["search"]["hits"]
    assert [h["listing"]["title"] for h in hits] == [
        "Découpeuse laser à Guéret",
        "Découpeuse laser à Felletin",
    ]
    assert hits[0]["distanceKm"] < 1
    assert 30 < hits[1]["distanceKm"] < 50


async def test_date_window_must_overlap_availability(
    search_api: GraphQLClient,
    session: AsyncSession,
    database: Database,
    search_client: SearchClient,
) -> None:
    token = await a_lab(session)
    await publish(
        search_api,
        token,
        title="Salle de réunion en mars",
        kind="PREMISES",
        availableFrom="2027-03-01",
        availableUntil="2027-03-31",
    )
    await publish(search_api, token, title="Salle de réunion toute l'année", kind="PREMISES")
    await index_now(database, search_client)

    april = await titles(
        search_api, text="salle", availableFrom="2027-04-02", availableUntil="2027-04-05"
    )
    mid_march = await titles(
        search_api, text="salle", availableFrom="2027-03-30", availableUntil="2027-04-05"
    )

    assert april == ["Salle de réunion toute l'année"]
    assert sorted(mid_march) == ["Salle de réunion en mars", "Salle de réunion toute l'année"]


async def test_facets_count_kinds_categories_and_departments(
    search_api: GraphQLClient,
    session: AsyncSession,
    database: Database,
    search_client: SearchClient,
) -> None:
    token = await a_lab(session)
    await publish(search_api, token, title="Laser A", category="laser", commune="23096")
    await publish(search_api, token, title="Laser B", category="laser", commune="75056")
    await publish(
        search_api,
        token,
        title="Atelier bois",
        kind="SKILL",
        category="bois_menuiserie",
        commune="23096",
    )
    await index_now(database, search_client)

    data = await search_api.execute(SEARCH, {"input": {}})

    facets = data["search"]["facets"]
    assert data["search"]["totalHits"] == 3
    assert facets["kinds"] == [{"value": "EQUIPMENT", "count": 2}, {"value": "SKILL", "count": 1}]
    assert {"value": "laser", "count": 2} in facets["categories"]
    assert {"value": "23", "count": 2} in facets["departments"]


async def test_empty_text_returns_the_newest_first_and_pages_with_a_cursor(
    search_api: GraphQLClient,
    session: AsyncSession,
    database: Database,
    search_client: SearchClient,
) -> None:
    token = await a_lab(session)
    for index in range(5):
        await publish(search_api, token, title=f"Annonce {index}")
    await index_now(database, search_client)

    first = await search_api.execute(SEARCH, {"input": {"first": 3}})
    after = first["search"]["endCursor"]
    second = await search_api.execute(SEARCH, {"input": {"first": 3, "after": after}})

    assert [h["listing"]["title"] for h in first["search"]["hits"]] == [
        "Annonce 4",
        "Annonce 3",
        "Annonce 2",
    ]
    assert [h["listing"]["title"] for h in second["search"]["hits"]] == ["Annonce 1", "Annonce 0"]
    assert second["search"]["endCursor"] is None


async def test_bad_search_input_names_the_argument(search_api: GraphQLClient) -> None:
    cases = {
        "radiusKm": {"near": {"lat": 46, "lon": 2}, "radiusKm": 0},
        "near.lat": {"near": {"lat": 91, "lon": 2}},
        "commune": {"commune": "Zzyzx-les-Bains"},
        "first": {"first": 101},
        "availableUntil": {"availableFrom": "2027-02-01", "availableUntil": "2027-01-01"},
    }
    cases_over = {"radiusKm": {"near": {"lat": 46, "lon": 2}, "radiusKm": 1001}}

    for field, given in [*cases.items(), *cases_over.items()]:
        errors = await search_api.errors(SEARCH, {"input": given})
        assert errors[0]["extensions"]["field"] == field, (field, errors)


async def test_a_withdrawn_or_private_listing_leaves_search(
    search_api: GraphQLClient,
    session: AsyncSession,
    database: Database,
    search_client: SearchClient,
) -> None:
    token = await a_lab(session)
    withdrawn = await publish(
        search_api,
        token,
        title="Portes isoplanes",
        kind="MATERIAL",
        details={"material": {"quantity": 30}},
    )
    private = await publish(
        search_api,
        token,
        title="Portes vitrées",
        kind="MATERIAL",
        details={"material": {"quantity": 4}},
    )
    await index_now(database, search_client)
    assert len(await titles(search_api, text="portes")) == 2

    await search_api.execute(
        "mutation($id: ID!) { listingWithdraw(id: $id) { __typename } }", {"id": withdrawn}, token
    )
    await search_api.execute(
        "mutation($id: ID!) { listingUpdate(id: $id, input: { visibility: PRIVATE }) { __typename } }",
        {"id": private},
        token,
    )
    await index_now(database, search_client)

    assert await titles(search_api, text="portes") == []
    assert await titles(search_api, token, text="portes") == ["Portes vitrées"]


async def test_injected_filter_syntax_changes_nothing(
    search_api: GraphQLClient,
    session: AsyncSession,
    database: Database,
    search_client: SearchClient,
) -> None:
    token = await a_lab(session)
    await publish(search_api, token, title="Secret", visibility="PRIVATE", category="laser")
    await publish(search_api, token, title="Public", category="laser")
    await index_now(database, search_client)
    attack = '" OR visibility = "PRIVATE'

    for field in ("categories", "departments", "regions"):
        assert await titles(search_api, **{field: [attack]}) == [], field
    assert await titles(search_api, text=attack) == []
    assert "Secret" not in await titles(search_api, categories=["laser"])


async def test_search_unavailable_is_a_typed_error_and_browsing_still_works(
    settings,
    database: Database,
    session: AsyncSession,  # type: ignore[no-untyped-def]
) -> None:
    import httpx

    from api.app import create_app

    token = await a_lab(session)
    dead = SearchClient("http://127.0.0.1:9", "key", timeout=1.0)
    app = create_app(settings, database, search=dead)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as http:
        client = GraphQLClient(http)
        await publish(client, token, title="Découpeuse laser")
        errors = await client.errors(SEARCH, {"input": {"text": "laser"}})
        browse = await client.execute("{ listings { totalCount } }")
    await dead.close()

    assert errors[0]["extensions"]["code"] == "SEARCH_UNAVAILABLE"
    assert "Traceback" not in str(errors)
    assert browse["listings"]["totalCount"] == 1


async def test_a_network_organization_kind_exists(session: AsyncSession) -> None:
    network = await make_organization(session, kind=OrganizationKind.RESEAU)
    assert network.kind == OrganizationKind.RESEAU


SEARCH_PAGE = """
query($input: SearchInput!) {
  search(input: $input) {
    totalHits
    hits { distanceKm listing {
      id title kind coverPhoto { url } location { communeName department }
      organization { id name } } }
  }
}
"""


async def test_a_page_of_hits_costs_a_fixed_number_of_statements(
    search_api: GraphQLClient,
    session: AsyncSession,
    database: Database,
    search_client: SearchClient,
    statements: Any,
) -> None:
    """Issue 14: the hits' listings with their organizations, communes and cover photos are one
    statement, however many hits there are; the names and covers are the rows' own."""
    tokens = [await a_lab(session, name=f"Atelier {n}") for n in range(3)]
    communes = ["Guéret", "Limoges", "Tulle"]
    ids = []
    for n in range(6):
        title = f"Scie à ruban {n}"
        ids.append(await publish(search_api, tokens[n % 3], title=title, commune=communes[n % 3]))
    for n in (0, 3):  # two photos each; the cover is position 0 whatever the insertion order
        for position in (1, 0):
            session.add(
                Photo(
                    alt="Vue",
                    key=f"photos/{n:02d}{position:030x}",
                    width=320,
                    height=240,
                    widths=[320],
                    source_format="JPEG",
                    listing_id=expect_id(ids[n], "Listing"),
                    position=position,
                )
            )
    await session.commit()
    await index_now(database, search_client)

    before = statements.total
    data = await search_api.execute(SEARCH_PAGE, {"input": {"text": "scie ruban"}})
    assert statements.total - before == 1, statements.total - before
    hits = data["search"]["hits"]
    assert len(hits) == 6
    for hit in hits:
        listing = hit["listing"]
        n = int(listing["title"].rsplit(" ", 1)[1])
        assert listing["organization"]["name"] == f"Atelier {n % 3}"
        assert listing["location"]["communeName"] == communes[n % 3]
        if n in (0, 3):
            assert f"photos/{n:02d}{0:030x}" in listing["coverPhoto"]["url"], listing
        else:
            assert listing["coverPhoto"] is None
