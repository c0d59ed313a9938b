"""Digital spaces of Mayotte (2023): 14 places (a Cité des métiers and thirteen "Espace
numérique") from a map of Mayotte's tiers-lieux.

No ids: the key is the folded name and village. `village_or_commune` is a village, not always
the INSEE commune: the place is put in the commune of its postcode nearest to its coordinates.
Typology: ESPACE_NUMERIQUE. Thirteen places share one name, so only their positions (300 m) keep
them apart when another source lists them.

Licence: none stated; read from the shared data folder, never copied into the project.
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
    key_of,
    name_of,
    postcode_of,
)
from core.models import Typology


class MayotteDigital:
    name: ClassVar[str] = "mayotte_numerique"
    title: ClassVar[str] = "Espaces numériques de Mayotte (2023)"
    attribution: ClassVar[str] = (
        "Cartographie des tiers-lieux de Mayotte, ybacomah/Cartographie-tiers-lieux-mayotte (2023)"
    )
    licence: ClassVar[str] = "Aucune licence indiquée — tests seulement"
    ref_prefix: ClassVar[str] = "yt"
    file_name: ClassVar[str] = "espaces_numeriques_mayotte_2023.csv"
    edition: ClassVar[date] = date(2023, 11, 5)
    required_columns: ClassVar[frozenset[str]] = frozenset(
        {"name", "village_or_commune", "postcode", "lat", "lon"}
    )

    def row(self, line: int, cells: Mapping[str, str]) -> SourceRow | Rejected:
        try:
            name = name_of(cells, "name")
            point = coordinates(cells, "lat", "lon")
        except BadCell as problem:
            return Rejected(line, str(problem))
        village = cells.get("village_or_commune", "")
        address = cells.get("address", "")
        return SourceRow(
            line=line,
            key=key_of(name, village),
            name=name,
            typologies=(Typology.ESPACE_NUMERIQUE,),
            address=(f"{address}, {village.title()}" if village else address)[:300],
            postcode=postcode_of(cells.get("postcode", "")),
            city=village,
            latitude=point[0] if point else None,
            longitude=point[1] if point else None,
            located=point is not None,
        )
