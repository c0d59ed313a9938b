"""Rebuild `premises_cartofriches.csv` from the Cartofriches open data (Cerema, Licence Ouverte).

    python data/examples/build.py [CARTOFRICHES_CSV]

The source is `cartofriches_public_owned_2024.csv` (the publicly owned sites of the Cartofriches
2024 extract). Kept: sites "friche sans projet", with at least one building, owned by the commune
they stand in and by it alone. Each becomes a PREMISES offer by that commune, placed by the
site's INSEE code and coordinates; nothing is added that the source does not say (no dates, no
terms). The other example files are written by hand and are not generated.
"""

from __future__ import annotations

import csv
import json
import re
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE.parents[2] / "shared" / "data" / "cartofriches_public_owned_2024.csv"
COMMUNES = HERE.parent / "communes.csv"
OUTPUT = HERE / "premises_cartofriches.csv"
COLUMNS = [
    "ref",
    "direction",
    "kind",
    "organization",
    "organization_kind",
    "title",
    "description",
    "category",
    "tags",
    "commune",
    "lat",
    "lon",
    "details",
    "origin",
    "source",
]
MAX_SURFACE_M2 = 1_000_000  # the premises details' upper bound
GENERIC_NAMES = {"commune", "la commune", "proprietaire prive"}
# Cartofriches site types -> codes of data/taxonomy.csv; an unknown type gets no category.
CATEGORIES = {
    "friche industrielle": "industrial_site",
    "friche carrière ou mine": "industrial_site",
    "agro-industrielle": "industrial_site",
    "friche d'équipement public": "public_building",
    "friche commerciale": "shop",
    "friche d'habitat": "housing",
}


def fold(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", " ", ascii_text).strip()


def main(source: Path) -> None:
    names = {row["code_insee"]: row["nom"] for row in _read(COMMUNES)}
    rows = [_listing(row, names) for row in _read(source) if _kept(row)]
    rows.sort(key=lambda row: row["ref"])
    with OUTPUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{OUTPUT.name}: {len(rows)} rows")


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _kept(row: dict[str, str]) -> bool:
    owner = re.sub(r"^commune d(e)? ", "", fold(row["proprio_nom_if_public"]))
    return (
        row["site_statut"] == "friche sans projet"
        and row["proprio_type_codes"] == "P5a"  # a commune, and no other owner
        and owner == fold(row["comm_nom"])
        and int(row["bati_nombre"] or 0) >= 1
    )


def _listing(row: dict[str, str], names: dict[str, str]) -> dict[str, str]:
    insee = row["comm_insee"].zfill(5)
    commune = names[insee]
    buildings = int(row["bati_nombre"])
    surface = int(row["unite_fonciere_surface_m2"]) if row["unite_fonciere_surface_m2"] else None
    details = {"surface_m2": surface} if surface and surface <= MAX_SURFACE_M2 else {}
    kind = row["site_type"] if row["site_type"] not in ("inconnu", "autre") else "friche"
    return {
        "ref": f"cartofriches:{row['site_id']}",
        "direction": "OFFER",
        "kind": "PREMISES",
        "organization": _commune_body(commune, row["proprio_nom_if_public"]),
        "organization_kind": "COLLECTIVITE",
        "title": f"{_site_name(row, kind, buildings)} — {commune}"[:200],
        "description": _description(row, buildings, surface),
        "category": _category(row),
        "tags": "|".join(dict.fromkeys(["friche", _type_tag(kind)])),
        "commune": insee,
        "lat": row["lat"],
        "lon": row["lon"],
        "details": json.dumps(details, ensure_ascii=False) if details else "",
        # A census record, shown as such: the commune did not publish it (listingPublishRecord).
        "origin": "CARTOFRICHES",
        "source": f"Cerema – Cartofriches ({row['source_nom']}), mise à jour du "
        f"{row['site_actu_date']}, site {row['site_id']}",
    }


def _category(row: dict[str, str]) -> str:
    if "ecole" in fold(row["site_nom"]).split():
        return "school"
    return CATEGORIES.get(row["site_type"], "")


def _type_tag(kind: str) -> str:
    return kind.removeprefix("friche ").removeprefix("d'")


def _commune_body(commune: str, owner: str) -> str:
    """'Commune d'Évreux', 'Commune de Nantua'; before an h, the source's elision or not."""
    for article, contracted in (("Le ", "du "), ("Les ", "des ")):
        if commune.startswith(article):
            return f"Commune {contracted}{commune.removeprefix(article)}"
    elided = fold(commune)[0] in "aeiouy" or owner.upper().startswith(("COMMUNE D ", "COMMUNE D'"))
    return f"Commune d'{commune}" if elided else f"Commune de {commune}"


def _site_name(row: dict[str, str], kind: str, buildings: int) -> str:
    name = re.sub(r"\s+", " ", row["site_nom"]).strip()
    if not name or name == row["site_id"] or fold(name) in GENERIC_NAMES:
        plural = "s" if buildings > 1 else ""
        return f"{kind[0].upper()}{kind[1:]}, {buildings} bâtiment{plural}"
    return name[0].upper() + name[1:]


def _description(row: dict[str, str], buildings: int, surface: int | None) -> str:
    parts = ["Friche sans projet connu, propriété de la commune, recensée par Cartofriches."]
    if row["site_type"] not in ("inconnu", ""):
        parts.append(f"Type : {row['site_type']}.")
    state = row["bati_etat"] if row["bati_etat"] not in ("inconnu", "") else "non renseigné"
    parts.append(f"Bâtiments : {buildings} (état : {state}).")
    if surface:
        parts.append(f"Unité foncière : {surface:,} m².".replace(",", " "))
    if activity := row["activite_libelle"].strip():
        parts.append(f"Ancienne activité : {activity.rstrip('.')}.")
    if row["urba_zone_type"]:
        document = row["urba_doc_type"] or "document inconnu"
        parts.append(f"Zonage : {row['urba_zone_type']} ({document}).")
    parts.append(f"Source : {row['source_nom']}, mise à jour du {row['site_actu_date']}.")
    parts.append(f"Identifiant Cartofriches : {row['site_id']}.")
    return " ".join(parts)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE)
