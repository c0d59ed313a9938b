"""Random sequences of exchange operations keep the calendar, the stock and the history right.

Hypothesis draws requests (periods among a few days, so they overlap often; quantities of a
material), accepts, proposals, declines, cancels, starts and completions by random actors, and
runs each through `core.services.exchanges` in a savepoint of its own, as `run_mutation` commits or
rolls back one mutation. After every step the invariants below must hold.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.errors import DomainError
from core.models import (
    Booking,
    Exchange,
    ExchangeEvent,
    ExchangeSide,
    ExchangeState,
    Listing,
    ListingKind,
    ListingStatus,
    Notification,
    Role,
)
from core.services import exchanges as service
from core.services.exchange_commands import ExchangeDraft, Note, PeriodProposal
from core.services.principal import Principal
from tests.factories import make_listing, make_member, make_organization

FIRST_DAY = datetime(2030, 6, 1, 9, tzinfo=UTC)  # far ahead: cancelling an accepted one is legal
DAYS = 6
MATERIAL_STOCK = Decimal(10)
BOOKED_STATES = (ExchangeState.ACCEPTED, ExchangeState.IN_PROGRESS, ExchangeState.COMPLETED)
ACTORS = ("owner_admin", "owner_member", "requester", "other_requester", "stranger")
USUAL = "usual"
"""The actor who would normally do it: the requesters request and cancel, the owner's admin
answers, hands over and completes, the requester accepts a period the owner proposed."""
ACTIONS = [
    *("request", "request", "accept", "accept", "accept", "propose", "decline", "cancel"),
    *("start", "start", "complete", "complete"),
]
LISTINGS = ("machine", "two_machines", "material")


@dataclass
class World:
    """Two requesting organizations, a third party, and the owner's three listings."""

    actors: dict[str, Principal]
    listings: dict[str, Listing]
    exchanges: list[int] = field(default_factory=list)
    """Every exchange created so far, in order: operations pick one by index."""


async def make_world(session: AsyncSession) -> World:
    lab = await make_organization(session, "Fablab")
    first = await make_organization(session, "Tiers-lieu A")
    second = await make_organization(session, "Tiers-lieu B")
    other = await make_organization(session, "Ailleurs")
    roles = {
        "owner_admin": (lab, Role.ADMIN),
        "owner_member": (lab, Role.MEMBER),
        "requester": (first, Role.MEMBER),
        "other_requester": (second, Role.MEMBER),
        "stranger": (other, Role.ADMIN),
    }
    actors = {}
    for name, (organization, role) in roles.items():
        member = await make_member(session, organization, role)
        assert member.person.id is not None
        actors[name] = Principal(member.person.id, organization.id, role)
    listings = {
        "machine": await make_listing(session, lab, details={"quantity": 1}),
        "two_machines": await make_listing(session, lab, details={"quantity": 2}),
        "material": await make_listing(
            session,
            lab,
            kind=ListingKind.MATERIAL,
            title="Portes de récupération",
            details={"quantity": int(MATERIAL_STOCK), "unit": "pièce"},
        ),
    }
    return World(actors, listings)


# --- operations ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    action: str
    actor: str
    pick: int
    """Which listing (requests) or which exchange (the others), modulo how many there are."""
    days: tuple[int, int] = (0, 1)
    quantity: Decimal = Decimal(1)

    def period(self) -> tuple[datetime, datetime]:
        return FIRST_DAY + timedelta(days=self.days[0]), FIRST_DAY + timedelta(days=self.days[1])


periods = st.tuples(st.integers(0, DAYS - 1), st.integers(1, 3)).map(
    lambda start_length: (start_length[0], start_length[0] + start_length[1])
)
quantities = st.sampled_from([Decimal("0.5"), Decimal(1), Decimal(2), Decimal(3), Decimal(6)])
steps = st.builds(
    Step,
    action=st.sampled_from(ACTIONS),
    actor=st.sampled_from([USUAL, USUAL, USUAL, *ACTORS]),
    pick=st.integers(0, 20),
    days=periods,
    quantity=quantities,
)
STARTS_FROM = {
    "accept": (ExchangeState.REQUESTED,),
    "propose": (ExchangeState.REQUESTED,),
    "decline": (ExchangeState.REQUESTED,),
    "cancel": (ExchangeState.REQUESTED, ExchangeState.ACCEPTED),
    "start": (ExchangeState.ACCEPTED,),
    "complete": (ExchangeState.IN_PROGRESS,),
}
Operation = Callable[[], Awaitable[object]]
TRANSITIONS = {
    "accept": service.accept_exchange,
    "decline": service.decline_exchange,
    "cancel": service.cancel_exchange,
    "start": service.start_exchange,
    "complete": service.complete_exchange,
}


def operation(session: AsyncSession, world: World, step: Step, now: Snapshot) -> Operation | None:
    """The service call a step stands for; None when there is no exchange to act on yet."""
    starts_at, ends_at = step.period()
    if step.action == "request":
        actor = world.actors[
            ("requester", "other_requester")[step.pick % 2] if step.actor == USUAL else step.actor
        ]
        listing = world.listings[LISTINGS[step.pick % len(LISTINGS)]]
        assert listing.id is not None
        material = listing.kind == ListingKind.MATERIAL
        draft = ExchangeDraft(
            listing_id=listing.id,
            quantity=step.quantity if material else None,
            starts_at=None if material else starts_at,
            ends_at=None if material else ends_at,
        )
        return lambda: service.request_exchange(session, actor, draft)
    if not world.exchanges:
        return None
    exchange = pick_exchange(world, step, now)
    exchange_id = exchange.id
    assert exchange_id is not None
    actor = world.actors[step.actor if step.actor != USUAL else usual_actor(world, step, exchange)]
    if step.action == "propose":
        proposal = PeriodProposal(starts_at=starts_at, ends_at=ends_at)
        return lambda: service.propose_period(session, actor, exchange_id, proposal)
    act = TRANSITIONS[step.action]
    return lambda: act(session, actor, exchange_id, Note())


def pick_exchange(world: World, step: Step, now: Snapshot) -> Exchange:
    """Any exchange; for the usual actor, one in a state the action starts from, if any."""
    candidates = [e for e in now.exchanges if e.id in world.exchanges]
    if step.actor == USUAL:
        ready = [e for e in candidates if e.state in STARTS_FROM[step.action]]
        candidates = ready or candidates
    return candidates[step.pick % len(candidates)]


def usual_actor(world: World, step: Step, exchange: Exchange) -> str:
    requester = next(
        name
        for name, principal in world.actors.items()
        if principal.organization_id == exchange.requester_organization_id
    )
    awaits_requester = exchange.awaiting == ExchangeSide.REQUESTER
    if step.action == "cancel" or (step.action == "accept" and awaits_requester):
        return requester
    return "owner_admin"


async def run_in_savepoint(session: AsyncSession, change: Operation) -> object | DomainError:
    """One operation, kept if it succeeds, rolled back if it raises a `DomainError`."""
    savepoint = await session.begin_nested()
    try:
        result = await change()
    except DomainError as error:
        await savepoint.rollback()
        return error
    except BaseException:
        await savepoint.rollback()
        raise
    await savepoint.commit()
    return result


# --- what must always hold -----------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    exchanges: list[Exchange]
    events: list[ExchangeEvent]
    bookings: list[Booking]
    listings: list[Listing]
    notifications: int

    def fingerprint(self) -> tuple[Any, ...]:
        """Everything an operation could have written, comparable before and after."""
        return (
            [(e.id, e.state, e.awaiting, e.starts_at, e.ends_at, e.unit) for e in self.exchanges],
            [e.id for e in self.events],
            [(b.id, b.unit, b.starts_at, b.ends_at) for b in self.bookings],
            [(x.id, x.status, x.quantity_remaining) for x in self.listings],
            self.notifications,
        )


async def snapshot(session: AsyncSession, world: World) -> Snapshot:
    listing_ids = [listing.id for listing in world.listings.values()]

    async def rows(model: Any, *where: Any) -> list[Any]:
        statement = select(model).where(*where).order_by(model.id)
        return list((await session.exec(statement.execution_options(populate_existing=True))).all())

    exchanges = await rows(Exchange, col(Exchange.listing_id).in_(listing_ids))
    exchange_ids = [e.id for e in exchanges]
    return Snapshot(
        exchanges=exchanges,
        events=await rows(ExchangeEvent, col(ExchangeEvent.exchange_id).in_(exchange_ids)),
        bookings=await rows(Booking, col(Booking.listing_id).in_(listing_ids)),
        listings=await rows(Listing, col(Listing.id).in_(listing_ids)),
        notifications=len(await rows(Notification, col(Notification.listing_id).in_(listing_ids))),
    )


def check_no_overlap(bookings: list[Booking]) -> None:
    for index, one in enumerate(bookings):
        for other in bookings[index + 1 :]:
            if (one.listing_id, one.unit) == (other.listing_id, other.unit):
                overlap = one.starts_at < other.ends_at and other.starts_at < one.ends_at
                assert not overlap, f"double booking: {one} and {other}"


def check_bookings_follow_states(state: Snapshot, bookable: set[int]) -> None:
    booked_by = Counter(b.exchange_id for b in state.bookings if b.exchange_id is not None)
    for exchange in state.exchanges:
        held = booked_by[exchange.id or 0]
        if exchange.listing_id in bookable and exchange.state in BOOKED_STATES:
            assert held == 1, f"{exchange.state} exchange {exchange.id} holds {held} bookings"
            booking = next(b for b in state.bookings if b.exchange_id == exchange.id)
            assert (booking.unit, booking.starts_at, booking.ends_at) == (
                exchange.unit,
                exchange.starts_at,
                exchange.ends_at,
            )
        else:
            assert held == 0, f"{exchange.state} exchange {exchange.id} holds {held} bookings"


def check_stock(state: Snapshot, material_id: int) -> None:
    listing = next(x for x in state.listings if x.id == material_id)
    taken = sum(
        (
            Decimal(e.quantity)
            for e in state.exchanges
            if e.listing_id == material_id and e.state in BOOKED_STATES and e.quantity is not None
        ),
        Decimal(0),
    )
    left = MATERIAL_STOCK if listing.quantity_remaining is None else listing.quantity_remaining
    assert left >= 0
    assert left == MATERIAL_STOCK - taken
    assert (listing.status == ListingStatus.FULFILLED) == (left == 0)


def check_event_chains(state: Snapshot) -> None:
    by_exchange: dict[int, list[ExchangeEvent]] = {}
    for entry in state.events:
        by_exchange.setdefault(entry.exchange_id, []).append(entry)
    for exchange in state.exchanges:
        assert exchange.id is not None
        chain = by_exchange.get(exchange.id, [])
        assert chain, f"exchange {exchange.id} has no event"
        assert chain[0].from_state is None
        for before, after in itertools.pairwise(chain):
            assert after.from_state == before.to_state, [(e.from_state, e.to_state) for e in chain]
        assert chain[-1].to_state == exchange.state


def check_invariants(state: Snapshot, world: World) -> None:
    machines = {world.listings[name].id for name in ("machine", "two_machines")}
    material_id = world.listings["material"].id
    assert material_id is not None
    check_no_overlap(state.bookings)
    check_bookings_follow_states(state, {i for i in machines if i is not None})
    check_stock(state, material_id)
    check_event_chains(state)


# --- the property --------------------------------------------------------------------------------


@settings(
    max_examples=60,
    database=None,  # no .hypothesis folder in the tree; a failure prints its reproduction
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=st.lists(steps, min_size=10, max_size=30))
async def test_random_operations_never_double_book_nor_oversell_and_log_every_change(
    session: AsyncSession, plan: list[Step]
) -> None:
    # The session is the test's, shared by every example: each works in a savepoint of its own.
    example = await session.begin_nested()
    try:
        world = await make_world(session)
        for step in plan:
            before = await snapshot(session, world)
            change = operation(session, world, step, before)
            if change is None:
                continue
            outcome = await run_in_savepoint(session, change)
            event(f"{step.action}: {type(outcome).__name__}")  # --hypothesis-show-statistics
            after = await snapshot(session, world)
            if isinstance(outcome, DomainError):
                assert after.fingerprint() == before.fingerprint(), f"{step} wrote: {outcome}"
            elif step.action == "request":
                assert isinstance(outcome, Exchange)
                assert outcome.id is not None
                world.exchanges.append(outcome.id)
            check_invariants(after, world)
    finally:
        await example.rollback()
