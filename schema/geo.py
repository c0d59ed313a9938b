"""Where a search looks: a point given by coordinates or by a commune, and how far around it."""

from __future__ import annotations

import strawberry

from core.services.communes import find_commune
from schema.context import Info
from schema.relay import bad_argument
from search.listings_search import GeoPoint


@strawberry.input(description="A point (WGS 84).")
class GeoInput:
    lat: float = strawberry.field(description="Latitude, -90 to 90.")
    lon: float = strawberry.field(description="Longitude, -180 to 180.")


async def resolve_near(
    info: Info, near: GeoInput | None, commune: str | None, *, field: str = "commune"
) -> GeoPoint | None:
    """A point from coordinates or a commune (the argument named `field`); bad values name
    their argument."""
    if near is not None:
        if not -90 <= near.lat <= 90:
            raise bad_argument("near.lat", "must be between -90 and 90")
        if not -180 <= near.lon <= 180:
            raise bad_argument("near.lon", "must be between -180 and 180")
        return GeoPoint(near.lat, near.lon)
    if commune:
        point = _COMMUNE_POINTS.get(commune)
        if point is None:
            found = await find_commune(info.context.session, commune)
            if found is None or found.latitude is None or found.longitude is None:
                raise bad_argument(field, f"unknown commune {commune!r}")
            point = GeoPoint(found.latitude, found.longitude)
            if len(_COMMUNE_POINTS) >= 4096:
                _COMMUNE_POINTS.clear()
            _COMMUNE_POINTS[commune] = point
        return point
    return None


# Communes are reference data that never change while the app runs: a search "near Guéret"
# need not ask the database again. Per process, bounded, nothing shared.
_COMMUNE_POINTS: dict[str, GeoPoint] = {}
