"""The rows a page of search hits shows, in one statement (issue 14).

A search page shows each hit's listing with its organization's name, its commune's name and its
cover photo. Read through the loaders, that is four statements, each a database round trip and an
ORM pass; here the listings are joined with their organizations, communes and first photos, and
the caller primes its loaders with the rows. Visibility is the one condition every read uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import Commune, Listing, Organization, Photo
from core.services.principal import Principal
from core.services.visibility import visible_listings


@dataclass
class HitRows:
    listings: list[Listing] = field(default_factory=list)
    organizations: list[Organization] = field(default_factory=list)
    communes: list[Commune] = field(default_factory=list)
    covers: dict[int, Photo | None] = field(default_factory=dict)
    """Each listing's first photo (by position, then id), when asked."""


async def hit_rows(
    session: AsyncSession,
    principal: Principal | None,
    ids: Sequence[int],
    *,
    organizations: bool,
    communes: bool,
    covers: bool = False,
) -> HitRows:
    """The visible listings of `ids` (any order), with their organizations, communes and cover
    photos when asked; a listing not visible to `principal` is left out, as `listings_by_ids`
    does."""
    found = HitRows()
    if not ids:
        return found
    condition = (col(Listing.id).in_(ids), visible_listings(principal))
    if not organizations and not communes and not covers:
        found.listings = list((await session.exec(select(Listing).where(*condition))).all())
        return found
    other = aliased(Photo)
    first_photo = (
        select(col(other.id))
        .where(col(other.listing_id) == col(Listing.id))
        .order_by(col(other.position), col(other.id))
        .limit(1)
        .correlate(Listing)
        .scalar_subquery()
    )
    statement = (
        select(Listing, Organization, Commune, Photo)
        .join(Organization, col(Organization.id) == col(Listing.organization_id))
        .outerjoin(Commune, col(Commune.code_insee) == col(Listing.commune_insee))
        .outerjoin(Photo, col(Photo.id) == first_photo)
        .where(*condition)
    )
    seen_organizations: set[int | None] = set()
    seen_communes: set[str] = set()
    for listing, organization, commune, cover in (await session.exec(statement)).all():
        found.listings.append(listing)
        if covers and listing.id is not None:
            found.covers[listing.id] = cover
        if organizations and organization.id not in seen_organizations:
            seen_organizations.add(organization.id)
            found.organizations.append(organization)
        if communes and commune is not None and commune.code_insee not in seen_communes:
            seen_communes.add(commune.code_insee)
            found.communes.append(commune)
    return found
