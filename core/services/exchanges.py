"""Exchanges: request, answer, hand over, complete, cancel, and talk about it.

    REQUESTED ──accept──▶ ACCEPTED ──start──▶ IN_PROGRESS ──complete──▶ COMPLETED
        │  ▲ propose (awaits the requester)   │
        ├──decline──▶ DECLINED                 └──cancel (before the start)──▶ CANCELLED
        └──cancel───▶ CANCELLED

The listing's organization (the owner) decides: its admins, or the person who published the
listing. Any member of the requesting organization requests, accepts a proposed period, cancels
and writes. Every change writes an `ExchangeEvent` and notifies the other side, in the same
transaction. Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, false, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from core.models import (
    Exchange,
    ExchangeEvent,
    ExchangeEventKind,
    ExchangeMessage,
    ExchangeSide,
    ExchangeState,
    Listing,
    ListingKind,
    ListingStatus,
    NotificationKind,
    Space,
)
from core.models.base import utcnow
from core.services import bookings
from core.services.exchange_commands import ExchangeDraft, MessageDraft, Note, PeriodProposal
from core.services.exchange_impact import measure_impact
from core.services.exchange_notices import notify_other_side
from core.services.pagination import Page, PageRequest, paginate
from core.services.principal import Principal, require_member, require_principal
from core.services.visibility import visible_listings

State = ExchangeState


@dataclass(frozen=True)
class ExchangeFilter:
    states: Sequence[ExchangeState] = ()
    side: ExchangeSide | None = None
    """Only those where the viewer's organizations are the owner, or the requester."""
    listing_id: int | None = None
    organization_id: int | None = None
    """Only those of this organization (one the viewer acts for), on either side."""


# --- reading ---------------------------------------------------------------------------------


def _party_condition(principal: Principal) -> ColumnElement[bool]:
    ids = principal.organization_ids
    return or_(
        col(Exchange.owner_organization_id).in_(ids),
        col(Exchange.requester_organization_id).in_(ids),
    )


async def get_exchange(
    session: AsyncSession, principal: Principal | None, exchange_id: int
) -> Exchange | None:
    """An exchange the viewer is a party to; None otherwise (others may not know it exists)."""
    if principal is None or not principal.organization_ids:
        return None
    statement = select(Exchange).where(col(Exchange.id) == exchange_id, _party_condition(principal))
    return (await session.exec(statement)).first()


async def exchanges_by_ids(
    session: AsyncSession, principal: Principal | None, ids: Sequence[int]
) -> list[Exchange]:
    if principal is None or not principal.organization_ids or not ids:
        return []
    statement = select(Exchange).where(col(Exchange.id).in_(ids), _party_condition(principal))
    return list((await session.exec(statement)).all())


async def browse_exchanges(
    session: AsyncSession, principal: Principal | None, filter: ExchangeFilter, page: PageRequest
) -> Page[Exchange]:
    """The viewer's exchanges, newest first."""
    acting = require_principal(principal)
    ids = acting.organization_ids
    if filter.organization_id is not None:
        if filter.organization_id not in ids:
            raise NotAllowed("You do not act for this organization.")
        ids = frozenset({filter.organization_id})
    owner = col(Exchange.owner_organization_id).in_(ids)
    requester = col(Exchange.requester_organization_id).in_(ids)
    sides = {ExchangeSide.OWNER: owner, ExchangeSide.REQUESTER: requester}
    statement = select(Exchange).where(sides[filter.side] if filter.side else or_(owner, requester))
    if filter.states:
        statement = statement.where(col(Exchange.state).in_(filter.states))
    if filter.listing_id is not None:
        statement = statement.where(col(Exchange.listing_id) == filter.listing_id)
    return await paginate(session, statement, col(Exchange.id), page, descending=True)


async def events_of(session: AsyncSession, exchange_ids: Sequence[int]) -> list[ExchangeEvent]:
    statement = (
        select(ExchangeEvent)
        .where(col(ExchangeEvent.exchange_id).in_(exchange_ids))
        .order_by(col(ExchangeEvent.id))
    )
    return list((await session.exec(statement)).all())


async def browse_messages(
    session: AsyncSession, exchange_id: int, page: PageRequest
) -> Page[ExchangeMessage]:
    """An exchange's thread, oldest first; the caller checked the viewer is a party."""
    statement = select(ExchangeMessage).where(col(ExchangeMessage.exchange_id) == exchange_id)
    return await paginate(session, statement, col(ExchangeMessage.id), page)


def sides_of(principal: Principal | None, exchange: Exchange) -> list[ExchangeSide]:
    """The sides the viewer acts for (both, rarely: a person in both organizations)."""
    if principal is None:
        return []
    sides = []
    if principal.acts_for(exchange.owner_organization_id):
        sides.append(ExchangeSide.OWNER)
    if principal.acts_for(exchange.requester_organization_id):
        sides.append(ExchangeSide.REQUESTER)
    return sides


def owner_decides(principal: Principal | None, exchange: Exchange, listing: Listing) -> bool:
    """Admins of the listing's organization, and the person who published the listing."""
    if principal is None:
        return False
    role = principal.role_in(exchange.owner_organization_id)
    return role is not None and (
        role.can_administer or listing.created_by_id == principal.person_id
    )


def allowed_actions(
    principal: Principal | None, exchange: Exchange, listing: Listing, now: datetime | None = None
) -> list[str]:
    """What the viewer may do now: the names of the mutations without their `exchange` prefix."""
    sides = sides_of(principal, exchange)
    if not sides:
        return []
    decides = owner_decides(principal, exchange, listing)
    requester = ExchangeSide.REQUESTER in sides
    state, actions = exchange.state, ["MESSAGE"]
    if state == State.REQUESTED:
        if exchange.awaiting == ExchangeSide.OWNER and decides:
            actions += ["ACCEPT", "PROPOSE", "DECLINE"]
        if exchange.awaiting == ExchangeSide.REQUESTER and requester:
            actions += ["ACCEPT"]
        if decides or requester:
            actions += ["CANCEL"]
    elif state == State.ACCEPTED:
        if decides:
            actions += ["START"]
        if (decides or requester) and not _started(exchange, now):
            actions += ["CANCEL"]
    elif state == State.IN_PROGRESS and decides:
        actions += ["COMPLETE"]
    return actions


# --- requesting ------------------------------------------------------------------------------


async def request_exchange(
    session: AsyncSession, principal: Principal | None, draft: ExchangeDraft
) -> Exchange:
    acting = require_principal(principal)
    organization_id = draft.organization_id or acting.organization_id
    require_member(acting, organization_id)
    assert organization_id is not None
    listing = await _requestable_listing(session, acting, draft.listing_id, organization_id)
    await _check_request(session, listing, organization_id, draft)
    exchange = Exchange(
        listing_id=draft.listing_id,
        owner_organization_id=listing.organization_id,
        requester_organization_id=organization_id,
        requester_space_id=draft.space_id,
        requested_by_id=acting.person_id,
        state=State.REQUESTED,
        awaiting=ExchangeSide.OWNER,
        starts_at=draft.starts_at,
        ends_at=draft.ends_at,
        quantity=draft.quantity,
        hours=draft.hours,
        in_return=draft.in_return,
    )
    session.add(exchange)
    await session.flush()
    _record(session, exchange, ExchangeEventKind.REQUESTED, None, acting, organization_id)
    assert exchange.id is not None
    if draft.message:
        session.add(
            ExchangeMessage(
                exchange_id=exchange.id,
                author_person_id=acting.person_id,
                author_organization_id=organization_id,
                body=draft.message,
            )
        )
    await notify_other_side(
        session,
        exchange,
        listing,
        NotificationKind.EXCHANGE_REQUESTED,
        acting_organization_id=organization_id,
        body=_request_summary(exchange, draft.message),
    )
    return exchange


async def _requestable_listing(
    session: AsyncSession, acting: Principal, listing_id: int, organization_id: int
) -> Listing:
    statement = select(Listing).where(col(Listing.id) == listing_id, visible_listings(acting))
    listing = (await session.exec(statement)).first()
    if listing is None:
        raise InvalidInput.one("listing_id", "no listing with this id")
    if listing.organization_id == organization_id:
        raise InvalidInput.one("listing_id", "this is your own organization's listing")
    if listing.status != ListingStatus.PUBLISHED:
        raise InvalidInput.one("listing_id", f"this listing is {listing.status.value.lower()}")
    return listing


async def _check_request(
    session: AsyncSession, listing: Listing, organization_id: int, draft: ExchangeDraft
) -> None:
    """The kind's own rules: a period for things booked, a quantity for materials."""
    if draft.space_id is not None:
        space = await session.get(Space, draft.space_id)
        if space is None or space.organization_id != organization_id:
            raise InvalidInput.one("space_id", "not a place of the requesting organization")
    kind = listing.kind
    if kind in (ListingKind.EQUIPMENT, ListingKind.PREMISES) and not draft.has_period:
        raise InvalidInput.one("starts_at", "a loan or an occupation needs a start and an end")
    if kind == ListingKind.SKILL and not draft.has_period and draft.hours is None:
        raise InvalidInput.one("hours", "give hours, or a period")
    if kind != ListingKind.MATERIAL and draft.quantity is not None:
        raise InvalidInput.one("quantity", "only materials are requested by quantity")
    if kind == ListingKind.MATERIAL:
        if draft.quantity is None:
            raise InvalidInput.one("quantity", "how much of it do you ask for?")
        left = remaining(listing)
        if left is not None and draft.quantity > left:
            raise InvalidInput.one("quantity", f"only {_number(left)} left")
    if draft.starts_at is None or draft.ends_at is None:
        return
    if outside := bookings.outside_availability(listing, draft.starts_at, draft.ends_at):
        field = "starts_at" if "from" in outside else "ends_at"
        raise InvalidInput.one(field, outside)
    if _booked(listing):
        free = await bookings.free_units(session, listing, draft.starts_at, draft.ends_at)
        if not free:
            raise InvalidInput.one("starts_at", "the listing is already booked during this period")


# --- answering -------------------------------------------------------------------------------


async def accept_exchange(
    session: AsyncSession, principal: Principal | None, exchange_id: int, command: Note
) -> Exchange:
    """The awaited side says yes: the period is booked, the quantity taken, at once."""
    exchange, listing = await _locked(session, principal, exchange_id)
    _expect(exchange, State.REQUESTED, "accepted")
    if exchange.awaiting == ExchangeSide.REQUESTER:
        if not require_principal(principal).acts_for(exchange.requester_organization_id):
            raise Conflict("The requester must answer the period you proposed.")
        acting_for = exchange.requester_organization_id
    else:
        _require_owner_decision(principal, exchange, listing)
        acting_for = exchange.owner_organization_id
    if listing.status != ListingStatus.PUBLISHED:
        raise Conflict(f"The listing is {listing.status.value.lower()}.")
    if _booked(listing) and exchange.starts_at and exchange.ends_at:
        await bookings.book(
            session, listing, exchange.starts_at, exchange.ends_at, exchange=exchange
        )
        rows = await bookings.bookings_between(
            session, [listing.id or 0], exchange.starts_at, exchange.ends_at
        )
        exchange.unit = next(b.unit for b in rows if b.exchange_id == exchange.id)
        _touch(listing)
    if listing.kind == ListingKind.MATERIAL and exchange.quantity is not None:
        _take(listing, exchange.quantity)
    return await _move(
        session,
        principal,
        exchange,
        listing,
        State.ACCEPTED,
        ExchangeEventKind.ACCEPTED,
        acting_for,
        command.note,
    )


async def propose_period(
    session: AsyncSession, principal: Principal | None, exchange_id: int, proposal: PeriodProposal
) -> Exchange:
    """The owner suggests another period; the requester then accepts it (or cancels)."""
    exchange, listing = await _locked(session, principal, exchange_id)
    _expect(exchange, State.REQUESTED, "given another period")
    _require_owner_decision(principal, exchange, listing)
    if exchange.awaiting != ExchangeSide.OWNER:
        raise Conflict("You already proposed a period; the requester has to answer.")
    assert proposal.starts_at is not None
    assert proposal.ends_at is not None
    if outside := bookings.outside_availability(listing, proposal.starts_at, proposal.ends_at):
        raise InvalidInput.one("starts_at", outside)
    if _booked(listing) and not await bookings.free_units(
        session, listing, proposal.starts_at, proposal.ends_at
    ):
        raise InvalidInput.one("starts_at", "the listing is already booked during this period")
    data = {
        "from": _period(exchange.starts_at, exchange.ends_at),
        "to": _period(proposal.starts_at, proposal.ends_at),
    }
    exchange.starts_at, exchange.ends_at = proposal.starts_at, proposal.ends_at
    exchange.awaiting = ExchangeSide.REQUESTER
    return await _move(
        session,
        principal,
        exchange,
        listing,
        State.REQUESTED,
        ExchangeEventKind.PROPOSED,
        exchange.owner_organization_id,
        proposal.note,
        data=data,
    )


async def decline_exchange(
    session: AsyncSession, principal: Principal | None, exchange_id: int, command: Note
) -> Exchange:
    exchange, listing = await _locked(session, principal, exchange_id)
    _expect(exchange, State.REQUESTED, "declined")
    _require_owner_decision(principal, exchange, listing)
    if exchange.awaiting != ExchangeSide.OWNER:
        raise Conflict("You proposed another period: cancel the exchange instead.")
    exchange.reason = command.note
    return await _move(
        session,
        principal,
        exchange,
        listing,
        State.DECLINED,
        ExchangeEventKind.DECLINED,
        exchange.owner_organization_id,
        command.note,
    )


async def cancel_exchange(
    session: AsyncSession, principal: Principal | None, exchange_id: int, command: Note
) -> Exchange:
    """Either side withdraws before the start; what was booked or taken is given back."""
    exchange, listing = await _locked(session, principal, exchange_id)
    _expect(exchange, (State.REQUESTED, State.ACCEPTED), "cancelled")
    if exchange.state == State.ACCEPTED and _started(exchange):
        raise Conflict("The period has started: record the handover, or its completion.")
    acting = require_principal(principal)
    if acting.acts_for(exchange.requester_organization_id):
        acting_for = exchange.requester_organization_id
    else:
        _require_owner_decision(principal, exchange, listing)
        acting_for = exchange.owner_organization_id
    if exchange.state == State.ACCEPTED:
        await _give_back(session, exchange, listing)
    exchange.reason = command.note
    return await _move(
        session,
        principal,
        exchange,
        listing,
        State.CANCELLED,
        ExchangeEventKind.CANCELLED,
        acting_for,
        command.note,
    )


async def start_exchange(
    session: AsyncSession, principal: Principal | None, exchange_id: int, command: Note
) -> Exchange:
    """The handover: the machine leaves, the keys are given, the materials are picked up."""
    exchange, listing = await _locked(session, principal, exchange_id)
    _expect(exchange, State.ACCEPTED, "started")
    _require_owner_decision(principal, exchange, listing)
    exchange.start_note = command.note
    return await _move(
        session,
        principal,
        exchange,
        listing,
        State.IN_PROGRESS,
        ExchangeEventKind.STARTED,
        exchange.owner_organization_id,
        command.note,
    )


async def complete_exchange(
    session: AsyncSession, principal: Principal | None, exchange_id: int, command: Note
) -> Exchange:
    """The return or the end: a booking ended early frees the rest; the impact is measured."""
    exchange, listing = await _locked(session, principal, exchange_id)
    _expect(exchange, State.IN_PROGRESS, "completed")
    _require_owner_decision(principal, exchange, listing)
    now = utcnow()
    assert exchange.id is not None
    if exchange.starts_at and exchange.ends_at and exchange.starts_at < now < exchange.ends_at:
        await bookings.shorten(session, exchange.id, now)
        exchange.ends_at = now
        _touch(listing)
    exchange.end_note = command.note
    exchange.completed_at = now
    await measure_impact(session, exchange, listing)
    return await _move(
        session,
        principal,
        exchange,
        listing,
        State.COMPLETED,
        ExchangeEventKind.COMPLETED,
        exchange.owner_organization_id,
        command.note,
    )


async def send_message(
    session: AsyncSession, principal: Principal | None, exchange_id: int, draft: MessageDraft
) -> ExchangeMessage:
    """A message in the exchange's thread, from the side the viewer acts for."""
    acting = require_principal(principal)
    exchange = await get_exchange(session, acting, exchange_id)
    if exchange is None:
        raise NotFound("No such exchange.")
    assert exchange.id is not None
    side = sides_of(acting, exchange)[0]
    organization_id = (
        exchange.owner_organization_id
        if side == ExchangeSide.OWNER
        else exchange.requester_organization_id
    )
    message = ExchangeMessage(
        exchange_id=exchange.id,
        author_person_id=acting.person_id,
        author_organization_id=organization_id,
        body=draft.body,
    )
    session.add(message)
    await session.flush()
    listing = await session.get(Listing, exchange.listing_id)
    assert listing is not None
    await notify_other_side(
        session,
        exchange,
        listing,
        NotificationKind.EXCHANGE_MESSAGE,
        acting_organization_id=organization_id,
        body=draft.body[:500],
    )
    return message


# --- the rules' plumbing ---------------------------------------------------------------------


async def _locked(
    session: AsyncSession, principal: Principal | None, exchange_id: int
) -> tuple[Exchange, Listing]:
    """The exchange and its listing, locked (PostgreSQL) in that order; always the same order,
    so two transitions cannot deadlock. A viewer who is no party gets `NotFound`."""
    acting = require_principal(principal)
    statement = (
        select(Exchange)
        .where(col(Exchange.id) == exchange_id, _party_condition(acting))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    exchange = (await session.exec(statement)).first()
    if exchange is None:
        raise NotFound("No such exchange.")
    listing = (
        await session.exec(
            select(Listing)
            .where(col(Listing.id) == exchange.listing_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).one()
    return exchange, listing


def _expect(exchange: Exchange, states: State | tuple[State, ...], verb: str) -> None:
    allowed = states if isinstance(states, tuple) else (states,)
    if exchange.state not in allowed:
        names = " or ".join(s.value for s in allowed)
        raise Conflict(
            f"This exchange is {exchange.state.value}: only a {names} exchange can be {verb}."
        )


def _require_owner_decision(
    principal: Principal | None, exchange: Exchange, listing: Listing
) -> None:
    acting = require_principal(principal)
    if acting.acts_for(exchange.owner_organization_id):
        if not owner_decides(acting, exchange, listing):
            raise NotAllowed(
                "This needs the ADMIN or OWNER role in the listing's organization, "
                "or to be the person who published the listing."
            )
        return
    raise NotAllowed("Only the listing's organization can do this.")


async def _move(
    session: AsyncSession,
    principal: Principal | None,
    exchange: Exchange,
    listing: Listing,
    to: State,
    kind: ExchangeEventKind,
    acting_for: int,
    note: str,
    *,
    data: Mapping[str, object] | None = None,
) -> Exchange:
    acting = require_principal(principal)
    before = exchange.state
    exchange.state = to
    if to != State.REQUESTED:
        exchange.awaiting = None
    exchange.updated_at = utcnow()
    session.add(exchange)
    session.add(listing)
    _record(session, exchange, kind, before, acting, acting_for, note, data)
    await notify_other_side(
        session,
        exchange,
        listing,
        NotificationKind(f"EXCHANGE_{kind.value}"),
        acting_organization_id=acting_for,
        body=note or _request_summary(exchange, ""),
    )
    return exchange


def _record(
    session: AsyncSession,
    exchange: Exchange,
    kind: ExchangeEventKind,
    before: State | None,
    acting: Principal,
    organization_id: int,
    note: str = "",
    data: Mapping[str, object] | None = None,
) -> None:
    assert exchange.id is not None
    session.add(
        ExchangeEvent(
            exchange_id=exchange.id,
            kind=kind,
            from_state=before,
            to_state=exchange.state,
            actor_person_id=acting.person_id,
            actor_organization_id=organization_id,
            note=note,
            data=dict(data or {}),
        )
    )


def _booked(listing: Listing) -> bool:
    """Offers of things used over time are booked; requests and materials are not."""
    return listing.direction.value == "OFFER" and listing.kind in bookings.BOOKABLE_KINDS


def remaining(listing: Listing) -> Decimal | None:
    """What is left of a material offer: the column once set, otherwise its full quantity."""
    if listing.kind != ListingKind.MATERIAL:
        return None
    if listing.quantity_remaining is not None:
        return Decimal(listing.quantity_remaining)
    quantity = listing.details.get("quantity")
    return None if quantity is None else Decimal(str(quantity))


def _take(listing: Listing, quantity: Decimal) -> None:
    """Take an accepted donation from what is left; at zero the offer is fulfilled."""
    left = remaining(listing)
    if left is None:
        return
    if quantity > left:
        raise Conflict(f"Only {_number(left)} left: accept a smaller quantity.")
    listing.quantity_remaining = left - quantity
    if listing.quantity_remaining == 0:
        listing.status = ListingStatus.FULFILLED
    _touch(listing)


async def _give_back(session: AsyncSession, exchange: Exchange, listing: Listing) -> None:
    assert exchange.id is not None
    await bookings.release(session, exchange.id)
    _touch(listing)
    if listing.kind == ListingKind.MATERIAL and exchange.quantity is not None:
        left = remaining(listing)
        if left is not None:
            listing.quantity_remaining = left + Decimal(exchange.quantity)
            if listing.status == ListingStatus.FULFILLED:
                listing.status = ListingStatus.PUBLISHED


def _touch(listing: Listing) -> None:
    """Mark the listing changed: the outbox re-pushes its calendar and quantity to search."""
    listing.updated_at = utcnow()


def _started(exchange: Exchange, now: datetime | None = None) -> bool:
    return exchange.starts_at is not None and exchange.starts_at <= (now or utcnow())


def _period(starts_at: datetime | None, ends_at: datetime | None) -> list[str | None]:
    return [
        starts_at.isoformat() if starts_at else None,
        ends_at.isoformat() if ends_at else None,
    ]


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _request_summary(exchange: Exchange, message: str) -> str:
    parts = []
    if exchange.starts_at and exchange.ends_at:
        parts.append(
            f"du {exchange.starts_at:%d/%m/%Y %H:%M} au {exchange.ends_at:%d/%m/%Y %H:%M} (UTC)"
        )
    if exchange.quantity is not None:
        parts.append(f"quantité {_number(Decimal(exchange.quantity))}")
    if exchange.hours is not None:
        parts.append(f"{_number(Decimal(exchange.hours))} h")
    summary = ", ".join(parts)
    return f"{summary}. {message}".strip(" .")[:2000] if message else summary


async def listings_of_exchanges(
    session: AsyncSession, principal: Principal | None, listing_ids: Sequence[int]
) -> list[Listing]:
    """The listings of exchanges the viewer takes part in, whatever their status or visibility
    now: a party keeps seeing what it exchanged. Others get what they may see anyway."""
    if not listing_ids:
        return []
    party_of = select(Exchange.listing_id).where(
        col(Exchange.listing_id).in_(listing_ids),
        _party_condition(principal) if principal and principal.organization_ids else false(),
    )
    statement = select(Listing).where(
        col(Listing.id).in_(listing_ids),
        or_(visible_listings(principal), col(Listing.id).in_(party_of)),
    )
    return list((await session.exec(statement)).all())
