"""The open lists of places the directory is built from, one adapter each (`base.SpaceSource`).

`SOURCES` in the demo's order (the issue's): the Mission Coworking base first (the default of
`entrelieux import spaces`), then the merged list, then the lists it was derived from. The merged
list comes early because it bridges: its rows carry a website and a fablabs.io page together, so
a lab the census knows by its website and fablabs.io by its slug ends up one place.
"""

from __future__ import annotations

from core.importers.sources.base import SpaceSource
from core.importers.sources.fablabs_io import FablabsIo
from core.importers.sources.idf_coworkings import IdfCoworkings
from core.importers.sources.mayotte_digital import MayotteDigital
from core.importers.sources.mission_coworking import MissionCoworking
from core.importers.sources.occitanie_telecentres import OccitanieTelecentres
from core.importers.sources.tiers_lieux_merged import TiersLieuxMerged

SOURCES: dict[str, SpaceSource] = {
    source.name: source
    for source in (
        MissionCoworking(),
        TiersLieuxMerged(),
        FablabsIo(),
        IdfCoworkings(),
        OccitanieTelecentres(),
        MayotteDigital(),
    )
}
DEFAULT_SOURCE = MissionCoworking.name

__all__ = ["DEFAULT_SOURCE", "SOURCES", "SpaceSource"]
