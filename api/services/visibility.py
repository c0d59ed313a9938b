"""The one place that decides which listings a viewer may see; every read path goes through it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, false, or_
from sqlmodel import select

from api.models import Listing, ListingStatus, Organization, Visibility
from api.services.principal import Principal


def visible_listings(principal: Principal | None) -> Any:
    """A SQL condition on `Listing`: what `principal` (None when anonymous) may see.

    Anyone sees published PUBLIC listings; members of a network also see its members' published
    NETWORK listings; an organization's own members see all of its listings, drafts included.
    """
    published_public = and_(
        Listing.status == ListingStatus.PUBLISHED, Listing.visibility == Visibility.PUBLIC
    )
    if principal is None or principal.organization_id is None:
        return published_public
    in_network = (
        select(Organization.id)
        .where(
            or_(
                Organization.parent_id.in_(principal.network_ids),  # type: ignore[union-attr]
                Organization.id.in_(principal.network_ids),  # type: ignore[union-attr]
            )
        )
        .scalar_subquery()
        if principal.network_ids
        else None
    )
    network = (
        and_(
            Listing.status == ListingStatus.PUBLISHED,
            Listing.visibility == Visibility.NETWORK,
            Listing.organization_id.in_(in_network),  # type: ignore[attr-defined]
        )
        if in_network is not None
        else false()
    )
    return or_(published_public, network, Listing.organization_id == principal.organization_id)
