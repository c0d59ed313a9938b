"""Search "free during this window" against a real Meilisearch: busy days in the documents."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from core.db import Database, StatementCounter
from core.models import Booking, Listing, ListingKind, Organization
from search.availability import HORIZON_DAYS, busy_days, day_index
from search.client import SearchClient
from search.indexing import reindex
from search.listings_index import LISTINGS, SETTINGS
from search.relay import read_changes
from tests.factories import make_listing, make_organization
from tests.graphql import GraphQLClient
from tests.search.conftest import index_now

SEARCH = """
query($input: SearchInput!) { search(input: $input) { hits { listing { title } } } }
"""
TODAY = datetime.now(UTC).date()


def day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


def at(offset: int, hour: int = 0) -> datetime:
    return datetime.combine(day(offset), time(hour), tzinfo=UTC)


async def book(
    session: AsyncSession, listing: Listing, start: datetime, end: datetime, unit: int = 1
) -> Booking:
    assert listing.id is not None
    booking = Booking(listing_id=listing.id, unit=unit, starts_at=start, ends_at=end)
    session.add(booking)  # the outbox hook writes the listing's event: the relay re-pushes it
    await session.commit()
    return booking


async def free_titles(client: GraphQLClient, start: int, end: int, **search: Any) -> list[str]:
    window = {"freeFrom": day(start).isoformat(), "freeUntil": day(end).isoformat()}
    data = await client.execute(SEARCH, {"input": search | window})
    return sorted(hit["listing"]["title"] for hit in data["search"]["hits"])


async def an_organization(session: AsyncSession) -> Organization:
    return await make_organization(session)


def test_busy_days_need_every_unit_and_count_part_of_a_day() -> None:
    periods = [
        (1, at(10), at(20)),  # days 10..19: the end is exclusive
        (2, at(15, 22), at(16, 1)),  # two hours are enough to take days 15 and 16
        (3, at(0), at(30)),  # a unit the listing does not have
    ]

    assert busy_days(1, periods, TODAY) == [day_index(day(d)) for d in range(10, 20)]
    assert busy_days(2, periods, TODAY) == [day_index(day(15)), day_index(day(16))]
    assert busy_days(0, periods, TODAY) == []


def test_busy_days_keep_from_today_to_the_horizon() -> None:
    periods = [(1, at(-5), at(2)), (1, at(HORIZON_DAYS - 1), at(HORIZON_DAYS + 30))]

    days = busy_days(1, periods, TODAY)

    assert days == [day_index(day(d)) for d in (0, 1, HORIZON_DAYS - 1, HORIZON_DAYS)]


async def test_not_range_on_an_array_excludes_any_element_in_it(
    search_client: SearchClient,
) -> None:
    """What the `freeFrom` filter relies on, asked of Meilisearch itself."""
    documents: list[dict[str, Any]] = [
        {"id": 1, "busy_days": [5, 10]},
        {"id": 2, "busy_days": []},
        {"id": 3, "busy_days": [7]},
        {"id": 4},
    ]
    await search_client.wait_for_task(await search_client.add_documents(LISTINGS, documents))

    async def ids(expression: str) -> list[int]:
        result = await search_client.search(LISTINGS, {"q": "", "filter": expression})
        return sorted(int(hit["id"]) for hit in result["hits"])

    assert await ids("busy_days 6 TO 9") == [3]
    assert await ids("NOT busy_days 6 TO 9") == [1, 2, 4]
    assert await ids("NOT busy_days 8 TO 9") == [1, 2, 3, 4]
    assert await ids("NOT busy_days 10 TO 12") == [2, 3, 4]
    assert await ids("NOT busy_days IN [6, 7, 8, 9]") == [1, 2, 4]  # the same, spelled out


async def test_a_booked_machine_leaves_search_for_windows_overlapping_its_booking(
    search_api: GraphQLClient,
    session: AsyncSession,
    database: Database,
    search_client: SearchClient,
) -> None:
    organization = await an_organization(session)
    machine = await make_listing(session, organization, title="Découpeuse laser réservée")
    await make_listing(session, organization, title="Découpeuse laser libre")
    await book(session, machine, at(10), at(20))
    await index_now(database, search_client)
    both = ["Découpeuse laser libre", "Découpeuse laser réservée"]

    for start, end in [(12, 14), (5, 10), (19, 25), (1, 300)]:
        assert await free_titles(search_api, start, end) == ["Découpeuse laser libre"], (start, end)
    for start, end in [(1, 9), (20, 30), (0, 0), (9, 9), (20, 20)]:
        assert await free_titles(search_api, start, end) == both, (start, end)


async def test_equipment_with_a_free_unit_stays_searchable(
    search_api: GraphQLClient,
    session: AsyncSession,
    database: Database,
    search_client: SearchClient,
) -> None:
    organization = await an_organization(session)
    printers = await make_listing(
        session, organization, title="Imprimantes 3D", details={"quantity": 2}
    )
    await book(session, printers, at(10), at(20), unit=1)
    await index_now(database, search_client)

    assert await free_titles(search_api, 12, 14) == ["Imprimantes 3D"]

    await book(session, printers, at(13, 9), at(13, 17), unit=2)
    await index_now(database, search_client)

    assert await free_titles(search_api, 12, 14) == []
    assert await free_titles(search_api, 14, 16) == ["Imprimantes 3D"]


async def test_premises_blocked_by_their_owner_are_not_free(
    search_api: GraphQLClient,
    session: AsyncSession,
    database: Database,
    search_client: SearchClient,
) -> None:
    organization = await an_organization(session)
    hall = await make_listing(
        session, organization, title="Ancienne école", kind=ListingKind.PREMISES, details={}
    )
    await make_listing(
        session, organization, title="Atelier bois", kind=ListingKind.SKILL, details={}
    )
    blocked = Booking(
        listing_id=hall.id or 0, starts_at=at(30), ends_at=at(60), reason="Travaux de toiture"
    )
    session.add(blocked)
    await session.commit()
    await index_now(database, search_client)

    assert await free_titles(search_api, 40, 41) == ["Atelier bois"]
    assert await free_titles(search_api, 40, 41, kinds=["PREMISES"]) == []
    assert await free_titles(search_api, 60, 90, kinds=["PREMISES"]) == ["Ancienne école"]


async def test_a_window_outside_the_listing_dates_is_not_free(
    search_api: GraphQLClient,
    session: AsyncSession,
    database: Database,
    search_client: SearchClient,
) -> None:
    organization = await an_organization(session)
    await make_listing(
        session, organization, title="Salle en été", available_from=day(5), available_until=day(50)
    )
    await session.commit()
    await index_now(database, search_client)

    assert await free_titles(search_api, 10, 20) == ["Salle en été"]
    assert await free_titles(search_api, 1, 10) == []
    assert await free_titles(search_api, 40, 60) == []


async def test_a_freed_machine_comes_back_once_pushed_again(
    search_api: GraphQLClient,
    session: AsyncSession,
    database: Database,
    search_client: SearchClient,
) -> None:
    organization = await an_organization(session)
    machine = await make_listing(session, organization, title="Scie à format")
    booking = await book(session, machine, at(3), at(8))
    await index_now(database, search_client)
    assert await free_titles(search_api, 4, 4) == []

    await session.delete(booking)
    await session.commit()
    await index_now(database, search_client)

    assert await free_titles(search_api, 4, 4) == ["Scie à format"]


async def test_reindex_and_updated_settings_carry_busy_days(
    session: AsyncSession, database: Database, search_client: SearchClient
) -> None:
    organization = await an_organization(session)
    machine = await make_listing(session, organization, title="Fraiseuse")
    await book(session, machine, at(2, 14), at(3, 10))

    await reindex(database, search_client)

    documents = await search_client.documents(LISTINGS)
    assert [d["busy_days"] for d in documents] == [[day_index(day(2)), day_index(day(3))]]
    # An index made before `busy_days` was filterable, then updated as `ensure_indexes` does at
    # start-up: the documents it already holds become filterable on it.
    older = "listings_before_busy_days"
    await search_client.delete_index(older)
    await search_client.create_index(older, {**SETTINGS, "filterableAttributes": ["id"]})
    await search_client.wait_for_task(await search_client.add_documents(older, documents))
    await search_client.create_index(older, SETTINGS)
    found = await search_client.search(older, {"filter": f"busy_days = {day_index(day(3))}"})
    await search_client.delete_index(older)
    assert [hit["id"] for hit in found["hits"]] == [machine.id]


async def test_busy_days_of_a_batch_cost_one_query(
    session: AsyncSession, statements: StatementCounter
) -> None:
    organization = await an_organization(session)
    machines = [await make_listing(session, organization) for _ in range(12)]
    for index, machine in enumerate(machines):
        await book(session, machine, at(index), at(index + 1))
    ids = [machine.id or 0 for machine in machines]
    costs = []

    for batch in (ids[:2], ids):
        before = statements.total
        changes = await read_changes(session, batch)
        costs.append(statements.total - before)

    assert costs[0] == costs[1]
    assert {d["id"]: d["busy_days"] for d in changes.documents} == {
        machine.id: [day_index(day(index))] for index, machine in enumerate(machines)
    }


async def test_bad_free_window_names_the_argument(search_api: GraphQLClient) -> None:
    cases = [
        ("freeUntil", {"freeFrom": "2027-03-01"}),
        ("freeFrom", {"freeUntil": "2027-03-01"}),
        ("freeUntil", {"freeFrom": "2027-03-02", "freeUntil": "2027-03-01"}),
        ("freeUntil", {"freeFrom": "2027-01-01", "freeUntil": "2028-01-02"}),  # 367 days
    ]
    longest = {"freeFrom": "2027-01-01", "freeUntil": "2028-01-01"}  # 366 days

    for field, given in cases:
        errors = await search_api.errors(SEARCH, {"input": given})
        assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT", (field, errors)
        assert errors[0]["extensions"]["field"] == field, (given, errors)
    assert (await search_api.execute(SEARCH, {"input": longest}))["search"]["hits"] == []
