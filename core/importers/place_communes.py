"""The commune of a source's row, offline: INSEE code, else postcode and name, else position.

Loaded once per import (35,000 communes in memory) so a row costs no query, except the rare row
known only by its coordinates (`nearest_commune`). Paris, Lyon and Marseille are resolved to
their arrondissement (the Mission Coworking base's and the merged list's level), so the dedupe
rules' "same commune" compares like with like.
"""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.importers.sources.base import SourceRow
from core.models import Commune
from core.services.communes import fold, haversine_km, nearest_commune

CITIES_WITH_ARRONDISSEMENTS = {"75056": "751", "69123": "6938", "13055": "132"}


class CommuneIndex:
    def __init__(self, communes: list[Commune]) -> None:
        self.by_code = {c.code_insee: c for c in communes}
        self.by_postcode: dict[str, list[Commune]] = {}
        self.by_name: dict[str, list[Commune]] = {}
        for commune in communes:
            for postcode in filter(None, commune.postcodes.split("|")):
                self.by_postcode.setdefault(postcode, []).append(commune)
            self.by_name.setdefault(commune.name_key, []).append(commune)

    @classmethod
    async def load(cls, session: AsyncSession) -> CommuneIndex:
        return cls(list((await session.exec(select(Commune))).all()))

    async def resolve(self, session: AsyncSession, row: SourceRow) -> Commune | None:
        commune = self.by_code.get(row.insee_code) if row.insee_code else None
        if commune is not None and commune.code_insee not in CITIES_WITH_ARRONDISSEMENTS:
            return commune
        point = (
            (row.latitude, row.longitude)
            if row.latitude is not None and row.longitude is not None
            else None
        )
        candidates = _without_whole_cities(self.by_postcode.get(row.postcode, []))
        city = fold(row.city) if row.city else ""
        named = [c for c in candidates if _named(c, city)]
        if named:
            return _nearest(named, point)
        if candidates and point is not None:
            nearest = _nearest(candidates, point)
            if _km(nearest, point) <= 20:
                return nearest
        if city and (same_name := self.by_name.get(city)):
            department = row.postcode[:3] if row.postcode.startswith("97") else row.postcode[:2]
            in_department = [c for c in same_name if c.department_code == department]
            return _nearest(in_department or same_name, point)
        if len(candidates) == 1:
            return candidates[0]
        if point is not None:
            return await nearest_commune(session, point[0], point[1])
        return _nearest(candidates, None) if candidates else None


def _without_whole_cities(communes: list[Commune]) -> list[Commune]:
    if any(c.code_insee.startswith(tuple(CITIES_WITH_ARRONDISSEMENTS.values())) for c in communes):
        return [c for c in communes if c.code_insee not in CITIES_WITH_ARRONDISSEMENTS]
    return communes


def _named(commune: Commune, city: str) -> bool:
    if not city:
        return False
    if commune.name_key == city:
        return True
    # "Paris 19e Arrondissement" answers to "Paris".
    return commune.name_key.startswith(f"{city} ") and "arrondissement" in commune.name_key


def _km(commune: Commune, point: tuple[float, float]) -> float:
    if commune.latitude is None or commune.longitude is None:
        return float("inf")
    return haversine_km(point[0], point[1], commune.latitude, commune.longitude)


def _nearest(communes: list[Commune], point: tuple[float, float] | None) -> Commune:
    if point is None:
        return max(communes, key=lambda c: (c.population or 0, c.code_insee))
    return min(communes, key=lambda c: _km(c, point))
