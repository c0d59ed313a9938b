"""Two-way matching and the visibility matrix of every search path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.db import Database
from core.models import Listing, OrganizationKind
from schema.relay import to_global_id
from search.client import SearchClient
from tests.factories import make_listing, make_organization, make_token
from tests.graphql import GraphQLClient
from tests.search.conftest import index_now
from tests.search.test_search_api import a_lab, publish

MATCHES = """
query($id: ID!, $radius: Float) { node(id: $id) { ... on Listing {
  matches(radiusKm: $radius) { score distanceKm reasons listing { title direction } } } } }
"""


async def test_a_request_finds_nearby_offers_of_the_same_kind_and_says_why(
    search_api: GraphQLClient,
    session: AsyncSession,
    database: Database,
    search_client: SearchClient,
) -> None:
    asker = await a_lab(session)
    lender = await a_lab(session)
    request = await publish(
        search_api,
        asker,
        direction="REQUEST",
        title="Cherche découpeuse laser",
        category="laser",
        commune="Guéret",
        availableFrom="2027-03-01",
        availableUntil="2027-03-07",
    )
    await publish(
        search_api,
        lender,
        title="Découpeuse laser Epilog",
        category="laser",
        commune="Felletin",
        availableFrom="2027-01-01",
    )
    await publish(
        search_api, lender, title="Laser cutter Trotec", category="laser", commune="Paris"
    )
    await publish(
        search_api,
        lender,
        title="Découpeuse laser prêtée en été",
        category="laser",
        commune="Guéret",
        availableFrom="2027-07-01",
        availableUntil="2027-08-31",
    )
    await publish(
        search_api, lender, kind="SKILL", title="Formation découpeuse laser", commune="Guéret"
    )
    await publish(search_api, asker, title="Notre propre découpeuse laser", commune="Guéret")
    await index_now(database, search_client)

    data = await search_api.execute(MATCHES, {"id": request})
    wider = await search_api.execute(MATCHES, {"id": request, "radius": 500})

    matches = data["node"]["matches"]
    assert [m["listing"]["title"] for m in matches] == ["Découpeuse laser Epilog"]
    assert matches[0]["listing"]["direction"] == "OFFER"
    reasons = " | ".join(matches[0]["reasons"])
    assert "shared terms: decoupeuse, laser" in reasons
    assert "same category: laser" in reasons
    assert "km away" in reasons
    assert "dates overlap" in reasons
    assert {m["listing"]["title"] for m in wider["node"]["matches"]} == {
        "Découpeuse laser Epilog",
        "Laser cutter Trotec",
    }


def _day(days_from_today: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days_from_today)).isoformat()


async def test_a_new_laser_offer_in_gueret_and_the_limoges_request_find_each_other(
    search_api: GraphQLClient,
    session: AsyncSession,
    database: Database,
    search_client: SearchClient,
) -> None:
    """Issue 11: a new 80 W offer missed the Limoges request (same category, 60 km) that the
    demo's 60 W machine matched: dates were compared over days already gone."""
    gueret = await a_lab(session, name="FabLab de Guéret")
    limoges = await a_lab(session, name="Club de robotique de Limoges")
    old_offer = await publish(
        search_api,
        gueret,
        title="Découpeuse laser Trotec Speedy 300, 60 W",
        category="laser",
        commune="Guéret",
        availableFrom=_day(-300),
    )
    request = await publish(
        search_api,
        limoges,
        direction="REQUEST",
        title="Recherche découpeuse laser pour les châssis de nos robots",
        category="laser",
        tags=["découpe laser", "robotique"],
        commune="87000",
        availableFrom=_day(-20),
        availableUntil=_day(40),
    )
    spring = await publish(
        search_api,
        limoges,
        direction="REQUEST",
        title="Recherche découpeuse laser pour la fête de la science",
        category="laser",
        commune="87000",
        availableFrom=_day(-280),
        availableUntil=_day(1),
    )
    # Time passes: its dates are over (publishing dates already over is refused).
    over = (
        await session.exec(
            select(Listing).where(
                col(Listing.title).startswith("Recherche découpeuse laser pour la fête")
            )
        )
    ).one()
    over.available_until = datetime.now(UTC).date() - timedelta(days=240)
    session.add(over)
    await session.commit()
    # When: the lab publishes a new machine, available from today, like a user of the web app.
    new_offer = await publish(
        search_api,
        gueret,
        title="Découpeuse laser CO2 80 W",
        description="Plateau 900 × 600 mm, bois et PMMA.",
        category="laser",
        commune="Guéret",
        availableFrom=_day(0),
        details={"equipment": {"machineClass": "laser", "trainingRequired": True}},
    )
    await index_now(database, search_client)

    def titles(data: dict[str, Any]) -> list[str]:
        return [m["listing"]["title"] for m in data["node"]["matches"]]

    of_request = await search_api.execute(MATCHES, {"id": request, "radius": 150})
    of_new = await search_api.execute(MATCHES, {"id": new_offer, "radius": 150})
    of_old = await search_api.execute(MATCHES, {"id": old_offer, "radius": 150})
    of_spring = await search_api.execute(MATCHES, {"id": spring, "radius": 150})

    assert set(titles(of_request)) == {
        "Découpeuse laser Trotec Speedy 300, 60 W",
        "Découpeuse laser CO2 80 W",
    }
    assert titles(of_new) == ["Recherche découpeuse laser pour les châssis de nos robots"]
    assert "same category: laser" in of_new["node"]["matches"][0]["reasons"]
    assert 55 < of_new["node"]["matches"][0]["distanceKm"] < 65
    # A request whose dates are over is nobody's match, and matches nothing.
    assert titles(of_old) == ["Recherche découpeuse laser pour les châssis de nos robots"]
    assert titles(of_spring) == []


async def test_an_offer_finds_the_requests_for_it(
    search_api: GraphQLClient,
    session: AsyncSession,
    database: Database,
    search_client: SearchClient,
) -> None:
    commune = await a_lab(session)
    project = await a_lab(session)
    offer = await publish(
        search_api,
        commune,
        kind="PREMISES",
        title="Ancienne école, 240 m²",
        category="school",
        commune="Guéret",
    )
    await publish(
        search_api,
        project,
        kind="PREMISES",
        direction="REQUEST",
        title="Cherche locaux pour un tiers-lieu, une ancienne école",
        commune="Guéret",
    )
    await index_now(database, search_client)

    data = await search_api.execute(MATCHES, {"id": offer})

    assert [m["listing"]["title"] for m in data["node"]["matches"]] == [
        "Cherche locaux pour un tiers-lieu, une ancienne école"
    ]


async def test_no_search_path_reveals_what_a_viewer_may_not_see(
    search_api: GraphQLClient,
    session: AsyncSession,
    database: Database,
    search_client: SearchClient,
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
        await make_listing(
            session,
            owner,
            visibility=visibility,
            ref=f"v-{visibility}",
            title=f"Découpeuse laser {visibility}",
            category="laser",
            commune_insee="23096",
            latitude=46.17,
            longitude=1.87,
        )
    await make_listing(
        session, owner, status="DRAFT", ref="v-DRAFT", title="Découpeuse laser DRAFT"
    )
    requester = await make_organization(session)
    request = await make_listing(
        session,
        requester,
        direction="REQUEST",
        title="Cherche découpeuse laser",
        latitude=46.17,
        longitude=1.87,
        commune_insee="23096",
    )
    await session.commit()
    await index_now(database, search_client)
    expected = {
        "owner": {"v-PUBLIC", "v-NETWORK", "v-PRIVATE"},
        "peer": {"v-PUBLIC", "v-NETWORK"},
        "network": {"v-PUBLIC", "v-NETWORK"},
        "outsider": {"v-PUBLIC"},
        "anonymous": {"v-PUBLIC"},
    }
    ids = {row.ref: row.id for row in (await session.exec(select(Listing))).all()}
    search = """query($input: SearchInput!) { search(input: $input) {
        totalHits hits { listing { ref } } facets { kinds { count } categories { count } } } }"""
    matches = "query($id: ID!) { node(id: $id) { ... on Listing { matches(first: 50) { listing { ref } } } } }"

    for viewer, token in tokens.items():
        found = (
            await search_api.execute(
                search,
                {
                    "input": {
                        "text": "découpeuse laser",
                        "kinds": ["EQUIPMENT"],
                        "direction": "OFFER",
                    }
                },
                token,
            )
        )["search"]
        refs = {hit["listing"]["ref"] for hit in found["hits"]}
        matched = (
            await search_api.execute(matches, {"id": to_global_id("Listing", request.id)}, token)
        )["node"]
        matched_refs = {m["listing"]["ref"] for m in matched["matches"]} if matched else set()
        seen_by_node = set()
        for ref in ("v-PUBLIC", "v-NETWORK", "v-PRIVATE", "v-DRAFT"):
            node = await search_api.execute(
                "query($id: ID!) { node(id: $id) { id } }",
                {"id": to_global_id("Listing", ids[ref])},
                token,
            )
            if node["node"]:
                seen_by_node.add(ref)
        assert refs == expected[viewer], viewer
        assert found["totalHits"] == len(expected[viewer]), viewer
        assert found["facets"]["kinds"][0]["count"] == len(expected[viewer]), viewer
        assert found["facets"]["categories"][0]["count"] == len(expected[viewer]), viewer
        assert matched_refs == (expected[viewer] if viewer != "owner" else matched_refs), viewer
        assert seen_by_node - {"v-DRAFT"} == expected[viewer], viewer
    # The requester sees only what an outsider sees among the matches of its own request.
    requester_token = await make_token(session, requester)
    await session.commit()
    own = await search_api.execute(
        matches, {"id": to_global_id("Listing", request.id)}, requester_token
    )
    assert {m["listing"]["ref"] for m in own["node"]["matches"]} == {"v-PUBLIC"}
