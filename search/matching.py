"""Two-way matching: the listings that could answer a listing, and why."""

from __future__ import annotations

import re
import unicodedata

from api.models import Direction, Listing
from api.services.taxonomy import labels
from search.listings_search import GeoPoint, ListingQuery

DEFAULT_RADIUS_KM = 50.0
_STOPWORDS_TEXT = """
a au aux avec ce ces dans de des du en et la le les l d un une pour par sur sous
the of and for with to in on or ou
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())


def match_query(listing: Listing, radius_km: float | None, limit: int) -> ListingQuery:
    """Opposite direction, same kind, its words, its place and radius, overlapping dates."""
    assert listing.id is not None
    words = " ".join([listing.title, *labels(listing.category)[:1], *listing.tags])
    near = (
        GeoPoint(listing.latitude, listing.longitude)
        if listing.latitude is not None and listing.longitude is not None
        else None
    )
    opposite = Direction.REQUEST if listing.direction == Direction.OFFER else Direction.OFFER
    return ListingQuery(
        text=words[:500],
        kinds=(listing.kind,),
        direction=opposite,
        near=near,
        radius_km=(radius_km or DEFAULT_RADIUS_KM) if near is not None else None,
        available_from=listing.available_from,
        available_until=listing.available_until,
        exclude_ids=(listing.id,),
        exclude_organization_id=listing.organization_id,
        limit=limit,
        with_facets=False,
    )


def terms(text: str) -> set[str]:
    folded = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    return {w for w in re.findall(r"[a-z0-9]+", folded) if len(w) > 1 and w not in STOPWORDS}


def reasons(source: Listing, candidate: Listing, distance_km: float | None) -> list[str]:
    said = []
    shared = terms(" ".join([source.title, *source.tags])) & terms(
        " ".join([candidate.title, *candidate.tags])
    )
    if shared:
        said.append("shared terms: " + ", ".join(sorted(shared)))
    if source.category and source.category == candidate.category:
        said.append(f"same category: {source.category}")
    if distance_km is not None:
        said.append(f"{distance_km:.1f} km away")
    if source.available_from or source.available_until:
        start = candidate.available_from.isoformat() if candidate.available_from else "now"
        end = candidate.available_until.isoformat() if candidate.available_until else "open-ended"
        said.append(f"dates overlap: available {start} to {end}")
    return said
