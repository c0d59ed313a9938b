"""What a source adapter is: one open list of places, read into normalized rows.

An adapter knows one file format and says who made the data and under which licence. It turns
each line into a `SourceRow` (the source's own key, a name, typologies, where it is) or a
`Rejected` line with the reason; it never touches the database. The directory import
(`core/importers/directory.py`) resolves communes, applies the dedupe rules
(`core/importers/dedupe.py`) and writes places and their source records.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import ClassVar, Protocol

from core.importers.file_checks import FileRefused, column_problem, csv_records, read_text
from core.models import Typology


@dataclass(frozen=True)
class SourceRow:
    line: int
    key: str
    name: str
    typologies: tuple[Typology, ...] = ()
    address: str = ""
    postcode: str = ""
    city: str = ""
    insee_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    located: bool = True
    """False when the source's position is only its commune's centroid (or is untrustworthy)."""
    website: str | None = None
    siret: str | None = None
    fablabs_slug: str | None = None
    url: str | None = None
    """The record's own page at the source (a fablabs.io page), when it has one."""


@dataclass(frozen=True)
class Rejected:
    line: int
    reason: str


class SpaceSource(Protocol):
    """One open list of places."""

    name: ClassVar[str]
    """The name `entrelieux import spaces --source NAME` takes."""
    title: ClassVar[str]
    attribution: ClassVar[str]
    licence: ClassVar[str]
    ref_prefix: ClassVar[str]
    """The prefix of the `ref` of the places this source creates: `mc:123`, `fablabs:ping`."""
    file_name: ClassVar[str]
    """The file's name in the shared data folder, which the demo imports."""
    edition: ClassVar[date]
    """The date of that file's data, as its .source.txt documents it."""
    required_columns: ClassVar[frozenset[str]]

    def row(self, line: int, cells: Mapping[str, str]) -> SourceRow | Rejected: ...


@dataclass
class SourceFile:
    rows: list[SourceRow] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    refused: Rejected | None = None
    """The whole file refused (missing columns, not UTF-8 text): nothing of it is imported."""


def read_source(source: SpaceSource, path: Path) -> SourceFile:
    result = SourceFile()
    try:
        header, lines = _read_cells(path)
    except FileRefused as refusal:
        result.refused = Rejected(refusal.line, refusal.reason)
        return result
    missing = source.required_columns - set(header)
    if missing:
        result.refused = Rejected(1, f"missing columns: {', '.join(sorted(missing))}")
        return result
    seen: dict[str, int] = {}
    for number, cells in lines:
        outcome = source.row(number, cells)
        if isinstance(outcome, SourceRow) and outcome.key in seen:
            outcome = Rejected(number, f"the same place as line {seen[outcome.key]}")
        if isinstance(outcome, Rejected):
            result.rejected.append(outcome)
        else:
            seen[outcome.key] = number
            result.rows.append(outcome)
    return result


def _read_cells(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and each record's cells by column name, read as text (a short row's missing
    cells are empty); `FileRefused` when the file cannot be read as a whole."""
    records = csv_records(read_text(path))
    _, header = next(records, (1, []))
    if problem := column_problem(header):
        raise FileRefused(1, problem)
    width = len(header)
    lines = [
        (number, dict(zip(header, [c.strip() for c in cells[:width]] + [""] * width, strict=False)))
        for number, cells in records
        if cells
    ]
    return header, lines


class BadCell(ValueError):
    """A cell that makes its row unusable; the message is the rejection's reason."""


def coordinates(cells: Mapping[str, str], lat: str, lon: str) -> tuple[float, float] | None:
    """Both cells empty: no position. Otherwise both must be numbers on the globe."""
    lat_text, lon_text = cells.get(lat, ""), cells.get(lon, "")
    if not lat_text and not lon_text:
        return None
    try:
        latitude, longitude = float(lat_text), float(lon_text)
    except ValueError:
        raise BadCell(f"{lat}/{lon}: not numbers") from None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise BadCell(f"{lat}/{lon}: out of range")
    return latitude, longitude


def name_of(cells: Mapping[str, str], column: str) -> str:
    name = " ".join(cells.get(column, "").split())
    if not name:
        raise BadCell(f"{column}: empty name")
    return name[:200]


def postcode_of(text: str) -> str:
    """'75 011' and '9500' (a lost leading zero) read as '75011' and '09500'."""
    digits = re.sub(r"\s+", "", text)
    if digits.isdigit() and 4 <= len(digits) <= 5:
        return digits.zfill(5)
    return ""


def website_of(text: str) -> str | None:
    text = text.strip()
    if not text or " " in text:
        return None
    if not text.lower().startswith(("http://", "https://")):
        text = f"https://{text}"
    return text[:500]


def key_of(*parts: str) -> str:
    """A key for a file with no ids of its own: its folded name and where it is."""
    folded = unicodedata.normalize("NFKD", " ".join(parts)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:200]
