"""`import_listings`: JSON Lines and CSV, create or update by ref, one SAVEPOINT per row."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.db import StatementCounter
from core.importers.listings import import_listings
from core.importers.mission_coworking import import_mission_coworking
from core.models import Listing, ListingStatus, Organization, OrganizationKind, Sector
from core.settings import DEFAULT_DATA_DIR
from tests.factories import make_listing, make_organization

EXAMPLES = DEFAULT_DATA_DIR / "examples"
SIRET = "90123456700013"  # Luhn-valid, made up
OTHER_SIRET = "81234567600017"

LAB = "Atelier numérique de Guéret"


def _row(ref: str, **fields: Any) -> dict[str, Any]:
    return {
        "ref": ref,
        "direction": "OFFER",
        "kind": "EQUIPMENT",
        "title": f"Machine {ref}",
        "organization": LAB,
        "commune": "23096",
        **fields,
    }


def _jsonl(tmp_path: Path, *rows: dict[str, Any] | str, name: str = "listings.jsonl") -> Path:
    path = tmp_path / name
    lines = [row if isinstance(row, str) else json.dumps(row, ensure_ascii=False) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _csv(tmp_path: Path, header: list[str], *rows: list[str], name: str = "listings.csv") -> Path:
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


async def _listing(session: AsyncSession, ref: str) -> Listing | None:
    return (await session.exec(select(Listing).where(Listing.ref == ref))).first()


async def _count(session: AsyncSession, model: type[Any], *where: Any) -> int:
    statement = select(func.count()).select_from(model).where(*where)
    return int((await session.exec(statement)).one())


async def test_a_jsonl_file_creates_listings_placed_by_insee_code_postcode_or_name(
    session: AsyncSession, tmp_path: Path
) -> None:
    path = _jsonl(
        tmp_path,
        _row("lab:laser", commune="23096", tags=["Découpe laser", "gravure"]),
        _row("lab:vinyle", commune="23000"),
        _row("lab:fraiseuse", commune="Guéret", available_from="2026-03-02"),
        _row("lab:scanner", commune="saint etienne (42)"),
    )

    report = await import_listings(session, path)

    assert report.lines() == ["4 imported, 0 updated, 0 rejected"]
    for ref in ("lab:laser", "lab:vinyle", "lab:fraiseuse"):
        listing = await _listing(session, ref)
        assert listing is not None
        assert (listing.commune_insee, listing.department_code, listing.region_code) == (
            "23096",
            "23",
            "75",
        )
        assert (listing.latitude, listing.longitude) == (46.15847, 1.87047)
        assert listing.status == ListingStatus.PUBLISHED
        assert listing.published_at is not None
    laser = await _listing(session, "lab:laser")
    assert laser is not None
    assert laser.tags == ["découpe laser", "gravure"]
    assert laser.details == {"quantity": 1, "training_required": False}
    scanner = await _listing(session, "lab:scanner")
    assert scanner is not None
    assert scanner.commune_insee == "42218"
    organization = (await session.exec(select(Organization).where(Organization.name == LAB))).one()
    assert (organization.kind, organization.sector, organization.verified) == (
        OrganizationKind.TIERS_LIEU,
        Sector.PRIVATE,
        False,
    )
    assert {laser.organization_id} == {organization.id}


async def test_a_csv_file_reads_tags_details_and_an_organization_kind(
    session: AsyncSession, tmp_path: Path
) -> None:
    header = [
        "ref",
        "direction",
        "kind",
        "organization",
        "organization_kind",
        "title",
        "tags",
        "commune",
        "available_from",
        "available_until",
        "terms",
        "visibility",
        "details",
    ]
    path = _csv(
        tmp_path,
        header,
        [
            "gueret:ecole",
            "offer",
            "PREMISES",
            "Commune de Guéret",
            "COLLECTIVITE",
            "Ancienne école, 240 m², rez-de-chaussée accessible",
            "école | occupation temporaire|",
            "23000",
            "2026-03-01",
            "2026-12-31",
            "TEMPORARY_OCCUPATION",
            "NETWORK",
            '{"surface_m2": 240, "accessible": true, "erp_category": 5}',
        ],
    )

    report = await import_listings(session, path)

    assert report.ok, report.lines()
    listing = await _listing(session, "gueret:ecole")
    assert listing is not None
    assert listing.tags == ["école", "occupation temporaire"]
    assert listing.details == {"surface_m2": 240.0, "accessible": True, "erp_category": 5}
    assert (listing.terms, listing.visibility, listing.commune_insee) == (
        "TEMPORARY_OCCUPATION",
        "NETWORK",
        "23096",
    )
    commune = await session.get(Organization, listing.organization_id)
    assert commune is not None
    assert (commune.kind, commune.sector) == (OrganizationKind.COLLECTIVITE, Sector.PUBLIC)


async def test_importing_again_updates_the_listings_instead_of_duplicating_them(
    session: AsyncSession, tmp_path: Path
) -> None:
    first = _jsonl(tmp_path, _row("lab:laser", description="40 W"), _row("lab:vinyle"))
    await import_listings(session, first)
    laser = await _listing(session, "lab:laser")
    assert laser is not None
    laser.status = ListingStatus.PAUSED  # the owner paused it in the app meanwhile
    await session.flush()
    second = _jsonl(
        tmp_path,
        _row("lab:laser", title="Découpeuse laser 60 W", commune="Limoges"),
        _row("lab:vinyle"),
        _row("lab:imprimante"),
        name="second.jsonl",
    )

    report = await import_listings(session, second)

    assert report.lines() == ["1 imported, 2 updated, 0 rejected"]
    assert await _count(session, Listing, Listing.ref.startswith("lab:")) == 3  # type: ignore[union-attr]
    updated = await _listing(session, "lab:laser")
    assert updated is not None
    assert updated.id == laser.id
    assert (updated.title, updated.description, updated.commune_insee) == (
        "Découpeuse laser 60 W",
        "",
        "87085",
    )
    assert updated.status == ListingStatus.PAUSED


async def test_a_space_ref_places_the_listing_at_a_mission_coworking_place(
    session: AsyncSession, tmp_path: Path
) -> None:
    census = (DEFAULT_DATA_DIR / "mission_coworking_2019.csv").read_text(encoding="utf-8")
    places = tmp_path / "places.csv"
    places.write_text("\n".join(census.splitlines()[:3]) + "\n", encoding="utf-8")
    await import_mission_coworking(session, places)  # ID 1: ADE Coworking, Nantes
    path = _jsonl(tmp_path, _row("ade:salle", kind="PREMISES", space_ref="mc:1", commune=None))

    report = await import_listings(session, path)

    assert report.ok, report.lines()
    listing = await _listing(session, "ade:salle")
    assert listing is not None
    assert listing.space_id is not None
    assert (listing.commune_insee, listing.latitude, listing.longitude) == (
        "44109",
        47.245935,
        -1.505602,
    )


async def test_coordinates_alone_find_the_nearest_commune(
    session: AsyncSession, tmp_path: Path
) -> None:
    path = _jsonl(tmp_path, _row("lab:perceuse", commune=None, lat=46.171, lon=1.866))

    report = await import_listings(session, path)

    assert report.ok, report.lines()
    listing = await _listing(session, "lab:perceuse")
    assert listing is not None
    assert (listing.latitude, listing.longitude, listing.commune_insee) == (46.171, 1.866, "23096")


async def test_each_bad_row_is_reported_by_line_and_writes_nothing_while_good_rows_stay(
    session: AsyncSession, tmp_path: Path
) -> None:
    path = _jsonl(
        tmp_path,
        _row("ok:1"),
        _row("bad:enum", kind="MACHINE"),
        _row("bad:commune", commune="Atlantide", organization="Asso jamais créée"),
        _row("bad:dates", available_from="2026-05-01", available_until="2026-04-01"),
        "",
        _row("bad:title", title="x" * 201),
        _row("bad:lat", commune=None, lat=91, lon=1.8),
        '{"ref": "bad:json", "title": ',
        _row("bad:siret", organization=None, organization_siret="12345678901234"),
        _row("", title="Sans référence"),
        _row("ok:2", commune="Tulle"),
        _row("bad:details", details={"quantity": 0, "colour": "red"}),
        _row("bad:field", price=12),
        "[1, 2]",
    )

    report = await import_listings(session, path)

    reasons = {r.line: r.reason for r in report.rejected}
    assert sorted(reasons) == [2, 3, 4, 6, 7, 8, 9, 10, 12, 13, 14]
    assert reasons[2].startswith("kind: Input should be 'EQUIPMENT'")
    assert reasons[3] == ("commune: unknown commune 'Atlantide' (INSEE code, postcode or name)")
    assert reasons[4] == "available_until: is before available_from"
    assert reasons[6] == "title: String should have at most 200 characters"
    assert reasons[7] == "lat: Input should be less than or equal to 90"
    assert reasons[8].startswith("malformed JSON: ")
    assert reasons[9] == "organization_siret: the SIRET's check digit is wrong (Luhn)"
    assert reasons[10] == "ref: missing: every row needs a ref"
    assert reasons[12] == (
        "details.quantity: Input should be greater than or equal to 1; "
        "details.colour: Extra inputs are not permitted"
    )
    assert reasons[13] == "price: unknown field"
    assert reasons[14] == "malformed JSON: a line must hold one JSON object"
    assert report.lines()[-1] == "2 imported, 0 updated, 11 rejected"
    assert await _count(session, Listing, Listing.ref.startswith("bad:")) == 0  # type: ignore[union-attr]
    assert await _count(session, Listing, Listing.ref.startswith("ok:")) == 2  # type: ignore[union-attr]
    assert await _count(session, Organization, Organization.name == "Asso jamais créée") == 0


async def test_csv_line_numbers_count_the_header_and_cells_that_span_lines(
    session: AsyncSession, tmp_path: Path
) -> None:
    header = ["ref", "direction", "kind", "title", "description", "organization", "commune"]
    path = _csv(
        tmp_path,
        header,
        ["csv:1", "OFFER", "SKILL", "Médiation numérique", "Deux jours\npar mois", LAB, "23096"],
        ["csv:2", "OFFER", "SKILL", "Animation", "", LAB, "99999"],
        ["csv:3", "GIVE", "SKILL", "Couture", "", LAB, "23096"],
        ["csv:4", "REQUEST", "SKILL", "Soudure", "", LAB, "23096", "extra cell"],
    )

    report = await import_listings(session, path)

    assert [(r.line, r.reason) for r in report.rejected] == [
        (4, "commune: unknown commune '99999' (INSEE code, postcode or name)"),
        (5, "direction: Input should be 'OFFER' or 'REQUEST'"),
        (6, "8 cells, but the header names 7 columns"),
    ]
    listing = await _listing(session, "csv:1")
    assert listing is not None
    assert listing.description == "Deux jours\npar mois"


async def test_a_ref_that_belongs_to_another_organization_is_rejected(
    session: AsyncSession, tmp_path: Path
) -> None:
    other = await make_organization(session, "Fablab voisin")
    await make_listing(session, other, ref="shared:laser", title="Laser du voisin")
    path = _jsonl(tmp_path, _row("shared:laser", organization="Nouvelle association"))

    report = await import_listings(session, path)

    assert report.lines() == [
        "line 1: ref: belongs to another organization",
        "0 imported, 0 updated, 1 rejected",
    ]
    listing = await _listing(session, "shared:laser")
    assert listing is not None
    assert listing.title == "Laser du voisin"
    # The organization the row would have created went with its SAVEPOINT.
    assert await _count(session, Organization, Organization.name == "Nouvelle association") == 0


async def test_organizations_by_siret_and_from_the_command_line(
    session: AsyncSession, tmp_path: Path
) -> None:
    known = await make_organization(session, "Ressourcerie de la Creuse", siret=OTHER_SIRET)
    path = _jsonl(
        tmp_path,
        _row("siret:new", organization="Recyclerie du Limousin", organization_siret=SIRET),
        _row("siret:known", organization=None, organization_siret="812 345 676 00017"),
        _row("siret:default", organization=None),
        _row("siret:unknown", organization=None, organization_siret="81234567600025"),
    )

    report = await import_listings(session, path, organization=OTHER_SIRET)

    assert [r.reason for r in report.rejected] == [
        "organization_siret: no organization with SIRET 81234567600025; give its name to create it"
    ]
    created = (await session.exec(select(Organization).where(Organization.siret == SIRET))).one()
    assert (created.name, created.siren, created.verified) == (
        "Recyclerie du Limousin",
        SIRET[:9],
        False,
    )
    for ref, owner in (("siret:new", created), ("siret:known", known), ("siret:default", known)):
        listing = await _listing(session, ref)
        assert listing is not None
        assert listing.organization_id == owner.id


async def test_a_row_without_organization_needs_the_command_line_option(
    session: AsyncSession, tmp_path: Path
) -> None:
    path = _jsonl(tmp_path, _row("orphan:1", organization=None))

    report = await import_listings(session, path)

    assert report.lines()[0] == (
        "line 1: organization: missing: give organization or organization_siret, or --organization"
    )


async def test_unknown_csv_columns_reject_the_file_before_any_row(
    session: AsyncSession, tmp_path: Path
) -> None:
    path = _csv(
        tmp_path,
        ["ref", "direction", "kind", "titel", "organization", "commune"],
        ["typo:1", "OFFER", "SKILL", "Animation", LAB, "23096"],
    )

    report = await import_listings(session, path)

    assert report.lines() == [
        "line 1: unknown columns: titel (see docs/IMPORT.md)",
        "0 imported, 0 updated, 1 rejected",
    ]
    assert await _listing(session, "typo:1") is None


async def test_a_few_hundred_rows_cost_only_their_own_writes(
    session: AsyncSession, tmp_path: Path, statements: StatementCounter
) -> None:
    rows = [_row(f"bulk:{n}", commune="23000" if n % 2 else "Guéret") for n in range(300)]
    path = _jsonl(tmp_path, *rows)
    before = statements.total

    report = await import_listings(session, path)

    assert report.imported == 300
    # Per row, the listing's INSERT, its outbox event and its public count (`listing_count`,
    # kept in the row's own flush); the lookups are made once per import.
    assert statements.total - before <= 3 * 300 + 10


@pytest.mark.parametrize(
    "example", sorted(p.name for p in EXAMPLES.iterdir() if p.suffix in (".csv", ".jsonl"))
)
async def test_the_shipped_example_files_import_without_rejection(
    session: AsyncSession, example: str
) -> None:
    path = EXAMPLES / example
    with path.open(encoding="utf-8", newline="") as handle:
        expected = len(list(csv.DictReader(handle) if path.suffix == ".csv" else handle))

    report = await import_listings(session, path)

    assert report.lines() == [f"{expected} imported, 0 updated, 0 rejected"]


async def test_a_material_request_imports_without_a_quantity_but_not_an_offer(
    session: AsyncSession, tmp_path: Path
) -> None:
    material = {"kind": "MATERIAL", "details": {"unit": "unit"}}
    path = _jsonl(
        tmp_path,
        _row("lab:briques", direction="REQUEST", title="Briques de réemploi", **material),
        _row("lab:tuiles", direction="OFFER", title="Tuiles de réemploi", **material),
    )

    report = await import_listings(session, path)

    assert report.lines() == [
        "line 2: details.quantity: Field required",
        "1 imported, 0 updated, 1 rejected",
    ]
    request = await _listing(session, "lab:briques")
    assert request is not None
    assert request.details == {"unit": "unit"}
    assert await _listing(session, "lab:tuiles") is None
