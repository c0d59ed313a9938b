"""Reading listing files (JSON Lines or CSV) into rows of plain values, with line numbers.

Nothing here validates a listing: it only turns cells into values and says which lines cannot be
read at all. `core.importers.listings` does the rest.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ORGANIZATION_FIELDS = ("organization", "organization_siret", "organization_kind")
LISTING_FIELDS = (
    "ref",
    "direction",
    "kind",
    "title",
    "description",
    "category",
    "tags",
    "space_ref",
    "lat",
    "lon",
    "commune",
    "available_from",
    "available_until",
    "visibility",
    "terms",
    "details",
    "origin",
    "source",
)
FIELDS = frozenset(LISTING_FIELDS + ORGANIZATION_FIELDS)
ENUM_FIELDS = frozenset({"direction", "kind", "visibility", "terms", "organization_kind", "origin"})


@dataclass(frozen=True)
class Row:
    line: int
    data: dict[str, Any] | None = None
    problem: str | None = None


def read_rows(path: Path) -> Iterator[Row]:
    suffix = path.suffix.lower()
    if suffix not in (".jsonl", ".csv"):
        yield Row(1, problem=f"file: {path.suffix or 'no extension'} is not .jsonl or .csv")
        return
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        yield Row(line, problem="not UTF-8 text: save the file as UTF-8")
        return
    yield from (_jsonl_rows(text) if suffix == ".jsonl" else _csv_rows(text))


def _jsonl_rows(text: str) -> Iterator[Row]:
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            yield Row(number, problem=f"malformed JSON: {error.msg} (column {error.colno})")
            continue
        if not isinstance(value, dict):
            yield Row(number, problem="malformed JSON: a line must hold one JSON object")
            continue
        yield Row(number, {k: _clean(k, v) for k, v in value.items() if v is not None})


def _csv_rows(text: str) -> Iterator[Row]:
    lines = _Lines(io.StringIO(text, newline=""))
    header_line = text.split("\n", 1)[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(lines, delimiter=delimiter)
    header = [name.strip() for name in next(reader, [])]
    if problem := _header_problem(header):
        yield Row(1, problem=problem)
        return
    while True:
        lines.first = None
        cells = next(reader, None)
        if cells is None:
            return
        line = lines.first or lines.number
        if not any(cell.strip() for cell in cells):
            continue
        yield _csv_row(line, header, cells)


def _header_problem(header: list[str]) -> str | None:
    named = [name for name in header if name]
    if not named:
        return "the file is empty: the first line must name the columns"
    if duplicates := sorted({name for name in named if named.count(name) > 1}):
        return f"columns named twice: {', '.join(duplicates)}"
    if unknown := [name for name in named if name not in FIELDS]:
        return f"unknown columns: {', '.join(unknown)} (see docs/IMPORT.md)"
    if "ref" not in named:
        return "ref: missing column"
    return None


def _csv_row(line: int, header: list[str], cells: list[str]) -> Row:
    if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
        return Row(line, problem=f"{len(cells)} cells, but the header names {len(header)} columns")
    data: dict[str, Any] = {}
    for name, cell in zip(header, cells, strict=False):
        if not cell.strip():
            continue
        if not name:
            return Row(line, problem=f"a value in a column without a name: {cell.strip()[:40]!r}")
        try:
            data[name] = _clean(name, _from_cell(name, cell.strip()))
        except ValueError as error:
            return Row(line, problem=f"{name}: {error}")
    return Row(line, data)


def _from_cell(name: str, cell: str) -> Any:
    if name == "tags":
        return [tag.strip() for tag in cell.split("|") if tag.strip()]
    if name == "details":
        try:
            details = json.loads(cell)
        except json.JSONDecodeError:
            raise ValueError('must be a JSON object, such as {"surface_m2": 240}') from None
        if not isinstance(details, dict):
            raise ValueError('must be a JSON object, such as {"surface_m2": 240}')
        return details
    if name in ("lat", "lon"):
        return cell.replace(",", ".")  # a French spreadsheet's decimal comma
    return cell


def _clean(name: str, value: Any) -> Any:
    if name in ENUM_FIELDS and isinstance(value, str):
        return value.strip().upper()
    return value


class _Lines:
    """Feeds the CSV reader line by line, noting where a record starts (a cell may span lines)."""

    def __init__(self, handle: io.StringIO) -> None:
        self.handle = handle
        self.number = 0
        self.first: int | None = None

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self.handle)
        self.number += 1
        if self.first is None and line.strip():
            self.first = self.number
        return line
