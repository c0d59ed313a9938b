"""The one place that decides which listings a viewer may see; every read path goes through it."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_
from sqlmodel import col, select

from core.models import Listing, ListingStatus, Organization, Visibility
from core.services.principal import Principal


def visible_listings(principal: Principal | None) -> ColumnElement[bool]:
    """A SQL condition on `Listing`: what `principal` (None when anonymous) may see.

    Anyone sees published PUBLIC listings; members of a network also see its members' published
    NETWORK listings; an organization's own members see all of its listings, drafts included.
    """
    published = col(Listing.status) == ListingStatus.PUBLISHED
    published_public = and_(published, col(Listing.visibility) == Visibility.PUBLIC)
    if principal is None or not principal.organization_ids:
        return published_public
    network: ColumnElement[bool] = false()
    if principal.network_ids:
        in_network = select(Organization.id).where(
            or_(
                col(Organization.parent_id).in_(principal.network_ids),
                col(Organization.id).in_(principal.network_ids),
            )
        )
        network = and_(
            published,
            col(Listing.visibility) == Visibility.NETWORK,
            col(Listing.organization_id).in_(in_network),
        )
    own = col(Listing.organization_id).in_(principal.organization_ids)
    return or_(published_public, network, own)
