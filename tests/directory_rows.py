"""Real rows of the shared open lists of places (../shared/data), cut into small files for tests.

Their licences keep these files out of the project: the tests that read them skip without the
shared folder.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from core.importers.sources import SOURCES
from core.settings import DEFAULT_DATA_DIR, Settings

SHARED = Settings().shared_data_dir
MISSION_COWORKING = DEFAULT_DATA_DIR / "mission_coworking_2019.csv"

needs_shared_data = pytest.mark.skipif(
    SHARED is None or not (SHARED / SOURCES["fablabs_io"].file_name).is_file(),
    reason="the open lists of places are in ../shared/data, which this checkout lacks",
)


def source_file(source: str) -> Path:
    if source == "mission_coworking":
        return MISSION_COWORKING
    assert SHARED is not None
    return SHARED / SOURCES[source].file_name


def cut(source: str, folder: Path, column: str, values: list[str], name: str = "") -> Path:
    """A file of `source`'s format holding its rows whose `column` is one of `values`, in the
    order of `values` (each must be found once)."""
    with source_file(source).open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        found = {row[column]: row for row in reader if row[column] in values}
    missing = [v for v in values if v not in found]
    assert not missing, f"{source}: no row with {column} in {missing}"
    path = folder / (name or f"{source}.csv")
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        for value in values:
            writer.writerow(found[value])
    return path
