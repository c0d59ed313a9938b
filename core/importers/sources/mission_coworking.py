"""The Mission Coworking base (CGET/ANCT, 2019): 1,512 tiers-lieux, columns as published.

Key: the base's `ID`. Typology from `TYPO` (coworking or fablab dominant). `INSEECOM` is the
commune; about one row in ten has an unusable code (`0`, or a commune merged since 2019), and is
placed by its postcode and commune name, else in the commune nearest to its coordinates, which
every row must have. File: `data/mission_coworking_2019.csv` (shipped in the project).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import ClassVar

from core.importers.sources.base import (
    BadCell,
    Rejected,
    SourceRow,
    coordinates,
    name_of,
    postcode_of,
    website_of,
)
from core.models import Typology

TYPOLOGY = {
    "Tiers lieux à dominante coworking": (Typology.COWORKING,),
    "Tiers lieux à dominante fablab": (Typology.FABLAB,),
}


class MissionCoworking:
    name: ClassVar[str] = "mission_coworking"
    title: ClassVar[str] = "Mission Coworking – base des tiers-lieux 2019"
    attribution: ClassVar[str] = "CGET / ANCT - Mission Coworking, base des tiers-lieux 2019"
    licence: ClassVar[str] = "Licence Ouverte / Open Licence 2.0 (Etalab)"
    ref_prefix: ClassVar[str] = "mc"
    file_name: ClassVar[str] = "tiers_lieux_mission_coworking_2019.csv"
    edition: ClassVar[date] = date(2019, 1, 1)
    required_columns: ClassVar[frozenset[str]] = frozenset(
        {"ID", "NOM_TL", "INSEECOM", "LAT", "LONG"}
    )

    def row(self, line: int, cells: Mapping[str, str]) -> SourceRow | Rejected:
        try:
            if not cells.get("ID", "").isdigit():
                raise BadCell("ID: not a number")
            name = name_of(cells, "NOM_TL")
            point = coordinates(cells, "LAT", "LONG")
            if point is None:
                raise BadCell("LAT/LONG: not numbers")
        except BadCell as problem:
            return Rejected(line, str(problem))
        insee = cells.get("INSEECOM", "")
        return SourceRow(
            line=line,
            key=cells["ID"],
            name=name,
            typologies=TYPOLOGY.get(cells.get("TYPO", ""), ()),
            address=cells.get("ADRESSE", "")[:300],
            postcode=postcode_of(cells.get("CP", "")),
            city=cells.get("NOMCOM", "") or cells.get("COMINIT", ""),
            insee_code=insee if len(insee) == 5 else None,
            latitude=point[0],
            longitude=point[1],
            website=website_of(cells.get("WEB", "")),
        )
