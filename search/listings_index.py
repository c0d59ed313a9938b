"""The listings index: its settings, and the document of one listing.

A document holds only what every viewer allowed to see the listing may see, plus the fields the
visibility filter needs (`visibility`, `organization_id`, `networks`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from core.models import Listing, ListingStatus, Organization
from search.vocabulary import PATH_LEVELS, document_fields, synonyms

LISTINGS = "listings"
DOCUMENT_VERSION = 2
"""The shape of `listing_document`: bumped when a field is added or changes meaning, so the
documents written before are rebuilt (`search.indexing.ensure_indexes`). 2: the vocabulary's
`category_path` and `concepts` (issue 15)."""
NO_START = 0
NO_END = 99_999_999

SETTINGS: dict[str, Any] = {
    "searchableAttributes": [
        "title",
        "concepts",
        "category_labels",
        "tags",
        "description",
        "commune_name",
    ],
    "filterableAttributes": [
        "kind",
        "direction",
        "category",
        "status",
        "visibility",
        "organization_id",
        "networks",
        "commune",
        "department",
        "region",
        "available_from",
        "available_until",
        "busy_days",
        "_geo",
        "id",
        *(f"category_path.lvl{level}" for level in range(PATH_LEVELS)),
    ],
    "sortableAttributes": ["_geo", "available_from", "available_until", "created_at", "id"],
    "rankingRules": ["words", "typo", "proximity", "attribute", "sort", "exactness"],
    "synonyms": synonyms(),
    "typoTolerance": {"minWordSizeForTypos": {"oneTypo": 4, "twoTypos": 8}},
    "faceting": {"maxValuesPerFacet": 100},
    "pagination": {"maxTotalHits": 10_000},
    "localizedAttributes": [{"attributePatterns": ["*"], "locales": ["fra", "eng"]}],
}


def day_number(value: date | None, default: int) -> int:
    """Dates as sortable integers (20270301), since Meilisearch filters numbers, not dates."""
    return default if value is None else value.year * 10_000 + value.month * 100 + value.day


def is_indexed(listing: Listing) -> bool:
    """Only published listings are searchable; the rest leave the index, and so do listings a
    network hid (`core.services.visibility.visible_listings` shows those to their owner only)."""
    return listing.status == ListingStatus.PUBLISHED and listing.hidden_at is None


def listing_document(
    listing: Listing,
    organization: Organization,
    category_labels: list[str],
    commune_name: str = "",
    busy_days: Sequence[int] = (),
) -> dict[str, Any]:
    """`busy_days`: see `search.availability`; days on which every unit is taken. The category
    path and the concepts' names come from `search.vocabulary`."""
    assert listing.id is not None
    networks = [organization.id] + ([organization.parent_id] if organization.parent_id else [])
    document: dict[str, Any] = {
        "id": listing.id,
        "title": listing.title,
        "description": listing.description,
        "tags": list(listing.tags),
        "category": listing.category,
        "category_labels": category_labels,
        "kind": listing.kind.value,
        "direction": listing.direction.value,
        "status": listing.status.value,
        "visibility": listing.visibility.value,
        "organization_id": listing.organization_id,
        "networks": networks,
        "commune": listing.commune_insee,
        "commune_name": commune_name,
        "department": listing.department_code,
        "region": listing.region_code,
        "available_from": day_number(listing.available_from, NO_START),
        "available_until": day_number(listing.available_until, NO_END),
        "busy_days": list(busy_days),
        "created_at": int(listing.created_at.timestamp() * 1000),
        "_geo": None,
    }
    document |= document_fields(
        listing.kind, listing.category, listing.title, listing.description, listing.tags
    )
    if listing.latitude is not None and listing.longitude is not None:
        document["_geo"] = {"lat": listing.latitude, "lng": listing.longitude}
    return document
