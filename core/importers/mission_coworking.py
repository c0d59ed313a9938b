"""Places from the Mission Coworking base (CGET/ANCT, 2019), columns as published: the default
format of `entrelieux import spaces`.

Each row becomes, or updates, an unclaimed place with ref `mc:<ID>` and its source record
(adapter: `core/importers/sources/mission_coworking.py`; the import:
`core/importers/directory.py`). Rows with an unusable INSEE code are placed by postcode and
name, else in the commune nearest to their coordinates.
"""

from __future__ import annotations

from pathlib import Path

from sqlmodel.ext.asyncio.session import AsyncSession

from core.importers.directory import DirectoryReport, import_source
from core.importers.sources.mission_coworking import MissionCoworking


async def import_mission_coworking(session: AsyncSession, path: Path) -> DirectoryReport:
    """Import or update every valid row; invalid rows are reported and skipped."""
    return await import_source(session, MissionCoworking(), path, MissionCoworking.edition)
