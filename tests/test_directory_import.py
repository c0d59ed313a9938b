"""The directory from several open sources, on real rows of the shipped lists: what merges, what
must not, re-imports that update, and bad files that write nothing partial."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.importers.directory import import_source
from core.importers.sources import SOURCES
from core.models import OutboxEvent, Space, SpaceMerge, SpaceSourceRecord
from tests.directory_rows import cut, needs_shared_data

pytestmark = needs_shared_data


async def _import(
    session: AsyncSession, source: str, path: Path, day: date | None = None
) -> list[str]:
    return (await import_source(session, SOURCES[source], path, day)).lines()


async def _place_of(session: AsyncSession, source: str, key: str) -> Space:
    statement = select(Space).join(
        SpaceSourceRecord, col(SpaceSourceRecord.space_id) == col(Space.id)
    )
    statement = statement.where(SpaceSourceRecord.source == source, SpaceSourceRecord.key == key)
    return (await session.exec(statement)).one()


async def _merge_of(session: AsyncSession, source: str, key: str) -> SpaceMerge | None:
    statement = select(SpaceMerge).join(
        SpaceSourceRecord, col(SpaceSourceRecord.id) == col(SpaceMerge.record_id)
    )
    statement = statement.where(SpaceSourceRecord.source == source, SpaceSourceRecord.key == key)
    return (await session.exec(statement)).first()


async def _count(session: AsyncSession, model: type) -> int:
    return int((await session.exec(select(func.count()).select_from(model))).one())


async def test_the_same_fablab_in_fablabs_io_and_the_merged_list_is_one_place(
    session: AsyncSession, tmp_path: Path
) -> None:
    labs = cut("fablabs_io", tmp_path, "slug", ["ping", "berrylab36"])
    merged = cut("tiers_lieux_fr", tmp_path, "uid", ["tl0001"])  # PiNG, Nantes

    assert await _import(session, "fablabs_io", labs, date(2024, 10, 1)) == [
        "2 rows: 0 merged, 2 new, 0 updated, 0 rejected"
    ]
    assert await _import(session, "tiers_lieux_fr", merged) == [
        "1 rows: 1 merged, 0 new, 0 updated, 0 rejected"
    ]

    ping = await _place_of(session, "tiers_lieux_fr", "tl0001")
    assert ping.ref == "fablabs:ping"
    assert (ping.name, ping.commune_insee, ping.typologies) == ("PiNG", "44109", ["FABLAB"])
    merge = await _merge_of(session, "tiers_lieux_fr", "tl0001")
    assert merge is not None
    assert (merge.rule, merge.reason) == ("FABLABS_IO", "même fiche fablabs.io « ping »")
    # The merged list adds the website fablabs.io does not give.
    assert ping.website == "http://fablab.pingbase.net"


async def test_in_the_demo_order_the_merged_list_bridges_the_census_and_fablabs_io(
    session: AsyncSession, tmp_path: Path
) -> None:
    # ACoLab: the census and fablabs.io place it 1.9 km apart; the merged list has its website
    # (the census's) and its fablabs.io page.
    census = cut("mission_coworking", tmp_path, "ID", ["1155", "1156"])
    merged = cut("tiers_lieux_fr", tmp_path, "uid", ["tl0093", "tl0146"])
    labs = cut("fablabs_io", tmp_path, "slug", ["acolab", "artilectfablab"])

    await _import(session, "mission_coworking", census)
    await _import(session, "tiers_lieux_fr", merged)
    assert await _import(session, "fablabs_io", labs) == [
        "2 rows: 2 merged, 0 new, 0 updated, 0 rejected"
    ]

    assert await _count(session, Space) == 2
    acolab = await _place_of(session, "fablabs_io", "acolab")
    assert (acolab.ref, acolab.fablabs_slug) == ("mc:1155", "acolab")
    bridge = await _merge_of(session, "tiers_lieux_fr", "tl0093")
    assert bridge is not None
    assert bridge.reason == "même site web acolab.fr, même commune"
    # Artilect's website is a Facebook page: the very same name, 1.9 km apart, merges it.
    artilect = await _merge_of(session, "tiers_lieux_fr", "tl0146")
    assert artilect is not None
    assert artilect.reason == "nom similaire à 1,00, à 1945 m, même commune"


async def test_a_fablab_of_the_census_and_of_fablabs_io_merge_by_name_and_distance(
    session: AsyncSession, tmp_path: Path
) -> None:
    census = cut("mission_coworking", tmp_path, "ID", ["434"])  # BerryLab 36, Châteauroux
    labs = cut("fablabs_io", tmp_path, "slug", ["berrylab36"])

    await _import(session, "mission_coworking", census)
    assert await _import(session, "fablabs_io", labs) == [
        "1 rows: 1 merged, 0 new, 0 updated, 0 rejected"
    ]

    place = await _place_of(session, "fablabs_io", "berrylab36")
    assert (place.ref, place.name, place.fablabs_slug) == ("mc:434", "BerryLab 36", "berrylab36")
    merge = await _merge_of(session, "fablabs_io", "berrylab36")
    assert merge is not None
    assert (merge.rule, merge.reason) == ("NAME", "nom similaire à 0,95, à 30 m, même commune")


async def test_two_coworkings_next_door_each_merge_with_their_own_and_not_the_other(
    session: AsyncSession, tmp_path: Path
) -> None:
    # Greenspace (28 rue du Chemin Vert) and Cool & Workers (34, 8 m away in the census).
    census = cut("mission_coworking", tmp_path, "ID", ["607", "820"])
    idf = cut("idf_coworkings", tmp_path, "name", ["Cool and Workers", "Greenspace Paris"])

    await _import(session, "mission_coworking", census)
    assert await _import(session, "idf_coworkings", idf) == [
        "2 rows: 2 merged, 0 new, 0 updated, 0 rejected"
    ]

    cool = await _place_of(session, "idf_coworkings", "cool-and-workers-75011")
    green = await _place_of(session, "idf_coworkings", "greenspace-paris-75011")
    assert (cool.ref, green.ref) == ("mc:820", "mc:607")
    assert await _count(session, Space) == 2
    merge = await _merge_of(session, "idf_coworkings", "cool-and-workers-75011")
    assert merge is not None
    assert merge.reason == "même site web coolandworkers.com, même commune"


async def test_a_fablab_and_the_cooperative_that_runs_it_stay_two_places(
    session: AsyncSession, tmp_path: Path
) -> None:
    # The census lists the cooperative Pointcarré, fablabs.io (2017) its fablab Point Carré.
    census = cut("mission_coworking", tmp_path, "ID", ["1472"])
    merged = cut("tiers_lieux_fr", tmp_path, "uid", ["tl0259"])

    await _import(session, "mission_coworking", census)
    assert await _import(session, "tiers_lieux_fr", merged) == [
        "1 rows: 0 merged, 1 new, 0 updated, 0 rejected"
    ]

    fablab = await _place_of(session, "tiers_lieux_fr", "tl0259")
    cooperative = await _place_of(session, "mission_coworking", "1472")
    assert fablab.id != cooperative.id
    assert (fablab.commune_insee, cooperative.commune_insee) == ("93066", "93066")


async def test_digital_spaces_of_one_name_in_two_villages_stay_apart_and_each_gets_its_own(
    session: AsyncSession, tmp_path: Path
) -> None:
    villages = ["M'GOMBANI", "PASSAMAINTY"]  # two "Espace numérique" of Mamoudzou, 2 km apart
    mayotte = cut("mayotte_numerique", tmp_path, "village_or_commune", villages)
    merged = cut("tiers_lieux_fr", tmp_path, "uid", ["tl0347", "tl0346"])

    await _import(session, "mayotte_numerique", mayotte)
    assert await _import(session, "tiers_lieux_fr", merged) == [
        "2 rows: 2 merged, 0 new, 0 updated, 0 rejected"
    ]

    gombani = await _place_of(session, "tiers_lieux_fr", "tl0346")
    passamainty = await _place_of(session, "tiers_lieux_fr", "tl0347")
    assert (gombani.ref, passamainty.ref) == (
        "yt:espace-numerique-m-gombani",
        "yt:espace-numerique-passamainty",
    )
    assert gombani.commune_insee == passamainty.commune_insee == "97611"  # Mamoudzou
    assert gombani.typologies == ["ESPACE_NUMERIQUE"]


async def test_places_without_coordinates_get_their_commune_and_merge_by_name_there(
    session: AsyncSession, tmp_path: Path
) -> None:
    census = cut("mission_coworking", tmp_path, "ID", ["1060"])  # Chez Woomeet, Mirepoix
    occitanie = cut(
        "occitanie_telecentres",
        tmp_path,
        "name",
        ["Espace de Coworking Chez Woomeet", "Télécentre de Laguépie"],
    )

    await _import(session, "mission_coworking", census)
    assert await _import(session, "occitanie_telecentres", occitanie) == [
        "2 rows: 1 merged, 1 new, 0 updated, 0 rejected"
    ]

    woomeet = await _place_of(
        session, "occitanie_telecentres", "espace-de-coworking-chez-woomeet-09500"
    )
    assert woomeet.ref == "mc:1060"
    merge = await _merge_of(
        session, "occitanie_telecentres", "espace-de-coworking-chez-woomeet-09500"
    )
    assert merge is not None
    assert merge.reason == ("nom similaire à 1,00, position de la commune seulement, même commune")
    laguepie = await _place_of(session, "occitanie_telecentres", "telecentre-de-laguepie-82250")
    assert (laguepie.commune_name, laguepie.typologies) == ("Laguépie", ["TELECENTRE"])
    assert laguepie.latitude is not None  # the commune's centre
    record = (
        await session.exec(
            select(SpaceSourceRecord).where(SpaceSourceRecord.space_id == laguepie.id)
        )
    ).one()
    assert record.located is False


async def test_a_newer_file_updates_the_same_records_and_places(
    session: AsyncSession, tmp_path: Path
) -> None:
    census = cut("mission_coworking", tmp_path, "ID", ["607"])
    idf = cut("idf_coworkings", tmp_path, "name", ["Greenspace Paris", "La Ruche"])
    await _import(session, "mission_coworking", census)
    await _import(session, "idf_coworkings", idf, date(2025, 5, 23))
    places, records = await _count(session, Space), await _count(session, SpaceSourceRecord)
    newer = tmp_path / "newer.csv"
    newer.write_text(
        idf.read_text(encoding="utf-8").replace("24 Rue de l’Est", "26 Rue de l’Est"),
        encoding="utf-8",
    )

    again = await _import(session, "idf_coworkings", newer, date(2026, 1, 15))

    assert again == ["2 rows: 0 merged, 0 new, 2 updated, 0 rejected"]
    assert (await _count(session, Space), await _count(session, SpaceSourceRecord)) == (
        places,
        records,
    )
    assert await _count(session, SpaceMerge) == 1
    ruche = await _place_of(session, "idf_coworkings", "la-ruche-75020")
    assert ruche.address == "26 Rue de l’Est, 75020 Paris"
    record = (
        await session.exec(
            select(SpaceSourceRecord).where(SpaceSourceRecord.key == "la-ruche-75020")
        )
    ).one()
    assert record.said_at.date() == date(2026, 1, 15)
    assert record.said["address"] == "26 Rue de l’Est, 75020 Paris"


async def test_the_same_file_again_changes_no_place_and_indexes_nothing_again(
    session: AsyncSession, tmp_path: Path
) -> None:
    census = cut("mission_coworking", tmp_path, "ID", ["607", "820"])
    idf = cut("idf_coworkings", tmp_path, "name", ["Greenspace Paris", "Cool and Workers"])
    await _import(session, "mission_coworking", census)
    await _import(session, "idf_coworkings", idf)
    events = await _count(session, OutboxEvent)

    assert await _import(session, "idf_coworkings", idf) == [
        "2 rows: 0 merged, 0 new, 2 updated, 0 rejected"
    ]
    assert await _import(session, "mission_coworking", census) == [
        "2 rows: 0 merged, 0 new, 2 updated, 0 rejected"
    ]
    assert await _count(session, OutboxEvent) == events


async def test_bad_rows_are_rejected_with_their_reason_and_leave_nothing(
    session: AsyncSession, tmp_path: Path
) -> None:
    path = tmp_path / "idf.csv"
    real = cut("idf_coworkings", tmp_path, "name", ["Mutinerie"]).read_text(encoding="utf-8")
    header, mutinerie = real.splitlines()
    path.write_text(
        "\n".join(
            [
                header,
                mutinerie,
                ',"1 rue sans nom, 75011 Paris",75011,Paris,,48.86,2.37',
                'Hors du globe,"1 rue, 75011 Paris",75011,Paris,,148.86,2.37',
                'Pas un nombre,"1 rue, 75011 Paris",75011,Paris,,quarante-huit,2.37',
                'Nulle part,"1 rue, 99999 Ailleurs",99999,Ailleurs,,,',
                mutinerie,
            ]
        )
        + "\n",
        encoding="utf-8",
    )

    assert await _import(session, "idf_coworkings", path) == [
        "line 3: name: empty name",
        "line 4: lat/lon: out of range",
        "line 5: lat/lon: not numbers",
        "line 6: commune: none found for 99999 Ailleurs",
        "line 7: the same place as line 2",
        "6 rows: 0 merged, 1 new, 0 updated, 5 rejected",
    ]
    assert await _count(session, Space) == 1
    assert await _count(session, SpaceSourceRecord) == 1


async def test_a_file_without_its_source_columns_is_refused_whole(
    session: AsyncSession, tmp_path: Path
) -> None:
    census = cut("mission_coworking", tmp_path, "ID", ["607"])

    report = await _import(session, "fablabs_io", census)

    assert report == [
        "line 1: missing columns: city, lat, lon, name, postcode, slug",
        "0 rows: 0 merged, 0 new, 0 updated, 1 rejected",
    ]
    assert await _count(session, Space) == 0
    assert await _count(session, SpaceSourceRecord) == 0


async def test_an_empty_file_and_one_that_is_not_text_are_refused_whole(
    session: AsyncSession, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    latin = tmp_path / "latin1.csv"
    latin.write_bytes("name,postcode,city\nTélécentre,09500,Mirepoix\n".encode("latin-1"))

    assert await _import(session, "occitanie_telecentres", empty) == [
        "line 1: the file is empty",
        "0 rows: 0 merged, 0 new, 0 updated, 1 rejected",
    ]
    [refused, summary] = await _import(session, "occitanie_telecentres", latin)
    assert refused == "line 2: not UTF-8 text: save the file as UTF-8"
    assert summary == "0 rows: 0 merged, 0 new, 0 updated, 1 rejected"
    assert await _count(session, Space) == 0
