"""The catalogue section of docs/ERRORS.md, from the code enums: `python -m schema.error_docs`.

Only the part between the two markers is generated; the prose around it is the file's own. A test
fails when the committed section is not what the enums give (`make schema` rewrites it).
"""

from __future__ import annotations

import sys
from pathlib import Path

from core.error_codes import CATALOGUE
from core.errors import ErrorCode

DOC = Path(__file__).resolve().parent.parent / "docs" / "ERRORS.md"
BEGIN = "<!-- catalogue: written by `make schema` from core/error_codes.py; do not edit -->"
END = "<!-- end of catalogue -->"


def catalogue() -> str:
    """One table per enum: each code and its English message template."""
    return "\n".join(_table(codes) for codes in CATALOGUE)


def with_catalogue(text: str) -> str:
    """`text` with the section between the markers replaced by the current catalogue."""
    head, begin, rest = text.partition(BEGIN)
    _, end, tail = rest.partition(END)
    if not begin or not end:
        raise ValueError(f"{DOC.name} lacks the catalogue markers")
    return f"{head}{BEGIN}\n\n{catalogue()}\n{END}{tail}"


def _table(codes: type[ErrorCode]) -> str:
    rows = "".join(f"| `{code.name}` | {_cell(code.value)} |\n" for code in codes)
    doc = (codes.__doc__ or "").strip()
    return f"### `{codes.__name__}`\n\n{doc}\n\n| code | message |\n|---|---|\n{rows}"


def _cell(template: str) -> str:
    return template.replace("|", "\\|").replace("{value}", "**{value}**")


if __name__ == "__main__":
    DOC.write_text(with_catalogue(DOC.read_text(encoding="utf-8")), encoding="utf-8")
    sys.stdout.write(f"{DOC} rewritten\n")
