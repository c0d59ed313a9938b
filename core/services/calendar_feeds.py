"""Calendar feeds: a private iCalendar URL of an organization's accepted exchanges.

The URL carries a secret; only its SHA-256 is stored, and a request finds its feed by that hash
(an indexed equality on a digest: no timing hint about the secret). Any member creates a feed for
their organization; its creator or an admin revokes it.

A feed works only while its creator is still a member of its organization: the URL sits in a
calendar application outside our control, so someone who leaves the organization stops receiving
its schedule at once, without anyone having to remember to revoke their feeds. A remaining member
creates a new one if the organization still wants it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, and_, case
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.error_codes import CalendarErrorCode, OrganizationErrorCode
from core.errors import NotAllowed, NotFound
from core.models import CalendarFeed, Exchange, ExchangeState, Listing, Membership, Organization
from core.models.base import utcnow
from core.services.principal import Principal, require_member
from core.services.tokens import hash_secret

FEED_PREFIX = "elcal_"
"""Marks a feed secret, as `elx_` marks a personal access token."""
IN_CALENDAR = (ExchangeState.ACCEPTED, ExchangeState.IN_PROGRESS, ExchangeState.COMPLETED)


class FeedDraft(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(default="", max_length=100)


@dataclass(frozen=True)
class IssuedFeed:
    feed: CalendarFeed
    secret: str
    """Shown once, in the feed's URL; never stored."""


@dataclass(frozen=True)
class ListedFeed:
    feed: CalendarFeed
    active: bool
    """Not revoked, and its creator is still a member of the organization."""


@dataclass(frozen=True)
class FeedEvent:
    """One exchange as the feed shows it, from the point of view of the feed's organization."""

    exchange: Exchange
    listing_title: str
    other_organization: str
    own_listing: bool
    """The feed's organization published the listing (it is the owner side)."""


@dataclass(frozen=True)
class FeedContent:
    name: str
    organization_name: str
    events: list[FeedEvent]


def feed_path(secret: str) -> str:
    return f"/calendar/{secret}.ics"


async def create_feed(
    session: AsyncSession, principal: Principal | None, organization_id: int, draft: FeedDraft
) -> IssuedFeed:
    """A new feed of one of the viewer's organizations; its secret is returned this once."""
    acting = require_member(principal, organization_id)
    if await session.get(Organization, organization_id) is None:
        raise NotFound(OrganizationErrorCode.ORGANIZATION_NOT_FOUND, value=str(organization_id))
    secret = FEED_PREFIX + secrets.token_urlsafe(32)
    feed = CalendarFeed(
        organization_id=organization_id,
        name=draft.name,
        prefix=secret[: len(FEED_PREFIX) + 6],
        token_hash=hash_secret(secret),
        created_by_id=acting.person_id,
    )
    session.add(feed)
    await session.flush()
    return IssuedFeed(feed=feed, secret=secret)


async def revoke_feed(
    session: AsyncSession, principal: Principal | None, feed_id: int
) -> CalendarFeed:
    """Its creator, or an owner or admin of its organization, revokes a feed. Idempotent."""
    feed = await session.get(CalendarFeed, feed_id)
    if feed is None:
        raise NotFound(CalendarErrorCode.FEED_NOT_FOUND, value=str(feed_id))
    acting = require_member(principal, feed.organization_id)
    role = acting.role_in(feed.organization_id)
    if feed.created_by_id != acting.person_id and not (role and role.can_administer):
        raise NotAllowed(CalendarErrorCode.FEED_REVOKE_NOT_ALLOWED)
    if feed.revoked_at is None:
        feed.revoked_at = utcnow()
    await session.flush()
    return feed


async def feeds_of(
    session: AsyncSession, principal: Principal | None, organization_id: int
) -> list[ListedFeed]:
    """Every feed of the organization, newest first, revoked ones included; for its members."""
    require_member(principal, organization_id)
    statement = (
        select(CalendarFeed, col(Membership.id))
        .outerjoin(Membership, _creator_still_member())
        .where(CalendarFeed.organization_id == organization_id)
        .order_by(col(CalendarFeed.id).desc())
    )
    rows = (await session.exec(statement)).all()
    return [
        ListedFeed(feed=feed, active=feed.revoked_at is None and member is not None)
        for feed, member in rows
    ]


async def feed_content(session: AsyncSession, secret: str) -> FeedContent | None:
    """What the feed with this secret shows; None when unknown, revoked or no longer valid."""
    if not secret.startswith(FEED_PREFIX):
        return None
    found = (
        await session.exec(
            select(CalendarFeed, Organization.name)
            .join(Organization, col(Organization.id) == col(CalendarFeed.organization_id))
            .join(Membership, _creator_still_member())
            .where(CalendarFeed.token_hash == hash_secret(secret))
            .where(col(CalendarFeed.revoked_at).is_(None))
        )
    ).first()
    if found is None:
        return None
    feed, organization_name = found
    events = await _events(session, feed.organization_id)
    return FeedContent(name=feed.name, organization_name=organization_name, events=events)


def _creator_still_member() -> ColumnElement[bool]:
    return and_(
        col(Membership.person_id) == col(CalendarFeed.created_by_id),
        col(Membership.organization_id) == col(CalendarFeed.organization_id),
    )


async def _events(session: AsyncSession, organization_id: int) -> list[FeedEvent]:
    """The organization's exchanges, on either side, that hold a period in its calendar."""
    other = aliased(Organization)
    own = col(Exchange.owner_organization_id) == organization_id
    other_id = case(
        (own, col(Exchange.requester_organization_id)),
        else_=col(Exchange.owner_organization_id),
    )
    statement = (
        select(Exchange, Listing.title, other.name)
        .join(Listing, col(Listing.id) == col(Exchange.listing_id))
        .join(other, col(other.id) == other_id)
        .where(
            (own) | (col(Exchange.requester_organization_id) == organization_id),
            col(Exchange.state).in_(IN_CALENDAR),
            col(Exchange.starts_at).is_not(None),
            col(Exchange.ends_at).is_not(None),
        )
        .order_by(col(Exchange.starts_at), col(Exchange.id))
    )
    rows = (await session.exec(statement)).all()
    return [
        FeedEvent(
            exchange=exchange,
            listing_title=title,
            other_organization=name,
            own_listing=exchange.owner_organization_id == organization_id,
        )
        for exchange, title, name in rows
    ]


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)
