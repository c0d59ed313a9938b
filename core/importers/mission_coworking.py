"""Places from the Mission Coworking base (CGET/ANCT, 2019), columns as published.

Each row becomes an unclaimed `Space` with ref `mc:<ID>`; importing again updates it in place.
About one row in ten has no usable INSEE code (`0`, or a commune merged since 2019): those are
placed in the commune nearest to their coordinates.
"""

from __future__ import annotations

import csv
from pathlib import Path

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.importers.report import ImportReport
from core.models import Commune, Space, Typology
from core.models.base import utcnow
from core.services.communes import nearest_commune

REQUIRED_COLUMNS = {"ID", "NOM_TL", "INSEECOM", "LAT", "LONG"}
TYPOLOGY = {
    "Tiers lieux à dominante coworking": [Typology.COWORKING],
    "Tiers lieux à dominante fablab": [Typology.FABLAB],
}


async def import_mission_coworking(session: AsyncSession, path: Path) -> ImportReport:
    """Import or update every valid row; invalid rows are reported and skipped."""
    report = ImportReport()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = REQUIRED_COLUMNS - set(reader.fieldnames or [])
        if missing:
            report.reject(1, f"missing columns: {', '.join(sorted(missing))}")
            return report
        # A short row gives None for its missing cells: read every cell as text.
        rows = [
            (line, {key: (value or "") for key, value in row.items() if key is not None})
            for line, row in enumerate(reader, start=2)
        ]
    communes = {c.code_insee: c for c in (await session.exec(select(Commune)))}
    existing = {
        s.ref: s
        for s in (await session.exec(select(Space).where(Space.ref.startswith("mc:"))))  # type: ignore[union-attr]
    }
    for line, row in rows:
        problem = _problem(row)
        if problem:
            report.reject(line, problem)
            continue
        latitude, longitude = float(row["LAT"]), float(row["LONG"])
        commune = communes.get(row["INSEECOM"].strip()) or await nearest_commune(
            session, latitude, longitude
        )
        if commune is None:
            report.reject(line, "INSEECOM: unknown commune, and none near LAT/LONG")
            continue
        ref = f"mc:{row['ID'].strip()}"
        space = existing.get(ref)
        if space is None:
            space = Space(ref=ref, name="")
            session.add(space)
            existing[ref] = space
            report.imported += 1
        else:
            report.updated += 1
        _fill(space, row, commune)
    await session.flush()
    return report


def _problem(row: dict[str, str]) -> str | None:
    if not row.get("ID", "").strip().isdigit():
        return "ID: not a number"
    if not row.get("NOM_TL", "").strip():
        return "NOM_TL: empty name"
    try:
        lat, lon = float(row["LAT"]), float(row["LONG"])
    except (TypeError, ValueError):
        return "LAT/LONG: not numbers"
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return "LAT/LONG: out of range"
    return None


def _fill(space: Space, row: dict[str, str], commune: Commune) -> None:
    website = row.get("WEB", "").strip()
    space.name = row["NOM_TL"].strip()[:200]
    space.typologies = [t.value for t in TYPOLOGY.get(row.get("TYPO", "").strip(), [])]
    space.address = row.get("ADRESSE", "").strip()[:300]
    space.postcode = row.get("CP", "").strip().zfill(5)[:5] if row.get("CP", "").strip() else ""
    space.commune_insee = commune.code_insee
    space.commune_name = commune.name
    space.department_code = commune.department_code
    space.region_code = commune.region_code
    space.latitude = float(row["LAT"])
    space.longitude = float(row["LONG"])
    if website and not website.startswith("http"):
        website = f"https://{website}"
    space.website = website[:500] or None
    space.updated_at = utcnow()
