"""Every CSV the product writes goes through `csv_text`: no cell is ever read as a formula.

A spreadsheet evaluates a cell that starts with `=`, `+`, `-` or `@` (and a tab or a carriage
return before one), so `=HYPERLINK("http://x")` in a name would become a link, or worse (OWASP,
"CSV Injection"). Such a cell gets a leading `'`, which spreadsheets show as text and hide.
The rule's one exception: a cell that is a plain number (`-3`, `-0.5`, `+2`) is written as it
is, since a number is never a formula and a sheet should still sum it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def neutralized(value: object) -> str:
    """The cell's text, with a leading `'` when a spreadsheet would take it for a formula."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_STARTS) and not _NUMBER.fullmatch(text):
        return f"'{text}"
    return text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A CSV document (RFC 4180 line ends), every cell neutralized."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralized(name) for name in header])
    writer.writerows([neutralized(value) for value in row] for row in rows)
    return out.getvalue()
