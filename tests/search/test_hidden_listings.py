"""A listing hidden by the network covering it leaves search, matching and alerts (the outbox
drops it from the real Meilisearch index), and comes back once shown again."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from core.db import Database
from core.models import AreaLevel, OrganizationKind, Role
from core.services.network_areas import add_area
from search.client import SearchClient
from tests.factories import make_organization, make_token
from tests.graphql import GraphQLClient
from tests.search.conftest import index_now
from tests.search.test_alerts import create_alert, notified
from tests.search.test_matching import MATCHES
from tests.search.test_search_api import a_lab, publish, titles

DECIDE = """
mutation($input: ListingDecisionInput!) {
  hide: listingHide(input: $input) { __typename }
}
"""
UNHIDE = DECIDE.replace("hide: listingHide", "unhide: listingUnhide")


async def creuse_network_admin(session: AsyncSession) -> str:
    network = await make_organization(session, "Réseau Creuse", OrganizationKind.RESEAU)
    assert network.id is not None
    await add_area(session, network.name, AreaLevel.DEPARTMENT, "23")
    token = await make_token(session, network, Role.ADMIN)
    await session.commit()
    return token


async def test_a_hidden_listing_leaves_search_matching_and_alerts_until_shown_again(
    search_api: GraphQLClient,
    session: AsyncSession,
    database: Database,
    search_client: SearchClient,
) -> None:
    network = await creuse_network_admin(session)
    lender, asker, watcher = await a_lab(session), await a_lab(session), await a_lab(session)
    listing = await publish(
        search_api, lender, title="Découpeuse laser Trotec", category="laser", commune="Guéret"
    )
    request = await publish(
        search_api,
        asker,
        direction="REQUEST",
        title="Cherche découpeuse laser",
        category="laser",
        commune="Felletin",
    )
    await index_now(database, search_client)
    assert await titles(search_api, text="découpeuse laser", direction="OFFER") == [
        "Découpeuse laser Trotec"
    ]

    hidden = await search_api.execute(
        DECIDE, {"input": {"listingId": listing, "reason": "Annonce fictive"}}, network
    )
    assert hidden["hide"]["__typename"] == "ListingModerationSuccess"
    await create_alert(search_api, watcher)
    await index_now(database, search_client)

    for viewer in (None, asker, lender, network):
        assert await titles(search_api, viewer, text="découpeuse laser", direction="OFFER") == []
    matches = await search_api.execute(MATCHES, {"id": request}, asker)
    assert matches["node"]["matches"] == []
    assert await notified(search_api, watcher) == []

    await search_api.execute(
        UNHIDE, {"input": {"listingId": listing, "reason": "Vérifiée sur place"}}, network
    )
    await index_now(database, search_client)

    assert await titles(search_api, asker, text="découpeuse laser", direction="OFFER") == [
        "Découpeuse laser Trotec"
    ]
    matches = await search_api.execute(MATCHES, {"id": request}, asker)
    assert [m["listing"]["title"] for m in matches["node"]["matches"]] == [
        "Découpeuse laser Trotec"
    ]
    assert await notified(search_api, watcher) == ["Découpeuse laser Trotec"]
