"""The places and communes indexes: a place or a commune by name with typos, or near a point."""

from __future__ import annotations

from typing import Any

from core.models import Commune, Space

SPACES = "spaces"
COMMUNES = "communes"

SPACES_SETTINGS: dict[str, Any] = {
    "searchableAttributes": ["name", "commune_name", "postcode", "address"],
    "filterableAttributes": [
        "typologies",
        "department",
        "region",
        "commune",
        "epci",
        "organization_id",
        "claimed",
        "_geo",
    ],
    "sortableAttributes": ["_geo", "name"],
    "rankingRules": ["words", "typo", "proximity", "attribute", "sort", "exactness"],
    "pagination": {"maxTotalHits": 5_000},
}

COMMUNES_SETTINGS: dict[str, Any] = {
    "searchableAttributes": ["name", "postcodes", "code"],
    "filterableAttributes": ["department", "region", "postcodes"],
    "sortableAttributes": ["population"],
    # Among equally good matches, the bigger commune is the one people mean.
    "rankingRules": ["words", "typo", "proximity", "attribute", "exactness", "population:desc"],
    "typoTolerance": {"disableOnAttributes": ["postcodes", "code"]},
}


def space_document(space: Space, epci_siren: str | None = None) -> dict[str, Any]:
    """What any visitor may see of a place; `epci_siren` is its commune's intercommunality."""
    return {
        "id": space.id,
        "name": space.name,
        "address": space.address,
        "postcode": space.postcode,
        "commune": space.commune_insee,
        "commune_name": space.commune_name,
        "department": space.department_code,
        "region": space.region_code,
        "epci": epci_siren,
        "typologies": list(space.typologies),
        "organization_id": space.organization_id,
        "claimed": space.organization_id is not None,
        "_geo": _geo(space.latitude, space.longitude),
    }


def commune_document(commune: Commune) -> dict[str, Any]:
    return {
        "id": commune.code_insee,
        "code": commune.code_insee,
        "name": commune.name,
        "postcodes": [p for p in commune.postcodes.split("|") if p],
        "department": commune.department_code,
        "region": commune.region_code,
        "population": commune.population or 0,
        "_geo": _geo(commune.latitude, commune.longitude),
    }


def _geo(latitude: float | None, longitude: float | None) -> dict[str, float] | None:
    if latitude is None or longitude is None:
        return None
    return {"lat": latitude, "lng": longitude}
