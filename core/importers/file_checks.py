"""What makes an import file unreadable as a whole, found before any row is written.

An import refuses a file whole, naming the line, when it is not UTF-8 text (Latin-1, UTF-16,
random bytes), holds a NUL byte (a binary file), is empty, has a cell longer than
`MAX_CELL_CHARS`, a header of more than `MAX_COLUMNS` columns or with a column named twice, or a
JSON value nested deeper than `MAX_JSON_DEPTH`. These are limits of the file format, not of a
deployment: the largest real cell (a description) is a few KiB, a listing's `details` two levels
deep. Every check is linear in the file's size.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

MAX_CELL_CHARS = 64 * 1024
MAX_COLUMNS = 200
MAX_JSON_DEPTH = 32

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_JSON_BRACKET = re.compile(r"[\[\]{}]")


class FileRefused(Exception):
    """The whole file is refused: nothing of it is imported."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


def read_text(path: Path) -> str:
    """The file's text (UTF-8, a leading BOM dropped), or `FileRefused` saying why not."""
    raw = path.read_bytes()
    if not raw.strip():
        raise FileRefused(1, "the file is empty")
    if raw.startswith(_UTF16_BOMS):
        raise FileRefused(1, "UTF-16 text: save the file as UTF-8")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise FileRefused(line, "not UTF-8 text: save the file as UTF-8") from None
    if (nul := text.find("\0")) >= 0:
        raise FileRefused(text.count("\n", 0, nul) + 1, "a NUL character: not a text file")
    return text


def csv_records(text: str, delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """Each record with the line it starts on (a quoted cell may span lines); a cell over
    `MAX_CELL_CHARS` or a malformed record is `FileRefused` at its line."""
    csv.field_size_limit(MAX_CELL_CHARS)  # the process's limit: the importers' one reader
    lines = _Lines(io.StringIO(text, newline=""))
    reader = csv.reader(lines, delimiter=delimiter)
    while True:
        lines.first = None
        try:
            cells = next(reader, None)
        except csv.Error as error:
            line = lines.first or lines.number
            if "field larger than field limit" in str(error):
                raise FileRefused(line, f"a cell longer than {MAX_CELL_CHARS} characters") from None
            raise FileRefused(line, f"not readable as CSV ({error})") from None
        if cells is None:
            return
        yield lines.first or lines.number, cells


def column_problem(header: list[str]) -> str | None:
    """Too many columns, or a name given twice (counted once: linear, whatever the width)."""
    if len(header) > MAX_COLUMNS:
        return f"{len(header)} columns: a file may have at most {MAX_COLUMNS}"
    counts = Counter(name for name in header if name)
    if duplicates := sorted(name[:40] for name, count in counts.items() if count > 1):
        return f"columns named twice: {', '.join(duplicates)}"
    return None


def json_depth_problem(text: str) -> str | None:
    """A JSON text nested deeper than `MAX_JSON_DEPTH`, found without parsing it."""
    depth = deepest = 0
    for bracket in _JSON_BRACKET.findall(_JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    if deepest > MAX_JSON_DEPTH:
        return f"JSON nested {deepest} levels deep: at most {MAX_JSON_DEPTH}"
    return None


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
