"""Reading exchanges: a viewer sees only those of the organizations they act for.

Others get nothing (`None`, an empty list): they may not know an exchange exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.error_codes import OrganizationErrorCode
from core.errors import NotAllowed
from core.models import (
    Exchange,
    ExchangeEvent,
    ExchangeMessage,
    ExchangeSide,
    ExchangeState,
    Listing,
)
from core.services.pagination import Page, PageRequest, paginate
from core.services.principal import Principal, require_principal
from core.services.visibility import visible_listings


@dataclass(frozen=True)
class ExchangeFilter:
    states: Sequence[ExchangeState] = ()
    side: ExchangeSide | None = None
    """Only those where the viewer's organizations are the owner, or the requester."""
    listing_id: int | None = None
    organization_id: int | None = None
    """Only those of this organization (one the viewer acts for), on either side."""


def party_condition(principal: Principal) -> ColumnElement[bool]:
    """The exchange is one of the viewer's organizations', on either side."""
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
    statement = select(Exchange).where(col(Exchange.id) == exchange_id, party_condition(principal))
    return (await session.exec(statement)).first()


async def exchanges_by_ids(
    session: AsyncSession, principal: Principal | None, ids: Sequence[int]
) -> list[Exchange]:
    if principal is None or not principal.organization_ids or not ids:
        return []
    statement = select(Exchange).where(col(Exchange.id).in_(ids), party_condition(principal))
    return list((await session.exec(statement)).all())


async def browse_exchanges(
    session: AsyncSession, principal: Principal | None, filter: ExchangeFilter, page: PageRequest
) -> Page[Exchange]:
    """The viewer's exchanges, newest first."""
    acting = require_principal(principal)
    ids = acting.organization_ids
    if filter.organization_id is not None:
        if filter.organization_id not in ids:
            raise NotAllowed(OrganizationErrorCode.NOT_A_MEMBER)
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


async def listings_of_exchanges(
    session: AsyncSession, principal: Principal | None, listing_ids: Sequence[int]
) -> list[Listing]:
    """The listings of exchanges the viewer takes part in, whatever their status or visibility
    now: a party keeps seeing what it exchanged. Others get what they may see anyway."""
    if not listing_ids:
        return []
    party_of = select(Exchange.listing_id).where(
        col(Exchange.listing_id).in_(listing_ids),
        party_condition(principal) if principal and principal.organization_ids else false(),
    )
    statement = select(Listing).where(
        col(Listing.id).in_(listing_ids),
        or_(visible_listings(principal), col(Listing.id).in_(party_of)),
    )
    return list((await session.exec(statement)).all())
