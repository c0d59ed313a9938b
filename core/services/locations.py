"""Where a listing or a place is: from explicit coordinates, a commune, or both."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from core.error_codes import LocationErrorCode
from core.errors import InvalidInput
from core.services.communes import nearest_commune, resolve_commune


@dataclass(frozen=True)
class Location:
    latitude: float | None = None
    longitude: float | None = None
    commune_insee: str | None = None
    commune_name: str = ""
    department_code: str | None = None
    region_code: str | None = None


async def locate(
    session: AsyncSession,
    *,
    latitude: float | None,
    longitude: float | None,
    commune: str | None,
) -> Location | None:
    """Resolve a commune to its centroid, or coordinates to their commune; None when neither."""
    if (latitude is None) != (longitude is None):
        missing = "lon" if longitude is None else "lat"
        raise InvalidInput.one(missing, LocationErrorCode.COORDINATES_APART)
    if commune:
        found = await resolve_commune(session, commune)
        return Location(
            latitude=found.latitude if latitude is None else latitude,
            longitude=found.longitude if longitude is None else longitude,
            commune_insee=found.code_insee,
            commune_name=found.name,
            department_code=found.department_code,
            region_code=found.region_code,
        )
    if latitude is None or longitude is None:
        return None
    nearest = await nearest_commune(session, latitude, longitude)
    if nearest is None:
        return Location(latitude=latitude, longitude=longitude)
    return Location(
        latitude=latitude,
        longitude=longitude,
        commune_insee=nearest.code_insee,
        commune_name=nearest.name,
        department_code=nearest.department_code,
        region_code=nearest.region_code,
    )
