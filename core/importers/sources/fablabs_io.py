"""The French labs of fablabs.io (2024), from the Internet of Production Alliance's Open-Know-Where
export of the fablabs.io API (closed and planned labs removed).

Key: the lab's fablabs.io slug, which also goes on the place (`fablabs_slug`), so any other
source naming the same lab page joins it (dedupe rule FABLABS_IO). Typology: FABLAB. Fourteen
labs have no coordinates: they are placed at their commune (postcode and city).

Licence: fablabs.io data is "Limited" (fablabs.io data policy; the IoPA repositories say CC BY
4.0): read from the shared data folder at load time, for demonstration and tests, never copied
into the project.
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
)
from core.models import Typology


class FablabsIo:
    name: ClassVar[str] = "fablabs_io"
    title: ClassVar[str] = "fablabs.io – labs en France (2024)"
    attribution: ClassVar[str] = (
        "fablabs.io, via l'export Open-Know-Where de l'Internet of Production Alliance (2024)"
    )
    licence: ClassVar[str] = (
        "fablabs.io : données « Limited » (politique de données de fablabs.io) ; dépôt IoPA "
        "CC BY 4.0 — démonstration et tests seulement"
    )
    ref_prefix: ClassVar[str] = "fablabs"
    file_name: ClassVar[str] = "fablabs_io_fr_2024.csv"
    edition: ClassVar[date] = date(2024, 10, 1)
    required_columns: ClassVar[frozenset[str]] = frozenset(
        {"name", "slug", "city", "postcode", "lat", "lon"}
    )

    def row(self, line: int, cells: Mapping[str, str]) -> SourceRow | Rejected:
        try:
            name = name_of(cells, "name")
            slug = cells.get("slug", "").lower()
            if not slug or "/" in slug:
                raise BadCell("slug: missing")
            point = coordinates(cells, "lat", "lon")
        except BadCell as problem:
            return Rejected(line, str(problem))
        return SourceRow(
            line=line,
            key=slug,
            name=name,
            typologies=(Typology.FABLAB,),
            address=cells.get("address", "")[:300],
            postcode=postcode_of(cells.get("postcode", "")),
            city=cells.get("city", ""),
            latitude=point[0] if point else None,
            longitude=point[1] if point else None,
            located=point is not None,
            fablabs_slug=slug,
            url=cells.get("fablabs_io_url") or f"https://www.fablabs.io/labs/{slug}",
        )
