"""Exchanges through the API: the life of a loan, a donation and a skill session; every illegal
move refused as a typed error with nothing written; idempotent requests; the calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import (
    Exchange,
    ExchangeEvent,
    ExchangeMessage,
    ListingKind,
    ListingStatus,
    Notification,
    Organization,
    OrganizationKind,
    Role,
    Visibility,
)
from schema.relay import to_global_id
from tests.factories import Member, make_listing, make_member, make_organization, make_space
from tests.graphql import GraphQLClient

RESULT = """
    __typename
    ... on ExchangeChangeSuccess { exchange {
      id state awaiting startsAt endsAt quantity unit reason startNote endNote
      viewerActions events { kind fromState toState note actorName }
      impact { kgReused distanceKm equipmentDays premisesDays skillHours }
    } }
    ... on Error { message }
    ... on InputError { fields { field message } }
"""
REQUEST = (
    f"mutation($input: ExchangeRequestInput!) {{ exchangeRequest(input: $input) {{ {RESULT} }} }}"
)


def transition(name: str, argument: str = "note") -> str:
    return f'mutation($id: ID!, $text: String! = "") {{ {name}(id: $id, {argument}: $text) {{ {RESULT} }} }}'


ACCEPT = transition("exchangeAccept")
DECLINE = transition("exchangeDecline", "reason")
CANCEL = transition("exchangeCancel", "reason")
START = transition("exchangeStart")
COMPLETE = transition("exchangeComplete")
PROPOSE = (
    f"mutation($input: ExchangeProposeInput!) {{ exchangePropose(input: $input) {{ {RESULT} }} }}"
)
MESSAGE = """
mutation($input: ExchangeMessageSendInput!) { exchangeMessageSend(input: $input) {
  __typename
  ... on ExchangeMessageSendSuccess { exchangeMessage { id body authorName mine organization { name } } }
  ... on Error { message }
  ... on InputError { fields { field message } }
} }
"""


@dataclass
class Scene:
    lab: Organization
    commune: Organization
    lab_admin: Member
    lab_member: Member
    agent: Member
    stranger: Member


@pytest.fixture
async def scene(session: AsyncSession) -> Scene:
    lab = await make_organization(session, "Fablab de Guéret")
    commune = await make_organization(
        session, "Commune de Montreuil", OrganizationKind.COLLECTIVITE
    )
    other = await make_organization(session, "Ailleurs")
    await make_space(session, commune, latitude=48.8638, longitude=2.4485, name="Mairie")
    return Scene(
        lab=lab,
        commune=commune,
        lab_admin=await make_member(session, lab, Role.ADMIN),
        lab_member=await make_member(session, lab, Role.MEMBER),
        agent=await make_member(session, commune, Role.MEMBER),
        stranger=await make_member(session, other, Role.ADMIN),
    )


async def machine(session: AsyncSession, scene: Scene, **fields: Any) -> str:
    listing = await make_listing(session, scene.lab, latitude=46.17, longitude=1.87, **fields)
    assert listing.id is not None
    return to_global_id("Listing", listing.id)


def period(start: str, end: str) -> dict[str, str]:
    return {"startsAt": f"{start}T09:00:00+00:00", "endsAt": f"{end}T09:00:00+00:00"}


async def request(client: GraphQLClient, token: str, **input: Any) -> dict[str, Any]:
    data = await client.execute(REQUEST, {"input": input}, token)
    return data["exchangeRequest"]  # type: ignore[no-any-return]


async def act(
    client: GraphQLClient, mutation: str, exchange_id: str, token: str, text: str = ""
) -> dict[str, Any]:
    data = await client.execute(mutation, {"id": exchange_id, "text": text}, token)
    return next(iter(data.values()))  # type: ignore[no-any-return]


async def count(session: AsyncSession, model: type[Any]) -> int:
    return int((await session.exec(select(func.count()).select_from(model))).one())


async def test_a_loan_from_request_to_return(
    client: GraphQLClient, session: AsyncSession, scene: Scene
) -> None:
    listing_id = await machine(session, scene)
    asked = await request(
        client,
        scene.agent.token,
        listingId=listing_id,
        message="Pour l'atelier du 3 mars",
        inReturn="10 h d'animation",
        **period("2027-03-01", "2027-03-08"),
    )
    assert asked["__typename"] == "ExchangeChangeSuccess", asked
    exchange = asked["exchange"]
    assert exchange["state"] == "REQUESTED"
    assert exchange["awaiting"] == "OWNER"
    assert exchange["viewerActions"] == ["MESSAGE", "CANCEL"]
    notified = (await session.exec(select(Notification.person_id))).all()
    assert set(notified) == {scene.lab_admin.person.id, scene.lab_member.person.id}

    accepted = await act(client, ACCEPT, exchange["id"], scene.lab_admin.token, "Bien reçu")
    assert accepted["exchange"]["state"] == "ACCEPTED"
    assert accepted["exchange"]["unit"] == 1
    started = await act(client, START, exchange["id"], scene.lab_admin.token, "Bon état")
    assert started["exchange"]["startNote"] == "Bon état"
    done = await act(client, COMPLETE, exchange["id"], scene.lab_admin.token, "Rendue propre")
    final = done["exchange"]
    assert final["state"] == "COMPLETED"
    assert [e["kind"] for e in final["events"]] == ["REQUESTED", "ACCEPTED", "STARTED", "COMPLETED"]
    assert [e["toState"] for e in final["events"]] == [
        "REQUESTED", "ACCEPTED", "IN_PROGRESS", "COMPLETED",
    ]  # fmt: skip
    assert final["impact"]["equipmentDays"] == 7.0
    assert 300 < final["impact"]["distanceKm"] < 330  # Guéret to Montreuil, as the crow flies
    kinds = (await session.exec(select(Notification.kind))).all()
    assert "EXCHANGE_COMPLETED" in kinds
    assert "EXCHANGE_ACCEPTED" in kinds


async def test_overlapping_requests_book_once_and_back_to_back_both(
    client: GraphQLClient, session: AsyncSession, scene: Scene
) -> None:
    listing_id = await machine(session, scene)
    first = await request(
        client, scene.agent.token, listingId=listing_id, **period("2027-03-01", "2027-03-10")
    )
    overlapping = await request(
        client, scene.stranger.token, listingId=listing_id, **period("2027-03-05", "2027-03-12")
    )
    after = await request(
        client, scene.stranger.token, listingId=listing_id, **period("2027-03-10", "2027-03-20")
    )
    ids = [r["exchange"]["id"] for r in (first, overlapping, after)]
    assert (await act(client, ACCEPT, ids[0], scene.lab_admin.token))["exchange"][
        "state"
    ] == "ACCEPTED"
    refused = await act(client, ACCEPT, ids[1], scene.lab_admin.token)
    assert refused["__typename"] == "ConflictError"
    assert (await act(client, ACCEPT, ids[2], scene.lab_admin.token))["exchange"][
        "state"
    ] == "ACCEPTED"
    # A new request over a booked period is refused at once, naming the field.
    late = await request(
        client, scene.stranger.token, listingId=listing_id, **period("2027-03-02", "2027-03-03")
    )
    assert late["__typename"] == "InputError"
    assert late["fields"][0]["field"] == "startsAt"


async def test_two_units_take_two_overlapping_loans(
    client: GraphQLClient, session: AsyncSession, scene: Scene
) -> None:
    listing_id = await machine(session, scene, details={"quantity": 2})
    a = await request(
        client, scene.agent.token, listingId=listing_id, **period("2027-03-01", "2027-03-10")
    )
    b = await request(
        client, scene.stranger.token, listingId=listing_id, **period("2027-03-05", "2027-03-12")
    )
    units = [
        (await act(client, ACCEPT, r["exchange"]["id"], scene.lab_admin.token))["exchange"]["unit"]
        for r in (a, b)
    ]
    assert units == [1, 2]


async def test_illegal_moves_are_typed_errors_that_write_nothing(
    client: GraphQLClient, session: AsyncSession, scene: Scene
) -> None:
    listing_id = await machine(session, scene)
    asked = await request(
        client, scene.agent.token, listingId=listing_id, **period("2027-04-01", "2027-04-03")
    )
    exchange_id = asked["exchange"]["id"]
    before = (await count(session, ExchangeEvent), await count(session, Notification))

    third_party = await act(client, ACCEPT, exchange_id, scene.stranger.token)
    assert third_party["__typename"] == "NotFoundError"
    without_role = await act(client, ACCEPT, exchange_id, scene.lab_member.token)
    assert without_role["__typename"] == "NotAllowedError"
    requester_accepts = await act(client, ACCEPT, exchange_id, scene.agent.token)
    assert requester_accepts["__typename"] == "NotAllowedError"
    too_early = await act(client, COMPLETE, exchange_id, scene.lab_admin.token)
    assert too_early["__typename"] == "ConflictError"
    not_started = await act(client, START, exchange_id, scene.lab_admin.token)
    assert not_started["__typename"] == "ConflictError"
    assert (await count(session, ExchangeEvent), await count(session, Notification)) == before

    cancelled = await act(client, CANCEL, exchange_id, scene.agent.token, "Plus besoin")
    assert cancelled["exchange"]["state"] == "CANCELLED"
    assert cancelled["exchange"]["reason"] == "Plus besoin"
    before = (await count(session, ExchangeEvent), await count(session, Notification))
    for mutation in (ACCEPT, DECLINE, CANCEL, START, COMPLETE):
        result = await act(client, mutation, exchange_id, scene.lab_admin.token)
        assert result["__typename"] == "ConflictError", (mutation, result)
    assert (await count(session, ExchangeEvent), await count(session, Notification)) == before
    row = (await session.exec(select(Exchange))).one()
    assert row.state == "CANCELLED"


async def test_the_publisher_decides_without_the_admin_role(
    client: GraphQLClient, session: AsyncSession, scene: Scene
) -> None:
    listing_id = await machine(session, scene, created_by_id=scene.lab_member.person.id)
    asked = await request(
        client, scene.agent.token, listingId=listing_id, **period("2027-04-01", "2027-04-03")
    )
    declined = await act(
        client, DECLINE, asked["exchange"]["id"], scene.lab_member.token, "En panne"
    )
    assert declined["exchange"]["state"] == "DECLINED"
    assert declined["exchange"]["reason"] == "En panne"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        (period("2027-03-10", "2027-03-01"), "endsAt"),
        (period("2025-03-01", "2025-03-10"), "endsAt"),
        ({"startsAt": "2027-03-01T09:00:00"} | {"endsAt": "2027-03-02T09:00:00+00:00"}, "startsAt"),
        (period("2027-03-01", "2029-03-01"), "endsAt"),  # past the listing's last day
        ({"startsAt": "2027-03-01T09:00:00+00:00"}, "endsAt"),
        ({}, "startsAt"),
        (period("2027-03-01", "2027-03-02") | {"quantity": 2}, "quantity"),
        (period("2027-03-01", "2027-03-02") | {"message": "x" * 5001}, "message"),
        (period("2027-03-01", "2027-03-02") | {"inReturn": "x" * 1001}, "inReturn"),
        (period("2027-03-01", "2027-03-02") | {"idempotencyKey": "a b"}, "idempotencyKey"),
        (
            period("2027-03-01", "2027-03-02") | {"spaceId": to_global_id("Space", 999999)},
            "spaceId",
        ),
        (period("2027-03-01", "2027-03-02") | {"spaceId": "nonsense"}, "spaceId"),
    ],
)
async def test_bad_requests_name_their_field_and_write_nothing(
    client: GraphQLClient,
    session: AsyncSession,
    scene: Scene,
    fields: dict[str, Any],
    field: str,
) -> None:
    listing_id = await machine(session, scene, available_until=date(2028, 12, 31))
    result = await request(client, scene.agent.token, listingId=listing_id, **fields)
    assert result["__typename"] == "InputError", result
    assert [f["field"] for f in result["fields"]] == [field]
    assert await count(session, Exchange) == 0
    assert await count(session, Notification) == 0


@pytest.mark.parametrize("case", ["own", "withdrawn", "private", "draft", "unknown", "space"])
async def test_listings_that_cannot_be_requested(
    client: GraphQLClient, session: AsyncSession, scene: Scene, case: str
) -> None:
    fields: dict[str, Any] = {
        "withdrawn": {"status": ListingStatus.WITHDRAWN},
        "private": {"visibility": Visibility.PRIVATE},
        "draft": {"status": ListingStatus.DRAFT},
    }.get(case, {})
    listing_id = await machine(session, scene, **fields)
    if case == "unknown":
        listing_id = to_global_id("Listing", 999_999)
    if case == "space":
        listing_id = to_global_id("Space", 1)
    token = scene.lab_member.token if case == "own" else scene.agent.token
    result = await request(
        client, token, listingId=listing_id, **period("2027-03-01", "2027-03-02")
    )
    assert result["__typename"] == "InputError", result
    assert result["fields"][0]["field"] == "listingId"
    assert await count(session, Exchange) == 0


async def test_materials_are_taken_until_none_is_left(
    client: GraphQLClient, session: AsyncSession, scene: Scene
) -> None:
    listing_id = await machine(
        session,
        scene,
        kind=ListingKind.MATERIAL,
        title="30 portes isoplanes",
        details={"quantity": 30, "unit": "unit", "unit_weight_kg": 12.5},
    )
    too_much = await request(client, scene.agent.token, listingId=listing_id, quantity=31)
    assert too_much["__typename"] == "InputError"
    assert too_much["fields"][0]["field"] == "quantity"
    zero = await request(client, scene.agent.token, listingId=listing_id, quantity=0)
    assert zero["fields"][0]["field"] == "quantity"

    first = await request(client, scene.agent.token, listingId=listing_id, quantity=20)
    second = await request(client, scene.stranger.token, listingId=listing_id, quantity=20)
    assert (await act(client, ACCEPT, first["exchange"]["id"], scene.lab_admin.token))["exchange"][
        "state"
    ] == "ACCEPTED"
    over = await act(client, ACCEPT, second["exchange"]["id"], scene.lab_admin.token)
    assert over["__typename"] == "ConflictError"
    assert "10" in over["message"]

    last = await request(client, scene.stranger.token, listingId=listing_id, quantity=10)
    await act(client, ACCEPT, last["exchange"]["id"], scene.lab_admin.token)
    query = "query($id: ID!) { node(id: $id) { ... on Listing { status remainingQuantity } } }"
    owner_view = await client.execute(query, {"id": listing_id}, scene.lab_admin.token)
    assert owner_view["node"] == {"status": "FULFILLED", "remainingQuantity": 0.0}

    # Cancelling an accepted donation gives the quantity back, and the offer is live again.
    await act(client, CANCEL, last["exchange"]["id"], scene.stranger.token)
    owner_view = await client.execute(query, {"id": listing_id}, scene.lab_admin.token)
    assert owner_view["node"] == {"status": "PUBLISHED", "remainingQuantity": 10.0}

    await act(client, START, first["exchange"]["id"], scene.lab_admin.token)
    done = await act(client, COMPLETE, first["exchange"]["id"], scene.lab_admin.token)
    assert done["exchange"]["impact"]["kgReused"] == 250.0

    # The owner finds ten more doors: what is left moves with the quantity.
    update = """mutation($id: ID!, $input: ListingUpdateInput!) { listingUpdate(id: $id, input: $input) {
      __typename ... on ListingSuccess { listing { remainingQuantity } } } }"""
    details = {"material": {"quantity": 40, "unit": "unit", "unitWeightKg": 12.5}}
    updated = await client.execute(
        update, {"id": listing_id, "input": {"details": details}}, scene.lab_admin.token
    )
    assert updated["listingUpdate"]["listing"]["remainingQuantity"] == 20.0


async def test_same_idempotency_key_ten_times_creates_one_exchange(
    client: GraphQLClient, session: AsyncSession, scene: Scene
) -> None:
    listing_id = await machine(session, scene)
    input = {"listingId": listing_id, "idempotencyKey": "req-42"} | period(
        "2027-05-01", "2027-05-02"
    )
    ids = {(await request(client, scene.agent.token, **input))["exchange"]["id"] for _ in range(10)}
    assert len(ids) == 1
    assert await count(session, Exchange) == 1
    assert await count(session, ExchangeEvent) == 1
    other = await request(client, scene.agent.token, **(input | period("2027-05-03", "2027-05-04")))
    assert other["__typename"] == "ConflictError"
    assert await count(session, Exchange) == 1


async def test_the_owner_proposes_another_period_and_the_requester_accepts_it(
    client: GraphQLClient, session: AsyncSession, scene: Scene
) -> None:
    listing_id = await machine(session, scene)
    asked = await request(
        client, scene.agent.token, listingId=listing_id, **period("2027-06-01", "2027-06-05")
    )
    exchange_id = asked["exchange"]["id"]
    proposal = {"id": exchange_id, "note": "Plutôt la semaine suivante"} | period(
        "2027-06-08", "2027-06-12"
    )
    proposed = (await client.execute(PROPOSE, {"input": proposal}, scene.lab_admin.token))[
        "exchangePropose"
    ]
    assert proposed["exchange"]["awaiting"] == "REQUESTER"
    assert proposed["exchange"]["startsAt"].startswith("2027-06-08")
    own_proposal = await act(client, ACCEPT, exchange_id, scene.lab_admin.token)
    assert own_proposal["__typename"] == "ConflictError"
    assert proposed["exchange"]["viewerActions"] == ["MESSAGE", "CANCEL"]
    declined = await act(client, DECLINE, exchange_id, scene.lab_admin.token)
    assert declined["__typename"] == "ConflictError"
    agreed = await act(client, ACCEPT, exchange_id, scene.agent.token)
    assert agreed["exchange"]["state"] == "ACCEPTED"
    assert [e["kind"] for e in agreed["exchange"]["events"]] == [
        "REQUESTED",
        "PROPOSED",
        "ACCEPTED",
    ]


async def test_messages_stay_between_the_two_organizations(
    client: GraphQLClient, session: AsyncSession, scene: Scene
) -> None:
    listing_id = await machine(session, scene)
    asked = await request(
        client,
        scene.agent.token,
        listingId=listing_id,
        message="Bonjour",
        **period("2027-06-01", "2027-06-05"),
    )
    exchange_id = asked["exchange"]["id"]
    sent = await client.execute(
        MESSAGE,
        {"input": {"exchangeId": exchange_id, "body": "Avec plaisir", "idempotencyKey": "m1"}},
        scene.lab_admin.token,
    )
    assert sent["exchangeMessageSend"]["exchangeMessage"]["mine"] is True
    again = await client.execute(
        MESSAGE,
        {"input": {"exchangeId": exchange_id, "body": "Avec plaisir", "idempotencyKey": "m1"}},
        scene.lab_admin.token,
    )
    assert (
        again["exchangeMessageSend"]["exchangeMessage"]["id"]
        == sent["exchangeMessageSend"]["exchangeMessage"]["id"]
    )
    too_long = await client.execute(
        MESSAGE, {"input": {"exchangeId": exchange_id, "body": "x" * 5001}}, scene.agent.token
    )
    assert too_long["exchangeMessageSend"]["fields"][0]["field"] == "body"
    outsider = await client.execute(
        MESSAGE, {"input": {"exchangeId": exchange_id, "body": "Hé"}}, scene.stranger.token
    )
    assert outsider["exchangeMessageSend"]["__typename"] == "NotFoundError"
    assert await count(session, ExchangeMessage) == 2

    thread = """query($id: ID!) { node(id: $id) { ... on Exchange {
      messages { edges { node { body authorName mine organization { name } } } } } } }"""
    seen = await client.execute(thread, {"id": exchange_id}, scene.agent.token)
    bodies = [(e["node"]["body"], e["node"]["mine"]) for e in seen["node"]["messages"]["edges"]]
    assert bodies == [("Bonjour", True), ("Avec plaisir", False)]
    assert "@" not in str(seen)
    hidden = await client.execute(thread, {"id": exchange_id}, scene.stranger.token)
    assert hidden["node"] is None
    kinds = (
        await session.exec(
            select(Notification.kind).where(Notification.person_id == scene.agent.person.id)
        )
    ).all()
    assert kinds == ["EXCHANGE_MESSAGE"]


async def test_the_calendar_shows_bookings_and_blocks_and_the_free_slots(
    client: GraphQLClient, session: AsyncSession, scene: Scene
) -> None:
    listing_id = await machine(session, scene)
    asked = await request(
        client, scene.agent.token, listingId=listing_id, **period("2027-03-03", "2027-03-05")
    )
    await act(client, ACCEPT, asked["exchange"]["id"], scene.lab_admin.token)
    block = """mutation($input: ListingBlockInput!) { listingBlock(input: $input) {
      __typename ... on ListingBlockSuccess { entry { id blocked } } ... on InputError { fields { field } } } }"""
    blocked = await client.execute(
        block,
        {
            "input": {"listingId": listing_id, "reason": "Maintenance"}
            | period("2027-03-07", "2027-03-08")
        },
        scene.lab_member.token,
    )
    assert blocked["listingBlock"]["entry"]["blocked"] is True
    overlapping = await client.execute(
        block,
        {"input": {"listingId": listing_id} | period("2027-03-04", "2027-03-06")},
        scene.lab_member.token,
    )
    assert overlapping["listingBlock"]["fields"][0]["field"] == "startsAt"

    query = """query($id: ID!) { node(id: $id) { ... on Listing {
      availability(from: "2027-03-01", to: "2027-03-10") { startsAt endsAt freeUnits }
      calendar(from: "2027-03-01", to: "2027-03-10") { blocked reason exchangeId startsAt }
    } } }"""
    for token, reason in ((scene.agent.token, None), (scene.lab_member.token, "Maintenance")):
        seen = (await client.execute(query, {"id": listing_id}, token))["node"]
        assert [(s["startsAt"][:13], s["endsAt"][:13]) for s in seen["availability"]] == [
            ("2027-03-01T00", "2027-03-03T09"),
            ("2027-03-05T09", "2027-03-07T09"),
            ("2027-03-08T09", "2027-03-11T00"),
        ]
        assert [(c["blocked"], c["reason"]) for c in seen["calendar"]] == [
            (False, None),
            (True, reason),
        ]
        assert seen["calendar"][0]["exchangeId"] == asked["exchange"]["id"]
    outsider = (await client.execute(query, {"id": listing_id}, scene.stranger.token))["node"]
    assert outsider["calendar"][0]["exchangeId"] is None

    unblock = "mutation($id: ID!) { listingUnblock(id: $id) { __typename } }"
    entry_id = blocked["listingBlock"]["entry"]["id"]
    refused = await client.execute(unblock, {"id": entry_id}, scene.agent.token)
    assert refused["listingUnblock"]["__typename"] == "NotFoundError"
    done = await client.execute(unblock, {"id": entry_id}, scene.lab_member.token)
    assert done["listingUnblock"]["__typename"] == "ListingUnblockSuccess"
    errors = await client.errors(
        """query($id: ID!) { node(id: $id) { ... on Listing {
          availability(from: "2027-03-10", to: "2027-03-01") { startsAt } } } }""",
        {"id": listing_id},
    )
    assert errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "to"}


async def test_exchanges_lists_the_viewers_by_side_and_state(
    client: GraphQLClient, session: AsyncSession, scene: Scene
) -> None:
    listing_id = await machine(session, scene)
    a = await request(
        client, scene.agent.token, listingId=listing_id, **period("2027-03-01", "2027-03-02")
    )
    await request(
        client, scene.stranger.token, listingId=listing_id, **period("2027-03-01", "2027-03-02")
    )
    await act(client, ACCEPT, a["exchange"]["id"], scene.lab_admin.token)
    query = """query($filter: ExchangeFilter) { exchanges(filter: $filter) { totalCount
      edges { node { state requester { name } listing { title } } } } }"""
    mine = await client.execute(query, {}, scene.agent.token)
    assert mine["exchanges"]["totalCount"] == 1
    owner = await client.execute(
        query, {"filter": {"side": "OWNER", "states": ["REQUESTED"]}}, scene.lab_admin.token
    )
    assert [e["node"]["requester"]["name"] for e in owner["exchanges"]["edges"]] == ["Ailleurs"]
    errors = await client.errors(query, {})
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_notifications_point_to_the_exchange_for_the_other_side_only(
    client: GraphQLClient, session: AsyncSession, scene: Scene
) -> None:
    listing_id = await machine(session, scene)
    asked = await request(
        client, scene.agent.token, listingId=listing_id, **period("2027-03-01", "2027-03-02")
    )
    query = """{ notifications { unreadCount edges { node { kind title
      exchange { id state } listing { id } } } } }"""
    owner = (await client.execute(query, {}, scene.lab_member.token))["notifications"]
    assert owner["unreadCount"] == 1
    node = owner["edges"][0]["node"]
    assert node["kind"] == "EXCHANGE_REQUESTED"
    assert node["title"].startswith("Nouvelle demande : Découpeuse laser")
    assert node["exchange"] == {"id": asked["exchange"]["id"], "state": "REQUESTED"}
    assert node["listing"] == {"id": listing_id}
    requester = (await client.execute(query, {}, scene.agent.token))["notifications"]
    assert requester["unreadCount"] == 0
