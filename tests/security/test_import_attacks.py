"""Hostile import files through the real `entrelieux import` command: one line on stderr naming
the file, the line and the reason, exit 2, no traceback, and nothing written (the good row
before the bad one neither).

Like tests/test_cli.py these run the command on a SQLite file of their own: they check the
command line; the readers they go through are the same on both databases.
"""

from __future__ import annotations

import json
import random
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from core.importers.file_checks import FileRefused
from core.importers.listing_files import read_rows
from core.importers.sources import SOURCES
from core.importers.sources.base import read_source
from tests.serve_process import run_cli

SPACES_HEADER = "ID,NOM_TL,ADRESSE,CP,INSEECOM,WEB,TYPO,LAT,LONG"
GOOD_SPACE = "9001,Fablab des Pentes,1 rue Burdeau,69001,69381,,Fablab,45.7701,4.8264"
LISTINGS_HEADER = "ref,direction,kind,title"
GOOD_LISTING = "attack:ok,OFFER,SKILL,Animation d'ateliers"
GOOD_JSON = json.dumps({"ref": "attack:ok", "direction": "OFFER", "kind": "SKILL", "title": "Ok"})
TEN_MB = "x" * (10 * 1024 * 1024)
WIDE = ",".join(f"c{i % 25_000}" for i in range(50_000))  # every name twice, too


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("attacks") / "attacks.sqlite3"
    migrated = run_cli(f"sqlite+aiosqlite:///{path}", "migrate")
    assert migrated.returncode == 0, migrated.stderr
    return path


def _rows(database: Path) -> tuple[int, int]:
    with sqlite3.connect(database) as connection:
        listings = connection.execute("SELECT count(*) FROM listing").fetchone()[0]
        spaces = connection.execute("SELECT count(*) FROM space").fetchone()[0]
    return listings, spaces


def _text(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def _latin1(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("latin-1")


RANDOM = random.Random(13).randbytes(4096)  # a fixed sample of noise


def _first_bad_line(raw: bytes) -> int:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return raw[: error.start].count(b"\n") + 1
    raise AssertionError("this noise is valid UTF-8")


# (what, file name, its bytes, the line named, the reason)
ATTACKS: list[tuple[str, str, bytes, int, str]] = [
    ("listings", "latin1.csv", _latin1(LISTINGS_HEADER, GOOD_LISTING, "a,OFFER,SKILL,Télé"), 3,
     "not UTF-8 text: save the file as UTF-8"),
    ("listings", "noise.csv", RANDOM, _first_bad_line(RANDOM),
     "not UTF-8 text: save the file as UTF-8"),
    ("listings", "nul.csv", _text(LISTINGS_HEADER, GOOD_LISTING, "b,OFFER\0,SKILL,x"), 3,
     "a NUL character: not a text file"),
    ("listings", "utf16.csv", "\ufeffref,title\n".encode("utf-16-le"), 1,
     "UTF-16 text: save the file as UTF-8"),
    ("listings", "empty.csv", b"", 1, "the file is empty"),
    ("listings", "blank.jsonl", b"\n \n", 1, "the file is empty"),
    ("listings", "cell.csv", _text(LISTINGS_HEADER, GOOD_LISTING, f"c,OFFER,SKILL,{TEN_MB}"), 3,
     "a cell longer than 65536 characters"),
    ("listings", "cell.jsonl", _text(GOOD_JSON, json.dumps({"ref": "c", "title": TEN_MB[:70_000]})),
     2, "title: a value longer than 65536 characters"),
    ("listings", "line.jsonl", _text(GOOD_JSON, json.dumps({"ref": "c", "title": TEN_MB})), 2,
     "a line longer than 4194304 characters"),
    ("listings", "deep.jsonl",
     _text(GOOD_JSON, '{"ref": "d", "details": ' + "[" * 100_000 + "]" * 100_000 + "}"), 2,
     "JSON nested 100001 levels deep: at most 32"),
    ("listings", "deep.csv",
     _text("ref,details", "attack:ok,{}", "d," + "[" * 30_000 + "]" * 30_000), 3,
     "details: JSON nested 30000 levels deep: at most 32"),
    ("listings", "wide.csv", _text(WIDE, GOOD_LISTING), 1,
     "50000 columns: a file may have at most 200"),
    ("listings", "twice.csv", _text("ref,title,ref", GOOD_LISTING), 1,
     "columns named twice: ref"),
    ("spaces", "latin1.csv", _latin1(SPACES_HEADER, GOOD_SPACE, "9002,Télécentre,,,,,,,"), 3,
     "not UTF-8 text: save the file as UTF-8"),
    ("spaces", "noise.csv", RANDOM, _first_bad_line(RANDOM),
     "not UTF-8 text: save the file as UTF-8"),
    ("spaces", "nul.csv", _text(SPACES_HEADER, GOOD_SPACE, "9003,\0,,,,,,,"), 3,
     "a NUL character: not a text file"),
    ("spaces", "empty.csv", b"", 1, "the file is empty"),
    ("spaces", "cell.csv", _text(SPACES_HEADER, GOOD_SPACE, f"9004,{TEN_MB},,,,,,,"), 3,
     "a cell longer than 65536 characters"),
    ("spaces", "wide.csv", _text(SPACES_HEADER + "," + WIDE, GOOD_SPACE), 1,
     "50009 columns: a file may have at most 200"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("what", "name", "content", "line", "reason"),
    ATTACKS,
    ids=[f"{what}-{name}" for what, name, *_ in ATTACKS],
)
def test_a_hostile_file_is_one_line_and_writes_nothing(
    database: Path, tmp_path: Path, what: str, name: str, content: bytes, line: int, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    args = ("--organization", "Atelier des attaques") if what == "listings" else ()

    result = run_cli(f"sqlite+aiosqlite:///{database}", "import", what, str(path), *args)

    assert (result.returncode, result.stdout) == (2, ""), result.stderr[-2000:]
    assert result.stderr == f"{path}:{line}: {reason}\n"
    assert _rows(database) == (0, 0)


def test_a_file_with_a_utf8_bom_still_imports(database: Path, tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + _text(LISTINGS_HEADER, GOOD_LISTING))
    url = f"sqlite+aiosqlite:///{database}"

    result = run_cli(url, "import", "listings", str(path), "--organization", "Atelier BOM")

    assert (result.returncode, result.stdout) == (0, "1 imported, 0 updated, 0 rejected\n")
    assert _rows(database)[0] == 1


def _cpu_seconds(read: Callable[[], object]) -> float:
    started = time.process_time()
    read()
    return time.process_time() - started


def test_a_50000_column_header_is_refused_in_under_a_second(tmp_path: Path) -> None:
    """The duplicate check was quadratic: 44.6 s for this header."""
    listings, spaces = tmp_path / "wide.csv", tmp_path / "spaces.csv"
    listings.write_text(f"{WIDE}\n{GOOD_LISTING}\n", encoding="utf-8")
    spaces.write_text(f"{SPACES_HEADER},{WIDE}\n{GOOD_SPACE}\n", encoding="utf-8")

    def read_listings() -> None:
        with pytest.raises(FileRefused, match="50000 columns"):
            list(read_rows(listings))

    refused = read_source(SOURCES["mission_coworking"], spaces).refused
    assert refused is not None
    assert "50009 columns" in refused.reason
    assert _cpu_seconds(read_listings) < 1.0
    assert _cpu_seconds(lambda: read_source(SOURCES["mission_coworking"], spaces)) < 1.0
