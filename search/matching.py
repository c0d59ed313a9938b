"""Two-way matching: the listings that could answer a listing, and why."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from core.models import Direction, Listing
from core.services.taxonomy import labels
from search.listings_search import GeoPoint, ListingQuery
from search.text import fold, folded_words
from search.vocabulary import category_concept, classify

DEFAULT_RADIUS_KM = 50.0
_STOPWORDS_TEXT = """
a au aux avec ce ces dans de des du en et la le les l d un une pour par sur sous
the of and for with to in on or ou
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
# Words that say what the owner wants, not what the thing is: they must not have to match.
_INTENT_TEXT = """
cherche recherche cherchons besoin propose proposons prete pretons offre donne donnons
looking seeking need wanted offer offering lend lending
"""
INTENT_WORDS = frozenset(_INTENT_TEXT.split())


def match_query(
    listing: Listing, radius_km: float | None, limit: int, today: date | None = None
) -> ListingQuery | None:
    """Opposite direction, same kind, its words, its place and radius, overlapping dates.

    Dates are compared from `today` on: the days of a window that are over can no longer be
    lent, given or booked. Compared as given, a request for last spring "overlapped" an offer
    open since January but no offer published since, so a new offer missed the request and the
    request stayed in nobody's list but the old offer's. A window that is over matches nothing
    (None: no query to run), and only listings still available today are candidates.
    """
    assert listing.id is not None
    start, end = still_ahead(listing, today or datetime.now(UTC).date())
    if end is not None and end < start:
        return None
    # Meilisearch keeps dropping the last words until something matches, so the words that say
    # best what the thing is come first: its concept, then its category, title and tags. The
    # concept goes as a phrase of its label, which the `concepts` field of every listing of the
    # same concept holds, and a query's first term is never dropped: a request to "animer un
    # atelier numérique" reaches digital-mediation offers, and never mediation in conflicts.
    # What the owner wrote says it better than a category picked from a list, so the concepts
    # inferred from the text come before the category's.
    text = (listing.title, listing.description, listing.tags)
    family = category_concept(
        classify(listing.kind, None, *text) or classify(listing.kind, listing.category, *text)
    )
    words = " ".join(
        dict.fromkeys(
            word
            for part in [*labels(listing.category)[:1], listing.title, *listing.tags]
            for word in re.findall(r"[^\W\d_]{2,}", part)
            if fold(word) not in INTENT_WORDS | STOPWORDS
        )
    )
    if family is not None:
        words = f'"{family.label_fr}" {words}'
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
        available_from=start,
        available_until=end,
        exclude_ids=(listing.id,),
        exclude_organization_id=listing.organization_id,
        limit=limit,
        facets=(),
    )


def still_ahead(listing: Listing, today: date) -> tuple[date, date | None]:
    """The part of the listing's window from `today` on; its end is before its start when the
    window is over."""
    start = max(listing.available_from or today, today)
    return start, listing.available_until


def terms(text: str) -> set[str]:
    words = folded_words(text)
    return {w for w in words if len(w) > 1 and w not in STOPWORDS | INTENT_WORDS}


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
