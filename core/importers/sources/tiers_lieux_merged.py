"""The merged French tiers-lieux list: a union of fablabs.io (2024 and 2017), the Occitanie
telecentres, the Mayotte digital spaces and the Île-de-France coworkings, de-duplicated on
(normalised name, city), each row with an INSEE code.

Key: its `uid`. Typology from `type`. Positions marked `commune_centroid(derived)` or
`coords_far_from_commune` are not the place's own: the dedupe rules treat them as unknown. A
fablabs.io page in `fablabs_io_url` gives the lab's slug (rule FABLABS_IO).

Licence: mixed, each row under its sources' (see the other adapters); test and evaluation use
only, read from the shared data folder, never copied into the project.
"""

from __future__ import annotations

import re
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
    "fablab": (Typology.FABLAB,),
    "coworking": (Typology.COWORKING,),
    "telecentre": (Typology.TELECENTRE,),
    "espace_numerique": (Typology.ESPACE_NUMERIQUE,),
    "pepiniere_incubateur": (Typology.PEPINIERE,),
    "espace_public": (Typology.PUBLIC_BUILDING,),
    "mediatheque": (Typology.PUBLIC_BUILDING,),
    "centre_affaires": (Typology.OTHER,),
}
FABLABS_PAGE = re.compile(r"fablabs\.io/labs/([A-Za-z0-9_-]+)")


class TiersLieuxMerged:
    name: ClassVar[str] = "tiers_lieux_fr"
    title: ClassVar[str] = "Liste fusionnée des tiers-lieux français"
    attribution: ClassVar[str] = (
        "Liste dérivée de fablabs.io (2017, 2024), des télécentres d'Occitanie (2016), des "
        "espaces numériques de Mayotte (2023) et des coworkings d'Île-de-France (2025)"
    )
    licence: ClassVar[str] = "Mixte, celle de chaque source — évaluation et tests seulement"
    ref_prefix: ClassVar[str] = "tl"
    file_name: ClassVar[str] = "tiers_lieux_fr_merged.csv"
    edition: ClassVar[date] = date(2025, 5, 23)
    required_columns: ClassVar[frozenset[str]] = frozenset(
        {"uid", "name", "type", "postcode", "city", "insee_code", "lat", "lon"}
    )

    def row(self, line: int, cells: Mapping[str, str]) -> SourceRow | Rejected:
        try:
            if not cells.get("uid"):
                raise BadCell("uid: missing")
            name = name_of(cells, "name")
            point = coordinates(cells, "lat", "lon")
        except BadCell as problem:
            return Rejected(line, str(problem))
        own = (
            point is not None
            and cells.get("coord_source", "source") == "source"
            and cells.get("coords_far_from_commune", "") != "yes"
        )
        page = cells.get("fablabs_io_url", "")
        slug = match.group(1).lower() if (match := FABLABS_PAGE.search(page)) else None
        insee = cells.get("insee_code", "")
        return SourceRow(
            line=line,
            key=cells["uid"],
            name=name,
            typologies=TYPOLOGY.get(cells.get("type", ""), (Typology.OTHER,)),
            address=cells.get("address", "")[:300],
            postcode=postcode_of(cells.get("postcode", "")),
            city=cells.get("city", ""),
            insee_code=insee if len(insee) == 5 else None,
            latitude=point[0] if point else None,
            longitude=point[1] if point else None,
            located=own,
            website=website_of(cells.get("website", "")),
            fablabs_slug=slug,
            url=page or None,
        )
