"""The one place that decides which listings a viewer may see; every read path goes through it."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_
from sqlmodel import col, select

from core.models import Listing, ListingStatus, Organization, Visibility
from core.services.principal import Principal


def sees_only_public(principal: Principal | None) -> bool:
    """The viewer sees what anyone sees, no more: anonymous, or a member of no organization."""
    return principal is None or not principal.organization_ids


def visible_listings(principal: Principal | None) -> ColumnElement[bool]:
    """A SQL condition on `Listing`: what `principal` (None when anonymous) may see.

    Anyone sees published PUBLIC listings; members of a network also see its members' published
    NETWORK listings; an organization's own members see all of its listings, drafts included.
    A listing hidden by a network covering it leaves every read but its owner's and that
    network's admins' (the index drops it: `search.listings_index.is_indexed`).
    """
    published = and_(
        col(Listing.status) == ListingStatus.PUBLISHED, col(Listing.hidden_at).is_(None)
    )
    published_public = and_(published, col(Listing.visibility) == Visibility.PUBLIC)
    if principal is None or sees_only_public(principal):
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
    administered = [o for o, role in principal.memberships.items() if role.can_administer]
    hid_it = col(Listing.hidden_by_network_id).in_(administered) if administered else false()
    return or_(published_public, network, own, hid_it)
