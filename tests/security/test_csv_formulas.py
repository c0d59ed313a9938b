"""No CSV the product writes hands a spreadsheet a formula (`core/csv_export.py`)."""

from __future__ import annotations

import csv
import io

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.csv_export import csv_text, neutralized
from core.models import Commune
from tests.graphql import GraphQLClient

HYPERLINK = '=HYPERLINK("http://x")'


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        (HYPERLINK, "'" + HYPERLINK),
        ("+33 1 23 45 67 89", "'+33 1 23 45 67 89"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-3", "-3"),  # a plain number stays a number
        ("-0.5", "-0.5"),
        ("+2", "+2"),
        ("-", "'-"),
        ("Guéret", "Guéret"),
        ("a=b", "a=b"),
        ("", ""),
        (42, "42"),
    ],
)
def test_a_cell_a_spreadsheet_would_evaluate_gets_a_quote(cell: object, written: str) -> None:
    assert neutralized(cell) == written


def test_the_header_and_every_row_go_through_it() -> None:
    text = csv_text(["=name", "value"], [["@x", "-1"], ["ok", "=1"]])

    assert list(csv.reader(io.StringIO(text))) == [
        ["'=name", "value"],
        ["'@x", "-1"],
        ["ok", "'=1"],
    ]


async def test_a_territory_named_like_a_formula_exports_as_text(
    client: GraphQLClient, session: AsyncSession
) -> None:
    """The communes table comes from an open file: a poisoned name reaches the export."""
    commune = (await session.exec(select(Commune).where(Commune.code_insee == "23096"))).one()
    commune.name = HYPERLINK
    session.add(commune)
    await session.commit()

    response = await client.http.get("/export/territory/23096.csv")

    assert response.status_code == 200, response.text
    rows = {(f, d): v for f, d, v in list(csv.reader(io.StringIO(response.text)))[1:]}
    assert rows[("territory", "name")] == "'" + HYPERLINK
    assert rows[("territory", "code")] == "23096"
    assert all(not value.startswith(("=", "+", "@")) for value in rows.values())
