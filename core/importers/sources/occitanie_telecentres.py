"""Coworkings and telecentres of Occitanie (2016): 73 places from a regional map's database.

No ids: the key is the folded name and postcode. No coordinates: each place is put at its
commune's centroid (postcode and city), so the dedupe rules compare it by name and commune only.
Typology from `type_inferred_from_name` (a heuristic on the name, added when the file was made).

Licence: none stated (a public repository); real but 2016-vintage, some places may have closed.
Read from the shared data folder, never copied into the project.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import ClassVar

from core.importers.sources.base import (
    BadCell,
    Rejected,
    SourceRow,
    key_of,
    name_of,
    postcode_of,
    website_of,
)
from core.models import Typology

TYPOLOGY = {
    "coworking": (Typology.COWORKING,),
    "telecentre": (Typology.TELECENTRE,),
    "pepiniere_incubateur": (Typology.PEPINIERE,),
    "espace_public": (Typology.PUBLIC_BUILDING,),
    "mediatheque": (Typology.PUBLIC_BUILDING,),
    "centre_affaires": (Typology.OTHER,),
}


class OccitanieTelecentres:
    name: ClassVar[str] = "occitanie_telecentres"
    title: ClassVar[str] = "Coworkings et télécentres d'Occitanie (2016)"
    attribution: ClassVar[str] = (
        "Carte des tiers-lieux d'Occitanie, JGoillot/rails-tierslieuxOccitanie (2016)"
    )
    licence: ClassVar[str] = "Aucune licence indiquée — dépôt public, tests seulement"
    ref_prefix: ClassVar[str] = "occ"
    file_name: ClassVar[str] = "coworkings_telecentres_occitanie_2016.csv"
    edition: ClassVar[date] = date(2016, 10, 18)
    required_columns: ClassVar[frozenset[str]] = frozenset({"name", "postcode", "city"})

    def row(self, line: int, cells: Mapping[str, str]) -> SourceRow | Rejected:
        try:
            name = name_of(cells, "name")
            postcode = postcode_of(cells.get("postcode", ""))
            if not postcode and not cells.get("city"):
                raise BadCell("postcode/city: missing, the place cannot be put in a commune")
        except BadCell as problem:
            return Rejected(line, str(problem))
        return SourceRow(
            line=line,
            key=key_of(name, postcode),
            name=name,
            typologies=TYPOLOGY.get(cells.get("type_inferred_from_name", ""), ()),
            address=cells.get("address", "")[:300],
            postcode=postcode,
            city=cells.get("city", ""),
            located=False,
            website=website_of(cells.get("website", "")),
        )
