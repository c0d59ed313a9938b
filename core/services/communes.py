"""Offline geocoding: a commune from its INSEE code, postcode or name, and back from a point."""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, func, insert, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.error_codes import LocationErrorCode
from core.errors import InvalidInput
from core.models import Commune, Epci

INSEE_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$", re.IGNORECASE)
POSTCODE = re.compile(r"^\d{5}$")
NAME_WITH_DEPARTMENT = re.compile(r"^(?P<name>.+?)\s*\((?P<dep>\d{2,3}|2[AB])\)$", re.IGNORECASE)


def fold(name: str) -> str:
    """'Saint-Étienne' and 'saint etienne' fold to the same key."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[-'’\s]+", " ", text).strip()
    return re.sub(r"^(st|ste) ", lambda m: "saint " if m.group(1) == "st" else "sainte ", text)


@dataclass(frozen=True)
class Place:
    """Where something is: a commune with its department and region, and coordinates."""

    commune_insee: str
    latitude: float | None
    longitude: float | None
    department_code: str
    region_code: str


def place_of(
    commune: Commune, latitude: float | None = None, longitude: float | None = None
) -> Place:
    return Place(
        commune_insee=commune.code_insee,
        latitude=commune.latitude if latitude is None else latitude,
        longitude=commune.longitude if longitude is None else longitude,
        department_code=commune.department_code,
        region_code=commune.region_code,
    )


async def find_commune(session: AsyncSession, text: str) -> Commune | None:
    """INSEE code first, then postcode, then name (optionally 'Name (dep)').

    A postcode or a name shared by several communes resolves to the most populous one, which is
    what a person typing it means far more often than not.
    """
    query = text.strip()
    if not query:
        return None
    if INSEE_CODE.match(query) and (found := await session.get(Commune, query.upper())):
        return found
    by_population = (Commune.population.desc().nulls_last(), Commune.code_insee)  # type: ignore[union-attr]
    if POSTCODE.match(query):
        statement = select(Commune).where(Commune.postcodes.contains(query))  # type: ignore[attr-defined]
        return (await session.exec(statement.order_by(*by_population).limit(1))).first()
    statement = select(Commune)
    if match := NAME_WITH_DEPARTMENT.match(query):
        query = match["name"]
        statement = statement.where(Commune.department_code == match["dep"].upper())
    statement = statement.where(Commune.name_key == fold(query))
    return (await session.exec(statement.order_by(*by_population).limit(1))).first()


async def resolve_commune(session: AsyncSession, text: str, field: str = "commune") -> Commune:
    commune = await find_commune(session, text)
    if commune is None:
        message = f"unknown commune {text!r} (INSEE code, postcode or name)"
        raise InvalidInput.one(field, LocationErrorCode.UNKNOWN_COMMUNE, message, value=text)
    return commune


async def nearest_commune(
    session: AsyncSession, latitude: float, longitude: float
) -> Commune | None:
    """The commune whose centroid is nearest, searched in a widening box around the point."""
    for half_side in (0.1, 0.3, 1.0):
        lon_half = half_side / max(math.cos(math.radians(latitude)), 0.1)
        statement = select(Commune).where(
            Commune.latitude.between(latitude - half_side, latitude + half_side),  # type: ignore[union-attr]
            Commune.longitude.between(longitude - lon_half, longitude + lon_half),  # type: ignore[union-attr]
        )
        candidates = (await session.exec(statement)).all()
        if candidates:
            return min(candidates, key=lambda c: distance_km(latitude, longitude, c))
    return None


def distance_km(latitude: float, longitude: float, commune: Commune) -> float:
    assert commune.latitude is not None
    assert commune.longitude is not None
    return haversine_km(latitude, longitude, commune.latitude, commune.longitude)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


async def communes_by_codes(session: AsyncSession, codes: Sequence[str]) -> list[Commune]:
    statement = select(Commune).where(Commune.code_insee.in_(codes))  # type: ignore[attr-defined]
    return list((await session.exec(statement)).all())


async def epcis_by_sirens(session: AsyncSession, sirens: Sequence[str]) -> list[Epci]:
    statement = select(Epci).where(col(Epci.siren).in_(sirens))
    return list((await session.exec(statement)).all())


async def load_communes(session: AsyncSession, path: Path) -> int:
    """Replace the communes table with the rows of `path` (the shipped communes CSV)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [_commune_row(row) for row in csv.DictReader(handle)]
    await session.exec(delete(Commune))
    for start in range(0, len(rows), 5000):
        await session.exec(insert(Commune), params=rows[start : start + 5000])
    return len(rows)


async def count_communes(session: AsyncSession) -> int:
    return int((await session.exec(select(func.count()).select_from(Commune))).one())


async def load_epcis(session: AsyncSession, path: Path) -> int:
    """Replace the EPCI table with the rows of `path` (the shipped `data/epci.csv`) and set each
    member commune's `epci_siren`; returns the number of EPCI."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    await session.exec(delete(Epci))
    await session.exec(
        insert(Epci),
        params=[
            {
                "siren": row["siren"],
                "name": row["name"],
                "nature": row["nature"],
                "population": int(row["population"]) if row["population"] else None,
            }
            for row in rows
        ],
    )
    known = set((await session.exec(select(Commune.code_insee))).all())
    members = [
        {"code_insee": code, "epci_siren": row["siren"]}
        for row in rows
        for code in row["communes"].split("|")
        if code in known
    ]
    await session.exec(update(Commune).values(epci_siren=None))
    for start in range(0, len(members), 5000):
        await session.exec(update(Commune), params=members[start : start + 5000])
    return len(rows)


async def count_epcis(session: AsyncSession) -> int:
    return int((await session.exec(select(func.count()).select_from(Epci))).one())


def _commune_row(row: dict[str, str]) -> dict[str, object]:
    return {
        "code_insee": row["code_insee"],
        "name": row["nom"],
        "name_key": fold(row["nom"]),
        "postcodes": row["codes_postaux"],
        "department_code": row["departement_code"],
        "department_name": row["departement_nom"],
        "region_code": row["region_code"],
        "region_name": row["region_nom"],
        "population": int(row["population"]) if row["population"] else None,
        "latitude": float(row["lat"]) if row["lat"] else None,
        "longitude": float(row["lon"]) if row["lon"] else None,
    }
