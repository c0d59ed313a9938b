"""`import_mission_coworking`: the shipped 2019 census, re-imported in place; bad rows reported."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.importers.mission_coworking import import_mission_coworking
from core.models import Space, Typology
from core.settings import DEFAULT_DATA_DIR

CENSUS = DEFAULT_DATA_DIR / "mission_coworking_2019.csv"
HEADER = "ID,NOM_TL,ADRESSE,CP,INSEECOM,WEB,TYPO,LAT,LONG"


async def _census_spaces(session: AsyncSession) -> int:
    statement = select(func.count()).select_from(Space).where(Space.ref.startswith("mc:"))  # type: ignore[union-attr]
    return int((await session.exec(statement)).one())


async def test_the_shipped_census_imports_1512_places_then_updates_them_in_place(
    session: AsyncSession,
) -> None:
    first = await import_mission_coworking(session, CENSUS)
    again = await import_mission_coworking(session, CENSUS)

    assert first.lines() == ["1512 rows: 0 merged, 1512 new, 0 updated, 0 rejected"]
    assert again.lines() == ["1512 rows: 0 merged, 0 new, 1512 updated, 0 rejected"]
    assert await _census_spaces(session) == 1512
    ade = (await session.exec(select(Space).where(Space.ref == "mc:1"))).one()
    assert (ade.name, ade.commune_insee, ade.department_code, ade.postcode) == (
        "ADE Coworking",
        "44109",
        "44",
        "44300",
    )
    assert ade.typologies == [Typology.COWORKING.value]
    assert ade.website == "https://www.ade-coworking.net"
    assert ade.organization_id is None
    unplaced = select(func.count()).select_from(Space).where(Space.commune_insee.is_(None))  # type: ignore[union-attr]
    assert (await session.exec(unplaced)).one() == 0


async def test_bad_rows_are_reported_by_line_and_the_good_ones_kept(
    session: AsyncSession, tmp_path: Path
) -> None:
    path = tmp_path / "census.csv"
    path.write_text(
        "\n".join(
            [
                HEADER,
                "9001,Fablab des Pentes,1 rue Burdeau,69001,69381,,Tiers lieux à dominante fablab,"
                "45.7701,4.8264",
                "x12,Sans identifiant,,,23096,,,46.17,1.87",
                "9002,,,,23096,,,46.17,1.87",
                "9003,Coordonnées absentes,,,23096,,,,",
                "9004,Hors du globe,,,23096,,,123.0,1.87",
                "9005,Code INSEE périmé,,,00000,,,46.17,1.87",
            ]
        )
        + "\n",
        encoding="utf-8",
    )

    report = await import_mission_coworking(session, path)

    assert report.lines() == [
        "line 3: ID: not a number",
        "line 4: NOM_TL: empty name",
        "line 5: LAT/LONG: not numbers",
        "line 6: LAT/LONG: out of range",
        "6 rows: 0 merged, 2 new, 0 updated, 4 rejected",
    ]
    placed = (await session.exec(select(Space).where(Space.ref == "mc:9005"))).one()
    assert placed.commune_insee == "23096"  # an unusable code: the nearest commune instead
    assert await _census_spaces(session) == 2


async def test_a_file_without_the_census_columns_is_refused_whole(
    session: AsyncSession, tmp_path: Path
) -> None:
    path = tmp_path / "other.csv"
    path.write_text("name,city\nFablab,Guéret\n", encoding="utf-8")

    report = await import_mission_coworking(session, path)

    assert report.lines() == [
        "line 1: missing columns: ID, INSEECOM, LAT, LONG, NOM_TL",
        "0 rows: 0 merged, 0 new, 0 updated, 1 rejected",
    ]
    assert await _census_spaces(session) == 0
