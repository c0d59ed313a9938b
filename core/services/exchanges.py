"""Exchanges: request, answer, hand over, complete, cancel, and talk about it.

    REQUESTED ──accept──▶ ACCEPTED ──start──▶ IN_PROGRESS ──complete──▶ COMPLETED
        │  ▲ propose (awaits the requester)   │
        ├──decline──▶ DECLINED                 └──cancel (before the start)──▶ CANCELLED
        └──cancel───▶ CANCELLED

Who may take which step in which state is written once, in `exchange_rules.TABLE`: the listing's
organization (the owner) decides, through its admins or the person who published the listing;
any member of the requesting organization requests, accepts a proposed period, cancels and
writes. Every change writes an `ExchangeEvent` and notifies the other side, in the same
transaction. Nothing here commits. Reading exchanges is `exchange_reads`; what is left of a
material offer, `stock`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.error_codes import ExchangeErrorCode
from core.errors import Conflict, InvalidInput, NotFound
from core.models import (
    Exchange,
    ExchangeEvent,
    ExchangeEventKind,
    ExchangeMessage,
    ExchangeSide,
    ExchangeState,
    Listing,
    ListingKind,
    ListingOrigin,
    ListingStatus,
    NotificationKind,
    Space,
)
from core.models.base import utcnow
from core.services import agreements, bookings, stock, training_checks
from core.services.exchange_commands import ExchangeDraft, MessageDraft, Note, PeriodProposal
from core.services.exchange_impact import measure_impact
from core.services.exchange_notices import notify_other_side
from core.services.exchange_reads import get_exchange, party_condition
from core.services.exchange_rules import Action, Permit, check
from core.services.principal import Principal, require_member, require_principal
from core.services.visibility import visible_listings
from core.time_zones import local_text

State = ExchangeState
_EVENTS = {
    Action.ACCEPT: ExchangeEventKind.ACCEPTED,
    Action.PROPOSE: ExchangeEventKind.PROPOSED,
    Action.DECLINE: ExchangeEventKind.DECLINED,
    Action.CANCEL: ExchangeEventKind.CANCELLED,
    Action.START: ExchangeEventKind.STARTED,
    Action.COMPLETE: ExchangeEventKind.COMPLETED,
}


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
        note=draft.message,
    )
    return exchange


async def _requestable_listing(
    session: AsyncSession, acting: Principal, listing_id: int, organization_id: int
) -> Listing:
    statement = select(Listing).where(col(Listing.id) == listing_id, visible_listings(acting))
    listing = (await session.exec(statement)).first()
    if listing is None:
        raise InvalidInput.one("listing_id", ExchangeErrorCode.UNKNOWN_LISTING)
    if listing.organization_id == organization_id:
        raise InvalidInput.one("listing_id", ExchangeErrorCode.OWN_LISTING)
    if listing.status != ListingStatus.PUBLISHED:
        status = listing.status.value.lower()
        raise InvalidInput.one("listing_id", ExchangeErrorCode.LISTING_NOT_PUBLISHED, value=status)
    if listing.origin != ListingOrigin.OWNER:
        raise InvalidInput.one("listing_id", ExchangeErrorCode.NOT_PUBLISHED_BY_OWNER)
    return listing


async def _check_request(
    session: AsyncSession, listing: Listing, organization_id: int, draft: ExchangeDraft
) -> None:
    """The kind's own rules: a period for things booked, a quantity for materials."""
    if draft.space_id is not None:
        space = await session.get(Space, draft.space_id)
        if space is None or space.organization_id != organization_id:
            raise InvalidInput.one("space_id", ExchangeErrorCode.NOT_A_PLACE_OF_THE_REQUESTER)
    kind = listing.kind
    if kind in (ListingKind.EQUIPMENT, ListingKind.PREMISES) and not draft.has_period:
        raise InvalidInput.one("starts_at", ExchangeErrorCode.LOAN_NEEDS_PERIOD)
    if kind == ListingKind.SKILL and not draft.has_period and draft.hours is None:
        raise InvalidInput.one("hours", ExchangeErrorCode.HOURS_OR_PERIOD)
    if kind != ListingKind.MATERIAL and draft.quantity is not None:
        raise InvalidInput.one("quantity", ExchangeErrorCode.QUANTITY_ONLY_FOR_MATERIALS)
    if kind == ListingKind.MATERIAL:
        if draft.quantity is None:
            raise InvalidInput.one("quantity", ExchangeErrorCode.QUANTITY_REQUIRED)
        left = stock.remaining(listing)
        if left is not None and draft.quantity > left:
            left_text = stock.quantity_text(left)
            raise InvalidInput.one("quantity", ExchangeErrorCode.NOT_ENOUGH_LEFT, value=left_text)
    if draft.starts_at is None or draft.ends_at is None:
        return
    if outside := bookings.outside_availability(listing, draft.starts_at, draft.ends_at):
        raise InvalidInput([outside])
    if _booked(listing):
        free = await bookings.free_units(session, listing, draft.starts_at, draft.ends_at)
        if not free:
            raise InvalidInput.one("starts_at", ExchangeErrorCode.PERIOD_BOOKED)


# --- answering -------------------------------------------------------------------------------


async def accept_exchange(
    session: AsyncSession, principal: Principal | None, exchange_id: int, command: Note
) -> Exchange:
    """The awaited side says yes: the period is booked, the quantity taken, at once."""
    exchange, listing = await _locked(session, principal, exchange_id)
    permit = check(principal, exchange, listing, Action.ACCEPT)
    if listing.status != ListingStatus.PUBLISHED:
        raise Conflict(ExchangeErrorCode.LISTING_NOT_OPEN, value=listing.status.value.lower())
    if _booked(listing) and exchange.starts_at and exchange.ends_at:
        booked = await bookings.book(
            session, listing, exchange.starts_at, exchange.ends_at, exchange=exchange
        )
        exchange.unit = booked[0].unit  # the unit just taken: no need to read it back
    if exchange.quantity is not None:
        stock.take(listing, exchange.quantity)
    unchecked = await training_checks.acceptance_data(session, exchange)  # accepted untrained
    await _move(session, principal, exchange, listing, permit, command.note, data=unchecked)
    await agreements.draft_agreement(session, exchange)  # the paperwork, in the same transaction
    return exchange


async def propose_period(
    session: AsyncSession, principal: Principal | None, exchange_id: int, proposal: PeriodProposal
) -> Exchange:
    """The owner suggests another period; the requester then accepts it (or cancels)."""
    exchange, listing = await _locked(session, principal, exchange_id)
    permit = check(principal, exchange, listing, Action.PROPOSE)
    assert proposal.starts_at is not None
    assert proposal.ends_at is not None
    if outside := bookings.outside_availability(listing, proposal.starts_at, proposal.ends_at):
        raise InvalidInput([replace(outside, field="starts_at")])
    if _booked(listing) and not await bookings.free_units(
        session, listing, proposal.starts_at, proposal.ends_at
    ):
        raise InvalidInput.one("starts_at", ExchangeErrorCode.PERIOD_BOOKED)
    data = {
        "from": _period(exchange.starts_at, exchange.ends_at),
        "to": _period(proposal.starts_at, proposal.ends_at),
    }
    exchange.starts_at, exchange.ends_at = proposal.starts_at, proposal.ends_at
    exchange.awaiting = ExchangeSide.REQUESTER
    return await _move(session, principal, exchange, listing, permit, proposal.note, data=data)


async def decline_exchange(
    session: AsyncSession, principal: Principal | None, exchange_id: int, command: Note
) -> Exchange:
    exchange, listing = await _locked(session, principal, exchange_id)
    permit = check(principal, exchange, listing, Action.DECLINE)
    exchange.reason = command.note
    return await _move(session, principal, exchange, listing, permit, command.note)


async def cancel_exchange(
    session: AsyncSession, principal: Principal | None, exchange_id: int, command: Note
) -> Exchange:
    """Either side withdraws before the start; what was booked or taken is given back."""
    exchange, listing = await _locked(session, principal, exchange_id)
    permit = check(principal, exchange, listing, Action.CANCEL)
    if exchange.state == State.ACCEPTED:
        await _give_back(session, exchange, listing)
    exchange.reason = command.note
    return await _move(session, principal, exchange, listing, permit, command.note)


async def start_exchange(
    session: AsyncSession, principal: Principal | None, exchange_id: int, command: Note
) -> Exchange:
    """The handover: the machine leaves, the keys are given, the materials are picked up."""
    exchange, listing = await _locked(session, principal, exchange_id)
    permit = check(principal, exchange, listing, Action.START)
    exchange.start_note = command.note
    return await _move(session, principal, exchange, listing, permit, command.note)


async def complete_exchange(
    session: AsyncSession, principal: Principal | None, exchange_id: int, command: Note
) -> Exchange:
    """The return or the end: a booking ended early frees the rest; the impact is measured."""
    exchange, listing = await _locked(session, principal, exchange_id)
    permit = check(principal, exchange, listing, Action.COMPLETE)
    now = utcnow()
    assert exchange.id is not None
    if exchange.starts_at and exchange.ends_at and exchange.starts_at < now < exchange.ends_at:
        await bookings.shorten(session, exchange.id, now)
        exchange.ends_at = now
    exchange.end_note = command.note
    exchange.completed_at = now
    await measure_impact(session, exchange, listing)
    return await _move(session, principal, exchange, listing, permit, command.note)


async def send_message(
    session: AsyncSession, principal: Principal | None, exchange_id: int, draft: MessageDraft
) -> ExchangeMessage:
    """A message in the exchange's thread, from the side the viewer acts for."""
    acting = require_principal(principal)
    exchange = await get_exchange(session, acting, exchange_id)
    if exchange is None:
        raise NotFound(ExchangeErrorCode.EXCHANGE_NOT_FOUND)
    assert exchange.id is not None
    listing = await session.get(Listing, exchange.listing_id)
    assert listing is not None
    organization_id = check(acting, exchange, listing, Action.MESSAGE).organization_id(exchange)
    message = ExchangeMessage(
        exchange_id=exchange.id,
        author_person_id=acting.person_id,
        author_organization_id=organization_id,
        body=draft.body,
    )
    session.add(message)
    await session.flush()
    await notify_other_side(
        session,
        exchange,
        listing,
        NotificationKind.EXCHANGE_MESSAGE,
        acting_organization_id=organization_id,
        body=draft.body[:500],
        note=draft.body[:500],
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
        .where(col(Exchange.id) == exchange_id, party_condition(acting))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    exchange = (await session.exec(statement)).first()
    if exchange is None:
        raise NotFound(ExchangeErrorCode.EXCHANGE_NOT_FOUND)
    listing = (
        await session.exec(
            select(Listing)
            .where(col(Listing.id) == exchange.listing_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).one()
    return exchange, listing


async def _move(
    session: AsyncSession,
    principal: Principal | None,
    exchange: Exchange,
    listing: Listing,
    permit: Permit,
    note: str,
    *,
    data: Mapping[str, object] | None = None,
) -> Exchange:
    """Move the exchange where the permit's rule says; record it and tell the other side."""
    acting = require_principal(principal)
    acting_for = permit.organization_id(exchange)
    kind = _EVENTS[permit.action]
    before = exchange.state
    exchange.state = permit.rule.to
    if exchange.state != State.REQUESTED:
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
        note=note,
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


async def _give_back(session: AsyncSession, exchange: Exchange, listing: Listing) -> None:
    assert exchange.id is not None
    await bookings.release(session, exchange.id)
    if exchange.quantity is not None:
        stock.give_back(listing, Decimal(exchange.quantity))


def _period(starts_at: datetime | None, ends_at: datetime | None) -> list[str | None]:
    return [
        starts_at.isoformat() if starts_at else None,
        ends_at.isoformat() if ends_at else None,
    ]


def _request_summary(exchange: Exchange, message: str) -> str:
    parts = []
    if exchange.starts_at and exchange.ends_at:
        # The readers' clock (Paris), as the exchange page shows it, not UTC.
        start, end = local_text(exchange.starts_at), local_text(exchange.ends_at)
        parts.append(f"du {start} au {end} (heure de Paris)")
    if exchange.quantity is not None:
        parts.append(f"quantité {stock.quantity_text(Decimal(exchange.quantity))}")
    if exchange.hours is not None:
        parts.append(f"{stock.quantity_text(Decimal(exchange.hours))} h")
    summary = ", ".join(parts)
    return f"{summary}. {message}".strip(" .")[:2000] if message else summary
