"""Alerts: a saved search notifies its owner of matching listings (real Meilisearch)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.db import Database
from core.models import Alert, Notification, NotificationKind, OrganizationKind, OutboxEvent, Role
from core.models.base import utcnow
from core.services.alerts import MAX_ALERTS_PER_PERSON
from schema.relay import to_global_id
from search.client import SearchClient, SearchUnavailable
from search.relay import drain_once
from tests.factories import make_listing, make_organization, make_token
from tests.graphql import GraphQLClient
from tests.search.conftest import index_now
from tests.search.test_search_api import a_lab, publish

CREATE = """
mutation($input: AlertCreateInput!) {
  alertCreate(input: $input) {
    __typename
    ... on AlertCreateSuccess { alert { id name search { text commune radiusKm near { lat lon } } } }
    ... on InputError { fields { field message } }
  }
}
"""
DELETE = """
mutation($id: ID!) {
  alertDelete(id: $id) { __typename ... on AlertDeleteSuccess { deletedId } ... on Error { message } }
}
"""
NOTIFICATIONS = """
query($after: String, $unreadOnly: Boolean! = false) {
  notifications(first: 10, after: $after, unreadOnly: $unreadOnly) {
    totalCount unreadCount
    pageInfo { hasNextPage endCursor }
    edges { node { id kind title body read listing { title } alert { name } } }
  }
}
"""
UPDATE = """
mutation($id: ID!, $input: ListingUpdateInput!) {
  listingUpdate(id: $id, input: $input) { __typename }
}
"""
LASER_NEAR_GUERET = {"text": "découpeuse laser", "commune": "Guéret", "radiusKm": 50}


async def create_alert(
    client: GraphQLClient, token: str, name: str = "Laser", **search: Any
) -> dict[str, Any]:
    data = await client.execute(
        CREATE, {"input": {"name": name, "search": search or LASER_NEAR_GUERET}}, token
    )
    return data["alertCreate"]  # type: ignore[no-any-return]


async def notified(client: GraphQLClient, token: str) -> list[str]:
    data = await client.execute(NOTIFICATIONS, {}, token)
    return [edge["node"]["title"] for edge in data["notifications"]["edges"]]


async def test_an_alert_is_notified_of_a_matching_offer_nearby_and_of_nothing_else(
    search_api: GraphQLClient,
    session: AsyncSession,
    database: Database,
    search_client: SearchClient,
) -> None:
    watcher = await a_lab(session)
    lender = await a_lab(session)
    alert = await create_alert(search_api, watcher)
    assert alert["__typename"] == "AlertCreateSuccess", alert
    assert alert["alert"]["search"]["near"]["lat"] == pytest.approx(46.17, abs=0.05)  # Guéret
    await publish(search_api, lender, title="Découpeuse laser Epilog", commune="Felletin")
    await publish(search_api, lender, title="Découpeuse laser Trotec", commune="Paris")
    await publish(search_api, lender, title="Imprimante 3D Ultimaker", commune="Guéret")
    await publish(
        search_api, lender, title="Découpeuse laser privée", commune="Guéret", visibility="PRIVATE"
    )
    await publish(search_api, watcher, title="Notre découpeuse laser", commune="Guéret")
    await index_now(database, search_client)

    data = await search_api.execute(NOTIFICATIONS, {}, watcher)

    page = data["notifications"]
    assert [edge["node"]["title"] for edge in page["edges"]] == ["Découpeuse laser Epilog"]
    node = page["edges"][0]["node"]
    assert node["kind"] == "ALERT_MATCH"
    assert node["listing"] == {"title": "Découpeuse laser Epilog"}
    assert node["alert"] == {"name": "Laser"}
    assert "« Laser »" in node["body"]
    assert page["totalCount"] == 1
    assert page["unreadCount"] == 1
    assert await notified(search_api, lender) == []


async def test_synonyms_and_typos_match_as_in_search_but_every_word_must(
    search_api: GraphQLClient,
    session: AsyncSession,
    database: Database,
    search_client: SearchClient,
) -> None:
    watcher = await a_lab(session)
    lender = await a_lab(session)
    await create_alert(search_api, watcher)
    await publish(search_api, lender, title="Laser cutter Trotec Speedy", commune="Guéret")
    await publish(search_api, lender, title="Découpeuse vinyle Roland", commune="Guéret")
    await index_now(database, search_client)

    assert await notified(search_api, watcher) == ["Laser cutter Trotec Speedy"]


async def test_a_replayed_event_or_a_later_edit_does_not_notify_twice(
    search_api: GraphQLClient,
    session: AsyncSession,
    database: Database,
    search_client: SearchClient,
) -> None:
    watcher = await a_lab(session)
    lender = await a_lab(session)
    await create_alert(search_api, watcher)
    listing = await publish(search_api, lender, title="Découpeuse laser Epilog", commune="Guéret")
    await index_now(database, search_client)
    await search_api.execute(UPDATE, {"id": listing, "input": {"description": "Révisée"}}, lender)
    await index_now(database, search_client)

    await session.exec(update(OutboxEvent).values(processed_at=None))  # the relay replays all
    await session.commit()
    await index_now(database, search_client)

    assert await notified(search_api, watcher) == ["Découpeuse laser Epilog"]
    count = (await session.exec(select(func.count()).select_from(Notification))).one()
    assert count == 1


async def test_a_change_that_makes_a_listing_match_notifies(
    search_api: GraphQLClient,
    session: AsyncSession,
    database: Database,
    search_client: SearchClient,
) -> None:
    watcher = await a_lab(session)
    lender = await a_lab(session)
    await create_alert(search_api, watcher)
    listing = await publish(search_api, lender, title="Scie à ruban", commune="Guéret")
    far = await publish(search_api, lender, title="Découpeuse laser Epilog", commune="Paris")
    await index_now(database, search_client)
    assert await notified(search_api, watcher) == []

    await search_api.execute(
        UPDATE, {"id": listing, "input": {"title": "Découpeuse laser Trotec"}}, lender
    )
    await search_api.execute(UPDATE, {"id": far, "input": {"commune": "Aubusson"}}, lender)
    await index_now(database, search_client)

    assert sorted(await notified(search_api, watcher)) == [
        "Découpeuse laser Epilog",
        "Découpeuse laser Trotec",
    ]


async def test_visibility_the_owners_organizations_and_drafts_are_respected(
    search_api: GraphQLClient,
    session: AsyncSession,
    database: Database,
    search_client: SearchClient,
) -> None:
    network = await make_organization(session, kind=OrganizationKind.RESEAU)
    member = await make_organization(session, parent_id=network.id)
    peer = await make_organization(session, parent_id=network.id)
    also_mine = await make_organization(session)
    peer_token = await make_token(session, peer)
    mine_token = await make_token(session, also_mine)
    watcher = await make_token(session, member, Role.MEMBER, email="two-hats@example.org")
    await make_token(session, also_mine, Role.MEMBER, email="two-hats@example.org")
    await session.commit()
    outsider = await a_lab(session)
    for token in (watcher, outsider):
        await create_alert(search_api, token)
    here = {"commune": "Guéret"}
    await publish(
        search_api, peer_token, title="Découpeuse laser réseau", visibility="NETWORK", **here
    )
    await publish(
        search_api, peer_token, title="Découpeuse laser privée", visibility="PRIVATE", **here
    )
    await publish(search_api, peer_token, title="Découpeuse laser brouillon", draft=True, **here)
    await publish(search_api, mine_token, title="Découpeuse laser de mon autre structure", **here)
    await index_now(database, search_client)

    assert await notified(search_api, watcher) == ["Découpeuse laser réseau"]
    assert await notified(search_api, outsider) == ["Découpeuse laser de mon autre structure"]


async def test_a_notification_hides_its_listing_once_the_owner_may_no_longer_see_it(
    search_api: GraphQLClient,
    session: AsyncSession,
    database: Database,
    search_client: SearchClient,
) -> None:
    watcher = await a_lab(session)
    lender = await a_lab(session)
    await create_alert(search_api, watcher)
    listing = await publish(search_api, lender, title="Découpeuse laser Epilog", commune="Guéret")
    await index_now(database, search_client)

    await search_api.execute(UPDATE, {"id": listing, "input": {"visibility": "PRIVATE"}}, lender)
    data = await search_api.execute(NOTIFICATIONS, {}, watcher)

    node = data["notifications"]["edges"][0]["node"]
    assert node["title"] == "Découpeuse laser Epilog"
    assert node["listing"] is None


async def test_notifications_are_their_owners_only_and_can_be_marked_read(
    search_api: GraphQLClient,
    session: AsyncSession,
    database: Database,
    search_client: SearchClient,
) -> None:
    watcher = await a_lab(session)
    lender = await a_lab(session)
    await create_alert(search_api, watcher)
    for index in range(3):
        await publish(search_api, lender, title=f"Découpeuse laser n°{index}", commune="Guéret")
    await index_now(database, search_client)
    mark = """mutation($id: ID!) { notificationMarkRead(id: $id) {
        __typename ... on NotificationMarkReadSuccess { notification { read } } } }"""

    first = (await search_api.execute(NOTIFICATIONS, {}, watcher))["notifications"]
    notification_id = first["edges"][0]["node"]["id"]
    by_lender = await search_api.execute(mark, {"id": notification_id}, lender)
    node_for_lender = await search_api.execute(
        "query($id: ID!) { node(id: $id) { id } }", {"id": notification_id}, lender
    )
    marked = await search_api.execute(mark, {"id": notification_id}, watcher)
    unread = (await search_api.execute(NOTIFICATIONS, {"unreadOnly": True}, watcher))[
        "notifications"
    ]
    errors = await search_api.errors(NOTIFICATIONS)

    assert [e["node"]["title"] for e in first["edges"]] == [
        "Découpeuse laser n°2",
        "Découpeuse laser n°1",
        "Découpeuse laser n°0",
    ]
    assert by_lender["notificationMarkRead"]["__typename"] == "NotFoundError"
    assert node_for_lender["node"] is None
    assert marked["notificationMarkRead"] == {
        "__typename": "NotificationMarkReadSuccess",
        "notification": {"read": True},
    }
    assert (unread["totalCount"], unread["unreadCount"]) == (2, 2)
    assert (await search_api.execute(NOTIFICATIONS, {}, lender))["notifications"]["totalCount"] == 0
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_notifications_page_newest_first(
    search_api: GraphQLClient, session: AsyncSession, database: Database
) -> None:
    watcher = await a_lab(session)
    await create_alert(search_api, watcher)
    alert = (await session.exec(select(Alert))).one()
    lender = await make_organization(session)
    for index in range(12):
        listing = await make_listing(session, lender, title=f"Annonce {index}")
        session.add(
            Notification(
                person_id=alert.person_id,
                alert_id=alert.id,
                listing_id=listing.id,
                kind=NotificationKind.ALERT_MATCH,
                title=f"Annonce {index}",
            )
        )
    await session.commit()

    first = (await search_api.execute(NOTIFICATIONS, {}, watcher))["notifications"]
    second = (
        await search_api.execute(NOTIFICATIONS, {"after": first["pageInfo"]["endCursor"]}, watcher)
    )["notifications"]

    titles = [e["node"]["title"] for e in first["edges"] + second["edges"]]
    assert titles == [f"Annonce {index}" for index in reversed(range(12))]
    assert first["pageInfo"]["hasNextPage"] is True
    assert second["pageInfo"]["hasNextPage"] is False
    assert first["totalCount"] == 12


async def test_bad_alert_input_names_the_field(
    search_api: GraphQLClient, session: AsyncSession
) -> None:
    token = await a_lab(session)
    cases = [
        ({"text": "laser", "commune": "Guéret", "radiusKm": 2000}, "search.radiusKm"),
        ({"text": "laser", "near": {"lat": 100, "lon": 2}}, "search.near.lat"),
        ({"text": "laser", "radiusKm": 10}, "search.radiusKm"),
        (
            {"text": "laser", "availableFrom": "2027-03-01", "availableUntil": "2027-02-01"},
            "search.availableUntil",
        ),
        ({"text": "laser", "commune": "Nulle-Part-sur-Mer"}, "search.commune"),
        ({}, "search.text"),
    ]

    for search, field in cases:
        result = (
            await search_api.execute(CREATE, {"input": {"name": "x", "search": search}}, token)
        )["alertCreate"]
        assert result["__typename"] == "InputError", (search, result)
        assert [f["field"] for f in result["fields"]] == [field], (search, result)
    empty_name = await create_alert(search_api, token, name="", text="laser")
    assert [f["field"] for f in empty_name["fields"]] == ["name"]


async def test_a_person_has_at_most_fifty_alerts(
    search_api: GraphQLClient, session: AsyncSession
) -> None:
    token = await a_lab(session)
    await create_alert(search_api, token)
    alert = (await session.exec(select(Alert))).one()
    for index in range(MAX_ALERTS_PER_PERSON - 1):
        session.add(Alert(person_id=alert.person_id, name=f"Alerte {index}", search={"text": "x"}))
    await session.commit()

    result = await create_alert(search_api, token)

    assert result["__typename"] == "InputError"
    assert result["fields"][0]["field"] == "input"


async def test_only_its_owner_lists_and_deletes_an_alert(
    search_api: GraphQLClient, session: AsyncSession
) -> None:
    owner = await a_lab(session)
    other = await a_lab(session)
    alert_id = (await create_alert(search_api, owner))["alert"]["id"]
    alerts = "{ alerts { totalCount edges { node { id name search { text } } } } }"

    by_other = await search_api.execute(DELETE, {"id": alert_id}, other)
    seen_by_other = await search_api.execute(alerts, {}, other)
    node_for_other = await search_api.execute(
        "query($id: ID!) { node(id: $id) { id } }", {"id": alert_id}, other
    )
    not_an_alert = await search_api.execute(DELETE, {"id": to_global_id("Listing", 1)}, owner)
    listed = await search_api.execute(alerts, {}, owner)
    deleted = await search_api.execute(DELETE, {"id": alert_id}, owner)
    again = await search_api.execute(DELETE, {"id": alert_id}, owner)
    anonymous = await search_api.errors(DELETE, {"id": alert_id})

    assert by_other["alertDelete"]["__typename"] == "NotFoundError"
    assert seen_by_other["alerts"]["totalCount"] == 0
    assert node_for_other["node"] is None
    assert not_an_alert["alertDelete"]["__typename"] == "NotFoundError"
    assert listed["alerts"]["edges"][0]["node"] == {
        "id": alert_id,
        "name": "Laser",
        "search": {"text": "découpeuse laser"},
    }
    assert deleted["alertDelete"] == {"__typename": "AlertDeleteSuccess", "deletedId": alert_id}
    assert again["alertDelete"]["__typename"] == "NotFoundError"
    assert anonymous[0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_only_alerts_a_listing_could_match_are_searched(
    search_api: GraphQLClient,
    session: AsyncSession,
    database: Database,
    search_client: SearchClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    watcher = await a_lab(session)
    lender = await a_lab(session)
    await create_alert(search_api, watcher, "Compétence", text="laser", kinds=["SKILL"])
    await create_alert(search_api, watcher, "Demandes", text="laser", direction="REQUEST")
    await create_alert(search_api, watcher, "Paris", text="laser", commune="Paris", radiusKm=20)
    await create_alert(search_api, watcher, "Creuse", text="laser", departments=["23"])
    await create_alert(search_api, lender, "La mienne", text="laser")
    await publish(search_api, lender, title="Découpeuse laser Epilog", commune="Guéret")
    searched: list[str] = []
    real_search = search_client.search

    async def counting(index: str, body: dict[str, Any]) -> dict[str, Any]:
        searched.append(body["filter"])
        return await real_search(index, body)

    monkeypatch.setattr(search_client, "search", counting)
    await index_now(database, search_client)

    assert len(searched) == 1
    assert 'department IN ["23"]' in searched[0]
    assert await notified(search_api, watcher) == ["Découpeuse laser Epilog"]


async def test_alerts_wait_with_their_events_while_search_fails(
    search_api: GraphQLClient,
    session: AsyncSession,
    database: Database,
    search_client: SearchClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    watcher = await a_lab(session)
    lender = await a_lab(session)
    await create_alert(search_api, watcher)
    await publish(search_api, lender, title="Découpeuse laser Epilog", commune="Guéret")

    async def unavailable(index: str, body: dict[str, Any]) -> dict[str, Any]:
        raise SearchUnavailable("Meilisearch unreachable: test")

    with monkeypatch.context() as patched:
        patched.setattr(search_client, "search", unavailable)
        assert await drain_once(database, search_client) == 0
    pending = (
        await session.exec(select(OutboxEvent).where(col(OutboxEvent.processed_at).is_(None)))
    ).all()
    assert await notified(search_api, watcher) == []
    assert {event.attempts for event in pending} == {1}

    await session.exec(update(OutboxEvent).values(available_at=utcnow()))
    await session.commit()
    await index_now(database, search_client)

    assert await notified(search_api, watcher) == ["Découpeuse laser Epilog"]
