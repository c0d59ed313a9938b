"""Coworkings of Île-de-France (2025): 31 places scraped by a third party from a portage
website's directory, then geocoded.

The file has no ids: the key is the folded name and postcode ("mon-premier-bureau-75014"), so a
place renamed in a newer file comes back as a new record. Typology: COWORKING.

Licence: none stated; scraped third-party content, low trust: test use only, read from the
shared data folder, never copied into the project.
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
    website_of,
)
from core.models import Typology


class IdfCoworkings:
    name: ClassVar[str] = "idf_coworkings"
    title: ClassVar[str] = "Coworkings d'Île-de-France (2025)"
    attribution: ClassVar[str] = (
        "Coworkings d'Île-de-France relevés sur leportagesalarial.com et géocodés par "
        "SarahHac/streamlit (2025)"
    )
    licence: ClassVar[str] = "Aucune licence indiquée — tests seulement"
    ref_prefix: ClassVar[str] = "idf"
    file_name: ClassVar[str] = "coworkings_idf_scraped_2025.csv"
    edition: ClassVar[date] = date(2025, 5, 23)
    required_columns: ClassVar[frozenset[str]] = frozenset(
        {"name", "address", "postcode", "city", "lat", "lon"}
    )

    def row(self, line: int, cells: Mapping[str, str]) -> SourceRow | Rejected:
        try:
            name = name_of(cells, "name")
            point = coordinates(cells, "lat", "lon")
        except BadCell as problem:
            return Rejected(line, str(problem))
        postcode = postcode_of(cells.get("postcode", ""))
        return SourceRow(
            line=line,
            key=key_of(name, postcode),
            name=name,
            typologies=(Typology.COWORKING,),
            address=cells.get("address", "")[:300],
            postcode=postcode,
            city=cells.get("city", ""),
            latitude=point[0] if point else None,
            longitude=point[1] if point else None,
            located=point is not None,
            website=website_of(cells.get("website", "")),
        )
