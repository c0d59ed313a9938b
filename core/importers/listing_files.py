"""Reading listing files (JSON Lines or CSV) into rows of plain values, with line numbers.

Nothing here validates a listing: it only turns cells into values and says which lines cannot be
read at all. `core.importers.listings` does the rest.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.importers.file_checks import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    FileRefused,
    column_problem,
    csv_records,
    json_depth_problem,
    read_text,
)

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
MAX_LINE_CHARS = 64 * MAX_CELL_CHARS
"""A JSON Lines line holds every cell of a row: a few of them at their longest."""
ENUM_FIELDS = frozenset({"direction", "kind", "visibility", "terms", "organization_kind", "origin"})


@dataclass(frozen=True)
class Row:
    line: int
    data: dict[str, Any] | None = None
    problem: str | None = None


def read_rows(path: Path) -> Iterator[Row]:
    """The file's rows; `FileRefused` (core/importers/file_checks.py) when it cannot be read
    as a whole: not UTF-8, binary, empty, a cell too long, JSON nested too deep, a bad header."""
    suffix = path.suffix.lower()
    if suffix not in (".jsonl", ".csv"):
        raise FileRefused(1, f"{path.suffix or 'no extension'} is not .jsonl or .csv")
    text = read_text(path)
    yield from (_jsonl_rows(text) if suffix == ".jsonl" else _csv_rows(text))


def _jsonl_rows(text: str) -> Iterator[Row]:
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        if len(line) > MAX_LINE_CHARS:
            raise FileRefused(number, f"a line longer than {MAX_LINE_CHARS} characters")
        if problem := json_depth_problem(line):
            raise FileRefused(number, problem)
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            yield Row(number, problem=f"malformed JSON: {error.msg} (column {error.colno})")
            continue
        if not isinstance(value, dict):
            yield Row(number, problem="malformed JSON: a line must hold one JSON object")
            continue
        if problem := _object_problem(value):
            raise FileRefused(number, problem)
        yield Row(number, {k: _clean(k, v) for k, v in value.items() if v is not None})


def _object_problem(value: dict[str, Any]) -> str | None:
    if len(value) > MAX_COLUMNS:
        return f"{len(value)} fields: a line may have at most {MAX_COLUMNS}"
    for key, item in value.items():
        if len(key) > MAX_CELL_CHARS or (isinstance(item, str) and len(item) > MAX_CELL_CHARS):
            return f"{key[:40]}: a value longer than {MAX_CELL_CHARS} characters"
    return None


def _csv_rows(text: str) -> Iterator[Row]:
    header_line = text.split("\n", 1)[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    records = csv_records(text, delimiter)
    _, first = next(records, (1, []))
    header = [name.strip() for name in first]
    if problem := _header_problem(header):
        raise FileRefused(1, problem)
    for line, cells in records:
        if not any(cell.strip() for cell in cells):
            continue
        yield _csv_row(line, header, cells)


def _header_problem(header: list[str]) -> str | None:
    named = [name for name in header if name]
    if not named:
        return "the first line must name the columns"
    if problem := column_problem(header):
        return problem
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
        except FileRefused as refusal:
            raise FileRefused(line, refusal.reason) from None
    return Row(line, data)


def _from_cell(name: str, cell: str) -> Any:
    if name == "tags":
        return [tag.strip() for tag in cell.split("|") if tag.strip()]
    if name == "details":
        if problem := json_depth_problem(cell):
            raise FileRefused(0, f"details: {problem}")  # the caller knows the line
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
