"""Records shown under an organization's name that it has not published: a vacant site of the
Cartofriches census (Cerema) with a public owner. Nobody can request one until its owner
publishes it, which a member of that organization does in one step from the record."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from core.error_codes import ListingErrorCode
from core.errors import Conflict, NotFound
from core.models import Listing, ListingOrigin, ListingStatus
from core.models.base import utcnow
from core.services.listings import get_listing
from core.services.principal import Principal, require_member, require_principal


def is_census_record(listing: Listing) -> bool:
    """Shown for what it is, not as an offer its organization made."""
    return listing.origin != ListingOrigin.OWNER


async def publish_record(
    session: AsyncSession, principal: Principal | None, listing_id: int
) -> Listing:
    """The owner takes the record as its own offer: published now, open to requests."""
    acting = require_principal(principal)
    listing = await get_listing(session, acting, listing_id=listing_id)
    if listing is None:
        raise NotFound(ListingErrorCode.LISTING_NOT_FOUND, value=str(listing_id))
    require_member(acting, listing.organization_id)
    if not is_census_record(listing):
        raise Conflict(ListingErrorCode.ALREADY_PUBLISHED_BY_OWNER)
    now = utcnow()
    listing.origin = ListingOrigin.OWNER
    listing.status = ListingStatus.PUBLISHED
    listing.published_at = listing.updated_at = now
    listing.created_by_id = acting.person_id
    session.add(listing)
    await session.flush()
    return listing
