"""No double booking under real concurrency: many accepts at once on one machine, over HTTP.

The per-test rolled-back connection cannot show this: every request would share one transaction.
Here the app runs under uvicorn on a database of its own (a PostgreSQL database, or a fresh SQLite
file), so each request gets its own connection and its own transaction, and they really race.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import bindparam, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.db import Database
from core.models import (
    Booking,
    Exchange,
    ExchangeEvent,
    ExchangeState,
    Notification,
    NotificationKind,
    Organization,
    Role,
)
from core.models.base import UtcDateTime
from core.settings import Settings
from schema.relay import to_global_id
from tests.factories import make_listing, make_member, make_organization
from tests.served_app import Served, own_database
from tests.served_app import served as serve_in_this_loop

CLIENTS = 50
RESULT = """
    __typename
    ... on ExchangeChangeSuccess { exchange { id state unit } }
    ... on Error { message }
"""
REQUEST = (
    f"mutation($input: ExchangeRequestInput!) {{ exchangeRequest(input: $input) {{ {RESULT} }} }}"
)
ACCEPT = f"mutation($id: ID!) {{ exchangeAccept(id: $id) {{ {RESULT} }} }}"
DAY = datetime(2030, 3, 1, 9, tzinfo=UTC)


@pytest.fixture(scope="module")
async def own_settings(settings: Settings, tmp_folder: Path) -> AsyncIterator[Settings]:
    """A freshly migrated database for this module only, on the backend under test."""
    async with own_database(settings, tmp_folder, "exchange_race") as own:
        yield own


@pytest.fixture(scope="module")
async def served(own_settings: Settings) -> AsyncIterator[Served]:
    async with serve_in_this_loop(own_settings) as app:
        yield app


@pytest.fixture
async def http(served: Served) -> AsyncIterator[httpx.AsyncClient]:
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=served.base_url, timeout=60, limits=limits) as client:
        yield client


@dataclass(frozen=True)
class Machine:
    listing_id: int
    global_id: str
    admin_token: str
    requesters: list[str]
    """One member token per requesting organization."""


async def machine_with_requesters(database: Database, requesters: int) -> Machine:
    """Given a fablab's one laser cutter and `requesters` other organizations, committed."""
    async with database.session() as session:
        lab = await make_organization(session, "Fablab de Guéret")
        admin = await make_member(session, lab, Role.ADMIN)
        listing = await make_listing(session, lab, details={"quantity": 1})
        tokens = []
        for index in range(requesters):
            organization = await make_organization(session, f"Tiers-lieu {index}")
            tokens.append((await make_member(session, organization, Role.MEMBER)).token)
        await session.commit()
        assert listing.id is not None
        return Machine(listing.id, to_global_id("Listing", listing.id), admin.token, tokens)


async def post(
    http: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str
) -> dict[str, Any]:
    """The mutation's result: the HTTP answer must be a 200 without top-level errors."""
    answer = await http.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert "errors" not in body, body["errors"]
    result: dict[str, Any] = next(iter(body["data"].values()))
    return result


def period(starts_at: datetime, ends_at: datetime) -> dict[str, str]:
    return {"startsAt": starts_at.isoformat(), "endsAt": ends_at.isoformat()}


async def request_all(
    http: httpx.AsyncClient, machine: Machine, periods: list[dict[str, str]]
) -> list[str]:
    asked = await asyncio.gather(
        *(
            post(http, REQUEST, {"input": {"listingId": machine.global_id, **p}}, token)
            for token, p in zip(machine.requesters, periods, strict=True)
        )
    )
    assert {a["__typename"] for a in asked} == {"ExchangeChangeSuccess"}, asked
    return [a["exchange"]["id"] for a in asked]


async def accept_all(http: httpx.AsyncClient, token: str, ids: list[str]) -> list[dict[str, Any]]:
    return list(await asyncio.gather(*(post(http, ACCEPT, {"id": i}, token) for i in ids)))


async def count(session: AsyncSession, model: type[Any], *where: Any) -> int:
    statement = select(func.count()).select_from(model).where(*where)
    return int((await session.exec(statement)).one())


async def test_fifty_concurrent_accepts_of_overlapping_requests_book_the_machine_once(
    served: Served, http: httpx.AsyncClient
) -> None:
    machine = await machine_with_requesters(served.database, CLIENTS)
    # Every period contains 2030-03-04 09:00: each request overlaps all the others.
    periods = [
        period(DAY + timedelta(hours=i), DAY + timedelta(days=5, hours=i)) for i in range(CLIENTS)
    ]
    ids = await request_all(http, machine, periods)

    answers = await accept_all(http, machine.admin_token, ids)

    kinds = Counter(a["__typename"] for a in answers)
    assert kinds == {"ExchangeChangeSuccess": 1, "ConflictError": CLIENTS - 1}, answers
    async with served.database.session() as session:
        bookings = (
            await session.exec(select(Booking).where(Booking.listing_id == machine.listing_id))
        ).all()
        exchanges = (
            await session.exec(select(Exchange).where(Exchange.listing_id == machine.listing_id))
        ).all()
        states = Counter(e.state for e in exchanges)
        assert states == {ExchangeState.ACCEPTED: 1, ExchangeState.REQUESTED: CLIENTS - 1}
        accepted = next(e for e in exchanges if e.state == ExchangeState.ACCEPTED)
        assert [(b.exchange_id, b.unit) for b in bookings] == [(accepted.id, 1)]
        refused = [e.id for e in exchanges if e.state == ExchangeState.REQUESTED]
        # The refused ones kept their one REQUESTED event, and nobody was told they were accepted.
        events = (
            await session.exec(
                select(ExchangeEvent.exchange_id, func.count())
                .where(col(ExchangeEvent.exchange_id).in_(refused))
                .group_by(col(ExchangeEvent.exchange_id))
            )
        ).all()
        assert sorted(events) == sorted((i, 1) for i in refused)
        assert all(e.awaiting is not None and e.unit is None for e in exchanges if e.id in refused)
        accept_notices = await count(
            session,
            Notification,
            col(Notification.exchange_id).in_(refused),
            Notification.kind == NotificationKind.EXCHANGE_ACCEPTED,
        )
        assert accept_notices == 0


async def test_back_to_back_periods_accepted_at_once_are_both_booked(
    served: Served, http: httpx.AsyncClient
) -> None:
    machine = await machine_with_requesters(served.database, 2)
    ten, twenty = DAY + timedelta(days=9), DAY + timedelta(days=19)
    ids = await request_all(http, machine, [period(DAY, ten), period(ten, twenty)])

    answers = await accept_all(http, machine.admin_token, ids)

    assert [a["exchange"]["state"] for a in answers] == ["ACCEPTED", "ACCEPTED"], answers
    assert [a["exchange"]["unit"] for a in answers] == [1, 1]
    async with served.database.session() as session:
        booked = await count(session, Booking, Booking.listing_id == machine.listing_id)
    assert booked == 2


async def test_ten_concurrent_requests_with_one_idempotency_key_create_one_exchange(
    served: Served, http: httpx.AsyncClient
) -> None:
    machine = await machine_with_requesters(served.database, 1)
    token = machine.requesters[0]
    payload = {
        "listingId": machine.global_id,
        "idempotencyKey": "demande-laser-2030-03",
        "message": "Pour l'atelier de mars",
        **period(DAY, DAY + timedelta(days=2)),
    }

    answers = await asyncio.gather(
        *(post(http, REQUEST, {"input": payload}, token) for _ in range(10))
    )

    assert {a["__typename"] for a in answers} == {"ExchangeChangeSuccess"}, answers
    assert len({a["exchange"]["id"] for a in answers}) == 1
    async with served.database.session() as session:
        assert await count(session, Exchange, Exchange.listing_id == machine.listing_id) == 1
        exchange_ids = select(Exchange.id).where(Exchange.listing_id == machine.listing_id)
        events = await count(
            session, ExchangeEvent, col(ExchangeEvent.exchange_id).in_(exchange_ids)
        )
        assert events == 1


# --- the database's own guard, bypassing the service --------------------------------------------

# Plain SQL; only the moments are bound through the app's column type, so SQLite gets the same
# text format as the rows the app writes (and the trigger compares like with like).
INSERT_BOOKING = text(
    "INSERT INTO booking (listing_id, unit, starts_at, ends_at, reason, created_at)"
    " VALUES (:listing_id, :unit, :starts_at, :ends_at, '', :starts_at)"
).bindparams(bindparam("starts_at", type_=UtcDateTime()), bindparam("ends_at", type_=UtcDateTime()))
MOVE_BOOKING = text(
    "UPDATE booking SET starts_at = :moved WHERE listing_id = :listing_id AND starts_at = :at"
).bindparams(bindparam("moved", type_=UtcDateTime()), bindparam("at", type_=UtcDateTime()))


async def _raw_booking(
    session: AsyncSession, listing_id: int, unit: int, days: tuple[int, int]
) -> None:
    async with session.begin_nested():
        await (await session.connection()).execute(
            INSERT_BOOKING,
            {
                "listing_id": listing_id,
                "unit": unit,
                "starts_at": DAY + timedelta(days=days[0]),
                "ends_at": DAY + timedelta(days=days[1]),
            },
        )


async def test_the_database_refuses_an_overlapping_booking_written_directly(
    session: AsyncSession,
) -> None:
    lab: Organization = await make_organization(session)
    listing = await make_listing(session, lab, details={"quantity": 2})
    assert listing.id is not None
    await _raw_booking(session, listing.id, 1, (0, 9))

    with pytest.raises(IntegrityError, match="booking_no_overlap"):
        await _raw_booking(session, listing.id, 1, (5, 12))
    with pytest.raises(IntegrityError, match="booking_no_overlap"):
        await _raw_booking(session, listing.id, 1, (-3, 20))  # around it

    await _raw_booking(session, listing.id, 1, (9, 19))  # back to back: fine
    await _raw_booking(session, listing.id, 2, (5, 12))  # the other unit: fine
    assert await count(session, Booking, Booking.listing_id == listing.id) == 3


async def test_the_database_refuses_moving_a_booking_over_another(session: AsyncSession) -> None:
    lab = await make_organization(session)
    listing = await make_listing(session, lab)
    assert listing.id is not None
    await _raw_booking(session, listing.id, 1, (0, 9))
    await _raw_booking(session, listing.id, 1, (10, 19))

    with pytest.raises(IntegrityError, match="booking_no_overlap"):
        async with session.begin_nested():
            await (await session.connection()).execute(
                MOVE_BOOKING,
                {
                    "moved": DAY + timedelta(days=8),
                    "listing_id": listing.id,
                    "at": DAY + timedelta(days=10),
                },
            )
