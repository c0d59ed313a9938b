"""Build the relevance corpus (`corpus.jsonl`) from the real files of `../shared/data/`.

    .venv/bin/python tests/search/relevance/build_corpus.py [SHARED_DATA_DIR]

Run once by hand; the output is committed and the test only reads it. Deterministic: every
choice (title wording, direction, dates, place of a skill or material) is a hash of a stable key,
so running it again gives the same file.

Sources (see `../shared/data/README.md`; fablabs.io data is "Limited": a test fixture only):
- EQUIPMENT: the 275 French machines of `fablab_machines_fablabsio_world_2023.csv`, each an
  OFFER at its lab's coordinates, plus REQUESTs by some of those labs for a class of machine
  they do not have.
- PREMISES: vacant sites of `cartofriches_public_owned_2024.csv` offered by their public owner,
  plus meeting rooms, desks and workshops offered (or wanted) by the places of
  `tiers_lieux_fr_merged.csv`.
- SKILL: ROME 4.0 skills of `rome4_v460_competences_facilitator_subset.csv`, the label as the
  title, placed at a tiers-lieu.
- MATERIAL: ADEME "Longue vie aux objets" object categories and the building materials of the
  arrêté of 19 December 2011, offered or wanted by tiers-lieux.

Each row: key, direction, kind, title, description, category (a code of data/taxonomy.csv or
null), tags, lat, lon, commune (INSEE), department, region, available_from, available_until,
source.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from core.services.communes import haversine_km

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parents[2]
SHARED = PROJECT.parent / "shared" / "data"
COMMUNES = PROJECT / "data" / "communes.csv"
TAXONOMY = PROJECT / "data" / "taxonomy.csv"
OUTPUT = HERE / "corpus.jsonl"

Row = dict[str, Any]


# ---------------------------------------------------------------------------------------------
# helpers


def fold(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", " ", ascii_text).strip()


def slug(text: str) -> str:
    return fold(text).replace(" ", "-")[:60]


def h(key: str) -> int:
    return int(hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:12], 16)


def pick(key: str, options: list[Any]) -> Any:
    return options[h(key) % len(options)]


def chance(key: str, percent: int) -> bool:
    return h(key + "#p") % 100 < percent


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


class Communes:
    """The shipped communes table: by INSEE code, by folded name, nearest to a point."""

    def __init__(self, path: Path) -> None:
        self.rows = {r["code_insee"]: r for r in read(path)}
        self.by_name: dict[str, list[dict[str, str]]] = defaultdict(list)
        for row in self.rows.values():
            self.by_name[fold(row["nom"])].append(row)

    def get(self, code: str) -> dict[str, str] | None:
        return self.rows.get(code)

    def named(self, name: str, near: tuple[float, float] | None = None) -> dict[str, str] | None:
        candidates = [r for r in self.by_name.get(fold(name), []) if r["lat"]]
        if not candidates:
            return None
        if near is None:
            return max(candidates, key=lambda r: int(r["population"] or 0))
        return min(
            candidates,
            key=lambda r: haversine_km(near[0], near[1], float(r["lat"]), float(r["lon"])),
        )

    def nearest(self, lat: float, lon: float) -> dict[str, str]:
        best, best_d = None, 1e9
        for row in self.rows.values():
            if not row["lat"]:
                continue
            rlat, rlon = float(row["lat"]), float(row["lon"])
            if abs(rlat - lat) > 0.3 or abs(rlon - lon) > 0.4:
                continue
            d = haversine_km(lat, lon, rlat, rlon)
            if d < best_d:
                best, best_d = row, d
        assert best is not None, (lat, lon)
        return best


def place(commune: dict[str, str], lat: float, lon: float) -> Row:
    return {
        "lat": round(lat, 6),
        "lon": round(lon, 6),
        "commune": commune["code_insee"],
        "commune_name": commune["nom"],
        "department": commune["departement_code"],
        "region": commune["region_code"],
    }


def listing(
    key: str,
    direction: str,
    kind: str,
    title: str,
    category: str | None,
    tags: list[str],
    where: Row,
    source: str,
    description: str = "",
    dates: tuple[str | None, str | None] = (None, None),
    *,
    owner: str,
    facts: dict[str, Any],
    details: dict[str, Any] | None = None,
) -> Row:
    return {
        "key": key,
        "direction": direction,
        "kind": kind,
        "title": re.sub(r"\s+", " ", title).strip()[:200],
        "description": description,
        "category": category,
        "tags": list(dict.fromkeys(t for t in tags if t)),
        **where,
        "available_from": dates[0],
        "available_until": dates[1],
        "source": source,
        "owner": owner,
        "facts": facts,
        **({"details": details} if details is not None else {}),
    }


# Availability windows, in 2026–2027 (a few per source; the rest is open-ended).
WINDOWS: list[tuple[str | None, str | None]] = [
    ("2026-09-01", "2027-06-30"),
    ("2027-01-01", "2027-03-31"),
    ("2027-03-01", "2027-03-31"),
    ("2027-04-01", "2027-09-30"),
    ("2027-07-01", "2027-08-31"),
    ("2026-06-01", "2026-12-31"),
    ("2027-05-15", None),
    (None, "2026-11-30"),
]


def dates_for(key: str, percent: int) -> tuple[str | None, str | None]:
    return pick(key + "#w", WINDOWS) if chance(key + "#d", percent) else (None, None)


# ---------------------------------------------------------------------------------------------
# EQUIPMENT: fablab machines


BRANDS = {
    "shopbot tools, inc": "ShopBot",
    "epilog laser": "Epilog",
    "makerbot industries": "MakerBot",
    "ebpp3dp": "UP",
    "homemade cnc router": "",
    "unknown": "",
    "3d systems, inc": "3D Systems",
    "other machine co": "",
    "graphtec corp": "Graphtec",
    "original prusa": "Prusa",
    "universal laser systems": "Universal Laser Systems",
    "raise 3d": "Raise3D",
    "mon-fablab.fr": "",
    "cnc": "",
    "reprap": "RepRap",
    "bq": "BQ",
    "htc": "HTC",
    "dji": "DJI",
}


def nice_brand(brand: str) -> str:
    if brand in BRANDS:
        return BRANDS[brand]
    return " ".join(w.capitalize() if w.islower() else w for w in brand.split())


def nice_model(model: str, brand: str) -> str:
    text = model.replace("®", "").replace("\u00ad", "").strip()
    if text.lower().startswith(brand.lower() + " "):
        text = text[len(brand) + 1 :]
    if text.lower() == brand.lower():
        return ""
    for word in brand.split():
        if text.lower().startswith(word.lower() + " "):
            text = text[len(word) + 1 :]
    text = re.sub(r"\s+", " ", text)
    return " ".join(
        w.upper() if re.search(r"\d", w) and len(w) <= 6 else w.capitalize() for w in text.split()
    )


# class -> (category, French phrasings with {m} = brand + model, tags)
MACHINE_TEXT: dict[str, tuple[str, list[str], list[str]]] = {
    "laser": (
        "laser",
        [
            "Découpeuse laser {m}",
            "Découpeuse laser {m}",
            "Graveuse laser {m}",
            "Laser {m} (découpe et gravure)",
            "Découpe laser : {m}",
            "Laser cutter {m}",
        ],
        ["découpe", "gravure", "bois", "plexiglas"],
    ),
    "three_d_printer": (
        "three_d_printer",
        [
            "Imprimante 3D {m}",
            "Imprimante 3D {m}",
            "Imprimante 3D {m} à prêter",
            "{m} – impression 3D",
            "3D printer {m}",
        ],
        ["impression 3d", "PLA"],
    ),
    "cnc_milling": (
        "cnc_milling",
        [
            "Fraiseuse numérique {m}",
            "Fraiseuse CNC {m}",
            "Défonceuse numérique {m}",
            "CNC {m} grand format",
            "Fraiseuse à commande numérique {m}",
        ],
        ["usinage", "bois", "fraisage"],
    ),
    "precision_milling": (
        "precision_milling",
        [
            "Fraiseuse de précision {m}",
            "Petite fraiseuse de précision {m} (circuits imprimés)",
            "Mini fraiseuse {m} pour PCB et moules",
        ],
        ["usinage", "précision"],
    ),
    "vinyl_cutting": (
        "vinyl_cutting",
        [
            "Découpeuse vinyle {m}",
            "Plotter de découpe {m}",
            "Traceur de découpe vinyle {m}",
            "Découpe vinyle et flex : {m}",
        ],
        ["vinyle", "flocage", "autocollants"],
    ),
    "scanner": (
        "scanner",
        ["Scanner 3D {m}", "Scanner 3D {m}", "Numérisation 3D : {m}"],
        ["numérisation"],
    ),
}

# The free-form "other" class (and two mislabelled "laser" rows), one by one:
# model -> (title, category, tags)
OTHER_MACHINES: dict[str, tuple[str, str, list[str]]] = {
    "ciclop": ("Scanner 3D Ciclop BQ (open source)", "scanner", ["numérisation"]),
    "innovis 15": ("Machine à coudre Brother Innov-is 15", "sewing", ["couture"]),
    "innov'is m280d": ("Machine à coudre et broder Brother Innov-is M280D", "sewing", ["couture"]),
    "innovis n150": ("Machine à coudre Brother Innov-is N150", "sewing", ["couture"]),
    "inovis nv55": ("Machine à coudre Brother Innov-is NV55", "sewing", ["couture"]),
    "innov-is nv800e": ("Brodeuse Brother Innov-is NV800E", "sewing", ["broderie", "textile"]),
    "brother pe800": ("Brodeuse numérique Brother PE800", "sewing", ["broderie", "textile"]),
    "pr-650": ("Brodeuse 6 aiguilles Brother PR-650", "sewing", ["broderie", "textile"]),
    "pr 655": ("Brodeuse multi-aiguilles Brother PR655", "sewing", ["broderie", "textile"]),
    "digital sublimation t-shirt heat press": (
        "Presse à chaud pour t-shirts (sublimation)",
        "other_machine",
        ["textile", "flocage"],
    ),
    "heat press machine 38x38cm": ("Presse à chaud 38 × 38 cm", "other_machine", ["flocage"]),
    "holipress": ("Presse à chaud Holipress", "other_machine", ["flocage"]),
    "wd1 digital soldering station": (
        "Station de soudage électronique Weller WD1",
        "circuit_production",
        ["électronique", "fer à souder"],
    ),
    "x-reflow306 lf-ac advanced model": (
        "Four de refusion CMS Bokar X-Reflow 306",
        "circuit_production",
        ["électronique", "cms"],
    ),
    "pick and place xmp302d": (
        "Machine pick and place Bokar XMP302D (CMS)",
        "circuit_production",
        ["électronique", "cms"],
    ),
    "otii": ("Analyseur de consommation électrique Qoitech Otii", "it_equipment", ["électronique"]),
    "mayku formbox": ("Thermoformeuse Mayku FormBox", "other_machine", ["thermoformage", "moules"]),
    "300x": ("Thermoformeuse Formech 300X", "other_machine", ["thermoformage", "moules"]),
    "open qpcr": ("Thermocycleur Open qPCR (biologie)", "other_machine", ["biologie", "biolab"]),
    "lathe": ("Tour à métaux 300 × 900", "tools", ["métal", "tournage"]),
    "dm45": ("Perceuse-fraiseuse d'établi DM45", "tools", ["métal", "perçage"]),
    "dremel 3000": ("Outil rotatif multifonction Dremel 3000", "tools", ["outillage"]),
    "vive": ("Casque de réalité virtuelle HTC Vive", "it_equipment", ["réalité virtuelle", "VR"]),
    "ricoh theta s 360°": ("Caméra 360° Ricoh Theta S", "it_equipment", ["vidéo", "photo"]),
    "dji mavic": ("Drone DJI Mavic", "it_equipment", ["drone", "vidéo"]),
    "moverio smart glasses bt 300": (
        "Lunettes de réalité augmentée Epson Moverio BT-300",
        "it_equipment",
        ["réalité augmentée"],
    ),
    "carmine 1.09": ("Capteur 3D PrimeSense Carmine 1.09", "scanner", ["numérisation"]),
    "laser scan arm": ("Bras de mesure à scanner laser Faro", "scanner", ["métrologie"]),
    "the 3-in-1 3d printer": (
        "Snapmaker 3-en-1 : impression 3D, gravure laser et fraisage CNC",
        "three_d_printer",
        ["impression 3d", "gravure laser", "cnc"],
    ),
}

RESIN_BRANDS = {"formlabs", "asiga", "stratasys"}

REQUEST_TEXT = {
    "laser": ["Cherche découpeuse laser", "Recherche une graveuse laser", "Besoin d'un laser CO2"],
    "three_d_printer": ["Cherche imprimante 3D", "Recherche imprimante 3D résine"],
    "cnc_milling": ["Cherche fraiseuse numérique grand format", "Recherche une CNC pour du bois"],
    "vinyl_cutting": ["Cherche plotter de découpe vinyle", "Recherche découpeuse vinyle"],
    "scanner": ["Cherche scanner 3D", "Besoin d'un scanner 3D pour numériser des pièces"],
    "sewing": ["Cherche brodeuse numérique", "Recherche machine à coudre"],
}


def machines(communes: Communes, shared: Path) -> list[Row]:
    rows = [
        r
        for r in read(shared / "fablab_machines_fablabsio_world_2023.csv")
        if r["country_code"] == "FR"
    ]
    out: list[Row] = []
    labs: dict[str, Row] = {}
    classes_of: dict[str, set[str]] = defaultdict(set)
    seen: Counter[str] = Counter()
    for row in rows:
        lab = row["lab"].strip()
        if row["latitude"]:
            lat, lon = float(row["latitude"]), float(row["longitude"])
            commune = communes.named(row["city"], (lat, lon)) or communes.nearest(lat, lon)
        else:  # two labs without coordinates: their city's centroid
            commune = communes.named(row["city"])
            assert commune is not None, row
            lat, lon = float(commune["lat"]), float(commune["lon"])
        where = place(commune, lat, lon)
        labs[row["lab_slug"]] = {"name": lab, "where": where}
        brand, model = row["brand"].strip(), row["model"].strip()
        base = f"fablabsio:{row['lab_slug']}:{slug(model)}"
        seen[base] += 1
        key = base if seen[base] == 1 else f"{base}-{seen[base]}"
        machine_class = row["machine_class"]
        if model in OTHER_MACHINES:
            title, category, tags = OTHER_MACHINES[model]
        else:
            category, phrasings, tags = MACHINE_TEXT[machine_class]
            name = " ".join(p for p in [nice_brand(brand), nice_model(model, brand)] if p)
            if brand == "homemade cnc router":
                name = "fabrication maison"
            elif not name:
                name = nice_model(model, "")
            phrasing = pick(key, phrasings)
            if machine_class == "three_d_printer" and brand in RESIN_BRANDS:
                phrasing = "Imprimante 3D résine {m}"
                tags = ["impression 3d", "résine", "SLA"]
            title = phrasing.format(m=name)
        classes_of[row["lab_slug"]].add(category)
        description = f"Machine du {lab} ({row['city']}). Marque : {brand}, modèle : {model}."
        out.append(
            listing(
                key,
                "OFFER",
                "EQUIPMENT",
                title,
                category,
                ["fablab", *tags],
                where,
                "fablab_machines_fablabsio_world_2023.csv",
                description,
                dates_for(key, 15),
                owner=f"lab:{row['lab_slug']}",
                facts={
                    "machine_class": category,
                    "brand": fold(nice_brand(brand)),
                    "match": category,
                },
            )
        )
    # Requests: each lab asks for one class of machine it lacks (some labs, not all).
    for lab_slug, lab in sorted(labs.items()):
        missing = [c for c in REQUEST_TEXT if c not in classes_of[lab_slug]]
        if not missing or not chance(lab_slug, 80):
            continue
        machine_class = pick(lab_slug, missing)
        key = f"fablabsio-request:{lab_slug}:{machine_class}"
        title = pick(key, REQUEST_TEXT[machine_class])
        category = machine_class
        out.append(
            listing(
                key,
                "REQUEST",
                "EQUIPMENT",
                title,
                category,
                ["fablab", "prêt"],
                lab["where"],
                "fablab_machines_fablabsio_world_2023.csv (lab) + class it lacks",
                f"Le {lab['name']} cherche à emprunter ou à mutualiser cette machine.",
                dates_for(key, 50),
                owner=f"lab:{lab_slug}",
                facts={"machine_class": category, "match": category},
            )
        )
    return out


# ---------------------------------------------------------------------------------------------
# PREMISES: Cartofriches sites, and rooms of tiers-lieux

CARTO_TYPES = {
    "friche industrielle": "industrial_site",
    "agro-industrielle": "industrial_site",
    "friche carrière ou mine": "land",
    "friche ferroviaire": "land",
    "friche d'équipement public": "public_building",
    "friche hospitalière": "public_building",
    "friche militaire": "public_building",
    "friche loisir tourisme hôtellerie": "public_building",
    "friche commerciale": "shop",
    "friche d'habitat": "housing",
}
# (words in the folded name or activity) -> (category, how people would say it)
CARTO_WORDS: list[tuple[tuple[str, ...], str, str]] = [
    (("ecole", "college", "lycee", "groupe scolaire"), "school", "Ancienne école"),
    (
        ("gendarmerie", "caserne", "poste", "mairie", "presbytere", "hopital", "abbaye"),
        "public_building",
        "Ancien bâtiment public",
    ),
    (("gare", "sncf", "rff", "fret", "ferroviaire"), "warehouse", "Ancienne halle ferroviaire"),
    (("entrepot", "depot", "hangar", "halle", "stockage"), "warehouse", "Entrepôt"),
    (("garage", "carrosserie", "station service", "carburant"), "shop", "Ancien garage"),
    (
        (
            "fonderie",
            "forge",
            "usine",
            "filature",
            "tannerie",
            "imprimerie",
            "scierie",
            "chaudronnerie",
            "usinage",
            "mecanique",
            "teinturerie",
            "metaux",
            "industrie",
            "moulin",
            "blanchisserie",
        ),
        "industrial_site",
        "Ancienne usine",
    ),
    (
        ("decharge", "dechet", "dechetterie", "immondices", "terril", "carriere", "ordures"),
        "land",
        "Terrain (ancienne décharge)",
    ),
    (
        ("habitat", "habitation", "logement", "maison", "ilot", "immeuble"),
        "housing",
        "Bâtiment d'habitation vacant",
    ),
    (("bureaux",), "office", "Anciens bureaux"),
    (
        ("commerce", "boucherie", "bar", "supermarche", "magasin", "cinema"),
        "shop",
        "Ancien commerce",
    ),
]


def carto_name(row: dict[str, str]) -> str:
    name = re.sub(r"\s+", " ", row["site_nom"]).strip()
    match = re.search(r"friche ?: ?(.+)$", name)
    if match:
        name = match.group(1).strip()
    elif name.startswith("Appel à projet Fonds Vert 2023 -"):
        name = name.removeprefix("Appel à projet Fonds Vert 2023 -").strip()
    elif name.startswith("Appel à projet"):
        name = ""
    if re.fullmatch(r"[0-9AB]{5}_\d+", name) or fold(name) in {
        "commune",
        "mairie",
        "proprietaire prive ancienne activite inconnue",
        "",
    }:
        return ""
    if fold(name) == fold(row["comm_nom"]):
        return ""
    return name


# Polluting activities come first: nobody would file a fuel depot or a tip as a warehouse.
WASTE = ("decharge", "dechet", "dechets", "dechetterie", "immondices", "ordures", "om")
HAZARDS = (
    "inflammables",
    "carburant",
    "carburants",
    "hydrocarbure",
    "hydrocarbures",
    "petrole",
    "gaz",
    "radioactives",
    "ferraille",
    "ferrailles",
    "epaves",
    "chimiques",
    "bitume",
)


def carto_category(row: dict[str, str], name: str) -> tuple[str | None, str]:
    """What the site is: its name says it best, then its former activity, then its type."""
    everything = f" {fold(name)} {fold(row['activite_libelle'][:120])} "
    if any(f" {w} " in everything for w in WASTE):
        return "land", "Terrain (ancienne décharge)"
    if any(f" {w} " in everything for w in HAZARDS):
        return "industrial_site", "Friche industrielle"
    for text in (f" {fold(name)} ", f" {fold(row['activite_libelle'][:120])} "):
        for words, category, phrase in CARTO_WORDS:
            if any(f" {w} " in text for w in words):
                return category, phrase
    category = CARTO_TYPES.get(row["site_type"])
    if category is None:
        if not row["activite_libelle"]:
            return None, "Site en friche"
        category = "industrial_site"
    phrase = {
        "industrial_site": "Friche industrielle",
        "land": "Terrain en friche",
        "public_building": "Ancien équipement public",
        "shop": "Local commercial vacant",
        "housing": "Logements vacants",
    }[category]
    return category, phrase


def cartofriches(communes: Communes, shared: Path) -> list[Row]:
    out = []
    for row in read(shared / "cartofriches_public_owned_2024.csv"):
        statut = row["site_statut"]
        activity = fold(row["activite_libelle"])
        # A commune would not offer a landfill or a fuel depot: keep those out, mostly.
        if statut == "friche potentielle" and re.search(
            r"immondices|ordures|liquides inflammables|petrole|terril", activity
        ):
            continue
        if statut == "friche reconvertie":
            continue
        # Fewer "friches potentielles" (pre-identified polluted sites): those with a building.
        if statut == "friche potentielle" and not int(row["bati_nombre"] or 0):
            continue
        commune = communes.get(row["comm_insee"].zfill(5))
        if commune is None or not row["lat"]:
            continue
        name = carto_name(row)
        category, phrase = carto_category(row, name)
        commune_name = commune["nom"]
        key = f"cartofriches:{row['site_id']}"
        if name and set(fold(name).split()) <= set(fold(phrase).split()):
            name = ""
        if name:
            title = pick(
                key,
                [
                    f"{name} — {commune_name}",
                    f"{phrase} « {name} » à {commune_name}",
                    f"{name} ({commune_name})",
                ],
            )
        else:
            title = f"{phrase} à {commune_name}"
        buildings = int(row["bati_nombre"] or 0)
        surface = row["unite_fonciere_surface_m2"]
        parts = [
            f"{row['site_statut'].capitalize()}, propriété publique ({row['proprio_type_labels'].split('|')[0].lower()})."
        ]
        if buildings:
            parts.append(f"{buildings} bâtiment{'s' if buildings > 1 else ''}.")
        if surface:
            parts.append(f"Terrain de {int(surface):,} m².".replace(",", " "))
        if row["activite_libelle"]:
            parts.append(f"Ancienne activité : {row['activite_libelle'][:160].rstrip('.')}.")
        tags = [
            "friche",
            row["site_type"].removeprefix("friche ").removeprefix("d'")
            if row["site_type"] not in ("inconnu", "autre", "mixte")
            else "",
        ]
        if statut == "friche sans projet":
            tags.append("occupation temporaire")
        out.append(
            listing(
                key,
                "OFFER",
                "PREMISES",
                title,
                category,
                tags,
                place(commune, float(row["lat"]), float(row["lon"])),
                "cartofriches_public_owned_2024.csv",
                " ".join(parts),
                dates_for(key, 35 if statut == "friche sans projet" else 10),
                owner=f"public:{fold(row['proprio_nom_if_public'] or row['comm_insee'])}",
                facts={
                    "premises": category,
                    "site_type": row["site_type"],
                    "site_status": statut,
                    "former_use": phrase,
                    "match": category,
                },
            )
        )
    return out


ROOM_OFFERS = {
    "coworking": [
        ("meeting_room", "Salle de réunion 12 places — {n}", ["réunion", "vidéoprojecteur"]),
        ("office", "Postes de travail en coworking — {n}", ["coworking", "bureau partagé"]),
        ("office", "Bureau fermé à louer au mois — {n}", ["bureau", "coworking"]),
        ("event_hall", "Salle polyvalente pour événements — {n}", ["événement", "conférence"]),
    ],
    "fablab": [
        ("workshop", "Atelier partagé à la demi-journée — {n}", ["atelier", "fablab"]),
        ("meeting_room", "Salle de formation équipée — {n}", ["formation", "réunion"]),
    ],
}
ROOM_REQUESTS = [
    ("workshop", "Cherche local pour un atelier de réparation de vélos", ["atelier vélo", "local"]),
    ("warehouse", "Recherche espace de stockage pour une matériauthèque", ["stockage", "réemploi"]),
    ("office", "Cherche bureau pour deux personnes, à l'année", ["bureau"]),
    (
        "meeting_room",
        "Cherche salle pour une assemblée générale (60 personnes)",
        ["réunion", "association"],
    ),
    ("workshop", "Recherche atelier bois partagé", ["menuiserie", "atelier"]),
    ("land", "Cherche terrain pour jardin partagé", ["jardin", "terrain"]),
]


def tiers_lieux_places(communes: Communes, shared: Path) -> list[Row]:
    out = []
    for row in read(shared / "tiers_lieux_fr_merged.csv"):
        if not row["lat"] or not row["insee_code"]:
            continue
        commune = communes.get(row["insee_code"]) or communes.nearest(
            float(row["lat"]), float(row["lon"])
        )
        out.append(
            {
                "uid": row["uid"],
                "name": row["name"].strip(),
                "type": row["type"],
                "where": place(commune, float(row["lat"]), float(row["lon"])),
            }
        )
    return out


def rooms(places: list[Row]) -> list[Row]:
    out = []
    for p in places:
        group = (
            "coworking"
            if p["type"] in ("coworking", "telecentre", "centre_affaires", "pepiniere_incubateur")
            else "fablab"
            if p["type"] == "fablab"
            else None
        )
        if group is None:
            continue
        if group == "fablab" and not chance(p["uid"] + "room", 20):
            continue
        category, template, tags = pick(p["uid"], ROOM_OFFERS[group])
        key = f"tierslieux:{p['uid']}:{category}"
        out.append(
            listing(
                key,
                "OFFER",
                "PREMISES",
                template.format(n=p["name"]),
                category,
                tags,
                p["where"],
                "tiers_lieux_fr_merged.csv",
                f"Proposé par {p['name']}.",
                dates_for(key, 30),
                owner=f"place:{p['uid']}",
                facts={"room": category, "place_type": p["type"], "match": category},
            )
        )
        if chance(p["uid"] + "ask", 12):
            category, title, tags = pick(p["uid"] + "ask", ROOM_REQUESTS)
            key = f"tierslieux:{p['uid']}:request-{category}"
            out.append(
                listing(
                    key,
                    "REQUEST",
                    "PREMISES",
                    title,
                    category,
                    tags,
                    p["where"],
                    "tiers_lieux_fr_merged.csv",
                    f"Demande de {p['name']}.",
                    dates_for(key, 40),
                    owner=f"place:{p['uid']}",
                    facts={"room": category, "place_type": p["type"], "match": category},
                )
            )
    return out


# ---------------------------------------------------------------------------------------------
# SKILL: ROME skills

# A stricter reading of each tag, to keep skills a tiers-lieu would plausibly offer or seek.
SKILL_KEEP = {
    "animation_facilitation": r"anim(er|ation) (un|une|des|d'|de |la vie)|faciliter (et créer|des sessions|des ateliers|la coopération|l'accès aux outils)|médiation (culturelle|scientifique|numérique)|pédagogique|communaut|bénévol|intelligence collective|concertation",
    "reparation_reemploi": r"répar|réemploi|recycl|tri |déconstruction|récupér",
    "bois_menuiserie": r"bois|menuis|charpent|ébénist",
    "textile_couture": r"cou(dre|ture)|tissu|textile|brod|retouch",
    "electronique": r"électroni|circuit|composant",
    "fabrication_numerique": r"prototyp|cao|commande numérique|fabrication additive|maquette",
    "metal_soudure": r"soud|métal|serrur|chaudronn",
    "mediation_numerique": r"numérique|bureautique|internet|informatique",
    "gestion_lieu_projet": r"bénévol|projets collectifs|mise à disposition de matériels",
}
SKILL_DROP = r"militaire|armes|paiement|billetterie|agendas|médicament|intérimaires|sclérothérapie|machines à sous|auto-école|nucléaire|patients|magistrats|marque|vente|jeux de cartes|table de jeu|marionnette|passagers|soins"
SKILL_QUOTA = {
    "animation_facilitation": 60,
    "reparation_reemploi": 45,
    "bois_menuiserie": 30,
    "textile_couture": 30,
    "electronique": 25,
    "fabrication_numerique": 25,
    "metal_soudure": 25,
    "mediation_numerique": 20,
    "gestion_lieu_projet": 8,
}


def skill_facts(row: dict[str, str], domain: str | None = None) -> dict[str, Any]:
    """ROME's own facts: the skill, its macro-skill, and the subset's domain tags."""
    tags = row.get("facilitator_tags", "").split("|") if row.get("facilitator_tags") else []
    main = domain or tags[0]
    return {
        "rome": row["code_ogr"],
        "rome_macro": row["code_ogr_macro_comp"],
        "domain": main,
        "domains": tags or [main],
        "match": main,
    }


SKILL_REQUEST_PREFIX = [
    "Cherche bénévole pour : ",
    "Recherche quelqu'un sachant : ",
    "Besoin d'aide : ",
]


def skill_listing(
    key: str,
    label: str,
    places: list[Row],
    *,
    requests_percent: int,
    category: str | None,
    tags: list[str],
    source: str,
    facts: dict[str, Any],
    dated: bool = True,
) -> Row:
    """One ROME skill at a tiers-lieu: offered under its label, or asked for in a request's words."""
    spot = pick(key, places)
    direction = "REQUEST" if chance(key, requests_percent) else "OFFER"
    title = (
        label
        if direction == "OFFER"
        else pick(key, SKILL_REQUEST_PREFIX) + label[0].lower() + label[1:]
    )
    return listing(
        key,
        direction,
        "SKILL",
        title,
        category,
        tags,
        spot["where"],
        source,
        f"{'Proposé' if direction == 'OFFER' else 'Demandé'} par {spot['name']}.",
        dates_for(key, 20) if dated else (None, None),
        owner=f"place:{spot['uid']}",
        facts=facts,
    )


def skills(places: list[Row], shared: Path) -> list[Row]:
    out = []
    taken: Counter[str] = Counter()
    rows = read(shared / "rome4_v460_competences_facilitator_subset.csv")
    rows.sort(key=lambda r: h("skill" + r["code_ogr"]))
    for row in rows:
        label = row["libelle_competence"].strip()
        tags = row["facilitator_tags"].split("|")
        main = tags[0]
        if re.search(SKILL_DROP, label, re.IGNORECASE) or taken[main] >= SKILL_QUOTA[main]:
            continue
        if not re.search(SKILL_KEEP[main], label, re.IGNORECASE):
            continue
        taken[main] += 1
        key = f"rome:{row['code_ogr']}"
        out.append(
            skill_listing(
                key,
                label,
                places,
                requests_percent=25,
                category=main,
                tags=[t.replace("_", " ") for t in tags] + [key],
                source="rome4_v460_competences_facilitator_subset.csv",
                facts=skill_facts(row),
            )
        )
    return out


# ---------------------------------------------------------------------------------------------
# MATERIAL: ADEME object categories and building materials

# source label -> (category, phrasings, tags); offers and requests are drawn from the phrasings.
OBJECTS: dict[str, tuple[str | None, list[str], list[str]]] = {
    "Gros électroménager (froid)": (
        "electromenager",
        ["Réfrigérateur en état de marche", "Congélateur coffre à donner"],
        ["électroménager"],
    ),
    "Gros électroménager (hors froid)": (
        "electromenager",
        ["Lave-linge à donner", "Cuisinière électrique d'occasion"],
        ["électroménager"],
    ),
    "Petit électroménager": (
        "electromenager",
        ["Lot de petit électroménager (bouilloires, cafetières)", "Micro-ondes fonctionnel"],
        ["électroménager"],
    ),
    "Écrans": (
        "informatique",
        ["Écrans d'ordinateur 24 pouces", "Lot d'écrans plats"],
        ["informatique", "écrans"],
    ),
    "Matériel informatique": (
        "informatique",
        [
            "Ordinateurs portables reconditionnés",
            "Unités centrales de bureau",
            "Lot de claviers et souris",
        ],
        ["informatique"],
    ),
    "Hifi/vidéo (hors écrans)": (
        "informatique",
        ["Vidéoprojecteur", "Enceintes et table de mixage"],
        ["audiovisuel"],
    ),
    "Smartphones/tablettes/consoles": (
        "informatique",
        ["Tablettes pour atelier numérique", "Smartphones reconditionnés"],
        ["numérique"],
    ),
    "Photo/ciné": (
        "informatique",
        ["Appareil photo reflex et objectifs", "Caméra et trépied"],
        ["photo", "vidéo"],
    ),
    "Autres équipements électroniques": (
        "informatique",
        ["Composants électroniques en vrac", "Cartes Arduino et capteurs"],
        ["électronique"],
    ),
    "CD/DVD/jeux vidéo": (None, ["Jeux vidéo et consoles rétro", "Lot de DVD"], ["loisirs"]),
    "Livres": (
        None,
        ["Livres pour une boîte à livres", "Bibliothèque de livres jeunesse"],
        ["livres"],
    ),
    "Instruments de musique": (None, ["Piano droit à donner", "Guitares et ukulélés"], ["musique"]),
    "Outillage (bricolage/jardinage)": (
        "outillage",
        [
            "Outillage de bricolage (perceuses, scies)",
            "Outils de jardinage",
            "Caisse à outils complète",
        ],
        ["outillage", "outils"],
    ),
    "Jardin (mobilier, accessoires)": (
        "mobilier",
        ["Salon de jardin", "Bacs et jardinières"],
        ["jardin"],
    ),
    "Mobilier": (
        "mobilier",
        [
            "Chaises de bureau à roulettes",
            "Tables de réunion",
            "Armoires et étagères métalliques",
            "Canapé pour espace détente",
        ],
        ["mobilier", "meubles"],
    ),
    "Décoration": (
        None,
        ["Objets de décoration et cadres", "Plantes et pots de décoration"],
        ["décoration"],
    ),
    "Luminaires": (
        None,
        ["Lampes de bureau et suspensions", "Luminaires LED de récupération"],
        ["éclairage"],
    ),
    "Vaisselle": (
        None,
        ["Vaisselle pour la cuisine partagée", "Verres et couverts pour événements"],
        ["cuisine"],
    ),
    "Linge de maison": ("textile", ["Draps et nappes", "Rideaux épais"], ["linge"]),
    "Puériculture": (None, ["Poussette et lit parapluie", "Chaises hautes"], ["enfance"]),
    "Jouets": (None, ["Jouets et jeux de société", "Ludothèque : jeux en bois"], ["jeux"]),
    "Vêtements": (
        "textile",
        ["Vêtements de travail", "Chutes de tissus et vêtements pour upcycling"],
        ["textile", "vêtements"],
    ),
    "Maroquinerie": (
        "textile",
        ["Chutes de cuir pour maroquinerie", "Sacs et cartables"],
        ["cuir"],
    ),
    "Chaussures": ("textile", ["Chaussures de sécurité", "Lot de chaussures"], ["chaussures"]),
    "Bijou, montre, horlogerie": (
        None,
        ["Montres et pièces d'horlogerie", "Bijoux fantaisie pour atelier"],
        ["bijoux"],
    ),
    "Vélos": (
        "velos",
        ["Vélos à réparer", "Pièces détachées de vélo", "Vélo cargo d'occasion"],
        ["vélo", "cycles"],
    ),
    "Autre matériel de sport": (
        None,
        ["Tapis de gym et ballons", "Matériel d'escalade"],
        ["sport"],
    ),
    "Matériel médical": (None, ["Fauteuil roulant", "Déambulateur"], ["santé"]),
}
BUILDING: dict[str, tuple[str | None, list[str], list[str]]] = {
    "Béton et pierre": (
        "beton_briques_tuiles",
        ["Pierres de taille de démolition", "Dalles de béton"],
        ["pierre", "béton"],
    ),
    "Tuiles et briques": (
        "beton_briques_tuiles",
        ["Tuiles de récupération", "Briques pleines anciennes"],
        ["tuiles", "briques"],
    ),
    "Céramique (carrelage, faïence et sanitaires)": (
        "revetements_sol",
        ["Carrelage en lot", "Lavabos et sanitaires de réemploi", "Faïence murale"],
        ["carrelage", "sanitaires"],
    ),
    "Verre sans menuiserie": ("verre", ["Plaques de verre", "Vitres sans cadre"], ["verre"]),
    "Plâtre - plaques et carreaux": (
        "platre",
        ["Plaques de plâtre (placo) neuves", "Carreaux de plâtre"],
        ["placo", "plâtre"],
    ),
    "Bois - non traités": (
        "bois",
        [
            "Planches de bois brut",
            "Palettes en bois",
            "Poutres de charpente",
            "Chutes de contreplaqué",
        ],
        ["bois"],
    ),
    "Bois - faiblement adjuvantés": (
        "bois",
        ["Panneaux d'aggloméré et de MDF", "Plans de travail en bois"],
        ["bois", "panneaux"],
    ),
    "Fenêtres et autres ouvertures vitrées": (
        "menuiseries",
        [
            "Fenêtres double vitrage en bois",
            "Porte-fenêtre vitrée",
            "Portes vitrées d'intérieur",
            "Fenêtres PVC de dépose",
        ],
        ["menuiseries", "vitrage"],
    ),
    "Métaux": (
        "metaux",
        ["Tôles et profilés en acier", "Chutes d'aluminium", "Tubes en inox"],
        ["métal", "ferraille"],
    ),
    "Plastiques (ex. PVC)": (None, ["Tubes PVC", "Plaques de plexiglas"], ["plastique"]),
    "Isolants - laines minérales": (
        "isolants",
        ["Rouleaux de laine de verre", "Panneaux de laine de roche"],
        ["isolation"],
    ),
    "Isolants - plastiques alvéolaires (PSE, XPS, PU)": (
        "isolants",
        ["Panneaux de polystyrène extrudé", "Plaques d'isolant PU"],
        ["isolation"],
    ),
    "Isolants - autres": (
        "isolants",
        ["Isolant en fibre de bois", "Ouate de cellulose en sacs"],
        ["isolation", "biosourcé"],
    ),
    "Revêtements de sols": (
        "revetements_sol",
        [
            "Parquet massif de réemploi",
            "Dalles de moquette",
            "Lames de parquet flottant",
            "Linoléum en rouleau",
        ],
        ["sol"],
    ),
    "DEEE non dangereux": (
        "informatique",
        ["Câbles et petits appareils électriques", "Radiateurs électriques"],
        ["électrique"],
    ),
}
MATERIAL_REQUEST_PREFIX = ["Cherche ", "Recherche ", "Besoin de : "]

# Families below a source category, for the phrasings that belong to one (the rest: the category).
FAMILY = {
    "Chaises de bureau à roulettes": "mobilier_de_bureau",
    "Tables de réunion": "mobilier_de_bureau",
    "Armoires et étagères métalliques": "mobilier_de_bureau",
    "Tuiles de récupération": "couverture",
    "Briques pleines anciennes": "maconnerie",
    "Planches de bois brut": "bois_massif",
    "Palettes en bois": "bois_massif",
    "Poutres de charpente": "bois_massif",
}
# The one thing a phrasing is about, where queries name it ("chaises", "palettes", "tuiles").
ITEM = {
    "Chaises de bureau à roulettes": "chaise",
    "Chaises hautes": "chaise_haute",
    "Tables de réunion": "table",
    "Armoires et étagères métalliques": "armoire",
    "Tuiles de récupération": "tuile",
    "Briques pleines anciennes": "brique",
    "Planches de bois brut": "planche",
    "Palettes en bois": "palette",
    "Poutres de charpente": "poutre",
    "Réfrigérateur en état de marche": "refrigerateur",
    "Lave-linge à donner": "lave_linge",
    "Ordinateurs portables reconditionnés": "ordinateur",
    "Unités centrales de bureau": "ordinateur",
}


def material_codes(
    shared: Path,
) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """ADEME sub-category -> code, 2011 material -> class code, and either -> its group label."""
    ademe = read(shared / "reuse_object_categories_ademe_lvao.csv")
    order = read(shared / "reuse_construction_materials_arrete2011.csv")
    groups = {r["sous_categorie"]: r["categorie"] for r in ademe}
    groups |= {r["material"]: r["class_label"] for r in order}
    return (
        {r["sous_categorie"]: r["code"] for r in ademe},
        {r["material"]: r["class_code"] for r in order},
        groups,
    )


def material_source(code: str) -> str:
    """The file a material's category code comes from: ADEME's objects (C_xx) or the 2011 order."""
    if code.startswith("C_"):
        return "reuse_object_categories_ademe_lvao.csv"
    return "reuse_construction_materials_arrete2011.csv"


def material_facts(label: str, code: str, group: str, phrasing: str) -> dict[str, Any]:
    """What the source says the thing is: its ADEME category or its 2011 material, and family."""
    base = phrasing.removesuffix(" à donner")
    facts: dict[str, Any] = (
        {"ademe": code, "ademe_group": group}
        if code.startswith("C_")
        else {"material_class": code, "material": label}
    )
    facts["family"] = FAMILY.get(base, slug(label).replace("-", "_"))
    if base in ITEM:
        facts["item"] = ITEM[base]
    facts["match"] = code if code.startswith("C_") else label
    return facts


def materials(places: list[Row], shared: Path) -> list[Row]:
    out = []
    objects, building, groups = material_codes(shared)
    assert set(OBJECTS) <= set(objects), set(OBJECTS) - set(objects)
    assert set(BUILDING) <= set(building), set(BUILDING) - set(building)
    for table, codes, source in (
        (OBJECTS, objects, "reuse_object_categories_ademe_lvao.csv"),
        (BUILDING, building, "reuse_construction_materials_arrete2011.csv"),
    ):
        for label, (category, phrasings, tags) in table.items():
            code = codes[label]
            copies = 3 if table is BUILDING else 2
            for n, phrasing in enumerate(phrasings):
                for copy in range(copies):
                    key = f"material:{code}:{slug(label)}:{n}{'abc'[copy]}"
                    spot = pick(key, places)
                    direction = "REQUEST" if chance(key, 30) else "OFFER"
                    title = (
                        phrasing
                        if direction == "OFFER"
                        else pick(key, MATERIAL_REQUEST_PREFIX) + phrasing[0].lower() + phrasing[1:]
                    )
                    title = re.sub(r" à donner$", "", title) if direction == "REQUEST" else title
                    out.append(
                        listing(
                            key,
                            direction,
                            "MATERIAL",
                            title,
                            category,
                            [*tags, "réemploi"],
                            spot["where"],
                            source,
                            f"{label} ({code}). {'Proposé' if direction == 'OFFER' else 'Recherché'} par {spot['name']}.",
                            dates_for(key, 35),
                            owner=f"place:{spot['uid']}",
                            facts=material_facts(label, code, groups[label], phrasing),
                        )
                    )
    return out


# ---------------------------------------------------------------------------------------------
# Growth for the v2 set (issue 15): distractors, more crafts, reuse vocabulary, duplicates.
# Appended after the first corpus, with keys of their own, so no earlier row changes.

# Mediation that is not digital: conflicts, families, care, transport (the full ROME file).
MEDIATION_OTHER = r"médiation.*(conflit|famil|social|soins|transports|habitats|commerciaux|couple|compromis|consentement|accords)|(conflit|famil|couple).*médiation"


def mediation_distractors(places: list[Row], shared: Path) -> list[Row]:
    out = []
    for row in read(shared / "rome4_v460_competences.csv"):
        label = row["libelle_competence"].strip()
        if row["nature"] != "Compétence" or not re.search(MEDIATION_OTHER, label, re.IGNORECASE):
            continue
        key = f"rome-mediation:{row['code_ogr']}"
        out.append(
            skill_listing(
                key,
                label,
                places,
                requests_percent=25,
                category=None,
                tags=["médiation", f"rome:{row['code_ogr']}"],
                source="rome4_v460_competences.csv",
                facts=skill_facts(row, "mediation_sociale"),
                dated=False,
            )
        )
    return out


CRAFT_QUOTA = {"textile_couture": 18, "reparation_reemploi": 18, "metal_soudure": 18}


def craft_skills(places: list[Row], shared: Path, taken: set[str]) -> list[Row]:
    """More sewing, repair and welding skills than the first quotas kept, as offers and requests."""
    out = []
    count: Counter[str] = Counter()
    rows = read(shared / "rome4_v460_competences_facilitator_subset.csv")
    rows.sort(key=lambda r: h("craft" + r["code_ogr"]))
    for row in rows:
        label = row["libelle_competence"].strip()
        main = row["facilitator_tags"].split("|")[0]
        if main not in CRAFT_QUOTA or count[main] >= CRAFT_QUOTA[main]:
            continue
        if f"rome:{row['code_ogr']}" in taken or re.search(SKILL_DROP, label, re.IGNORECASE):
            continue
        if not re.search(SKILL_KEEP[main], label, re.IGNORECASE):
            continue
        count[main] += 1
        key = f"rome-craft:{row['code_ogr']}"
        out.append(
            skill_listing(
                key,
                label,
                places,
                requests_percent=40,
                category=main,
                tags=[t.replace("_", " ") for t in row["facilitator_tags"].split("|")],
                source="rome4_v460_competences_facilitator_subset.csv",
                facts=skill_facts(row),
            )
        )
    return out


# (source label, category, phrasing, family, item): members of a family, in reuse vocabulary.
REUSE: list[tuple[str, str | None, str, str, str | None]] = [
    ("Mobilier", "mobilier", "Bureaux de réemploi", "mobilier_de_bureau", "bureau"),
    (
        "Mobilier",
        "mobilier",
        "Bureaux en bois issus d'une déconstruction",
        "mobilier_de_bureau",
        "bureau",
    ),
    ("Mobilier", "mobilier", "Chaises de récupération empilables", "mobilier_de_bureau", "chaise"),
    (
        "Mobilier",
        "mobilier",
        "Armoires métalliques de déconstruction",
        "mobilier_de_bureau",
        "armoire",
    ),
    ("Mobilier", "mobilier", "Caissons à tiroirs de réemploi", "mobilier_de_bureau", "caisson"),
    ("Bois - non traités", "bois", "Planches de récupération", "bois_massif", "planche"),
    ("Bois - non traités", "bois", "Poutres en chêne de déconstruction", "bois_massif", "poutre"),
    ("Bois - non traités", "bois", "Palettes de réemploi", "bois_massif", "palette"),
    (
        "Bois - non traités",
        "bois",
        "Bastaings et chevrons de récupération",
        "bois_massif",
        "chevron",
    ),
    (
        "Tuiles et briques",
        "beton_briques_tuiles",
        "Tuiles mécaniques de réemploi",
        "couverture",
        "tuile",
    ),
    (
        "Tuiles et briques",
        "beton_briques_tuiles",
        "Tuiles canal de déconstruction",
        "couverture",
        "tuile",
    ),
    (
        "Tuiles et briques",
        "beton_briques_tuiles",
        "Faîtières en terre cuite de récupération",
        "couverture",
        "tuile",
    ),
    (
        "Gros électroménager (froid)",
        "electromenager",
        "Réfrigérateur de réemploi",
        "gros_electromenager_froid",
        "refrigerateur",
    ),
    (
        "Matériel informatique",
        "informatique",
        "Ordinateurs de récupération",
        "materiel_informatique",
        "ordinateur",
    ),
    ("Métaux", "metaux", "Radiateurs en fonte de déconstruction", "metaux", None),
    (
        "Revêtements de sols",
        "revetements_sol",
        "Parquet de récupération en chêne",
        "revetements_de_sols",
        "parquet",
    ),
]


def reuse_materials(places: list[Row], shared: Path) -> list[Row]:
    objects, building, groups = material_codes(shared)
    codes = objects | building
    out = []
    for label, category, phrasing, family, item in REUSE:
        code = codes[label]
        for copy in "ab":
            key = f"material-reuse:{code}:{slug(phrasing)}:{copy}"
            spot = pick(key, places)
            direction = "REQUEST" if chance(key, 30) else "OFFER"
            title = (
                phrasing
                if direction == "OFFER"
                else pick(key, MATERIAL_REQUEST_PREFIX) + phrasing[0].lower() + phrasing[1:]
            )
            facts = material_facts(label, code, groups[label], phrasing) | {"family": family}
            if item:
                facts["item"] = item
            out.append(
                listing(
                    key,
                    direction,
                    "MATERIAL",
                    title,
                    category,
                    ["réemploi"],
                    spot["where"],
                    material_source(code),
                    f"{label} ({code}). {'Proposé' if direction == 'OFFER' else 'Recherché'} par {spot['name']}.",
                    dates_for(key, 35),
                    owner=f"place:{spot['uid']}",
                    facts=facts,
                    details={"quantity": 1 + h(key) % 40, "unit": "pièce", "condition": "bon état"}
                    if direction == "OFFER"
                    else None,
                )
            )
    return out


def duplicates(places: list[Row], shared: Path) -> list[Row]:
    """One owner with five identical lots: what the diversity rule has to thin out."""
    objects, _, groups = material_codes(shared)
    spot = pick("duplicates", places)
    facts = material_facts("Mobilier", objects["Mobilier"], groups["Mobilier"], "Lot de 20 chaises")
    return [
        listing(
            f"material-duplicate:lot-de-20-chaises:{n}",
            "OFFER",
            "MATERIAL",
            "Lot de 20 chaises",
            "mobilier",
            ["mobilier", "réemploi"],
            spot["where"],
            "reuse_object_categories_ademe_lvao.csv",
            f"Mobilier ({objects['Mobilier']}). Lot n° {n} de 5, proposé par {spot['name']}.",
            owner=f"place:{spot['uid']}",
            facts=facts | {"item": "chaise", "duplicate_group": "lot-de-20-chaises"},
            details={"quantity": 20, "unit": "pièce", "condition": "bon état"},
        )
        for n in range(1, 6)
    ]


# Requests with no quantity in their details: what people ask when they do not know yet.
VAGUE_REQUESTS: list[tuple[str, str | None, str, str | None, str | None]] = [
    ("Mobilier", "mobilier", "Cherche des chaises pour notre salle", None, "chaise"),
    (
        "Mobilier",
        "mobilier",
        "Recherche tables et bureaux pour un tiers-lieu",
        "mobilier_de_bureau",
        "table",
    ),
    ("Bois - non traités", "bois", "Cherche des palettes", "bois_massif", "palette"),
    (
        "Bois - non traités",
        "bois",
        "Recherche du bois de récupération pour un chantier participatif",
        "bois_massif",
        None,
    ),
    (
        "Tuiles et briques",
        "beton_briques_tuiles",
        "Cherche des tuiles pour réparer un toit",
        "couverture",
        "tuile",
    ),
    (
        "Matériel informatique",
        "informatique",
        "Recherche ordinateurs pour un atelier numérique",
        None,
        "ordinateur",
    ),
    (
        "Outillage (bricolage/jardinage)",
        "outillage",
        "Cherche de l'outillage pour un repair café",
        None,
        None,
    ),
    ("Vélos", "velos", "Recherche vélos à retaper", None, None),
    ("Isolants - autres", "isolants", "Cherche isolant biosourcé", None, None),
    (
        "Fenêtres et autres ouvertures vitrées",
        "menuiseries",
        "Recherche fenêtres de réemploi",
        None,
        None,
    ),
]


def vague_requests(places: list[Row], shared: Path) -> list[Row]:
    objects, building, groups = material_codes(shared)
    codes = objects | building
    out = []
    for label, category, title, family, item in VAGUE_REQUESTS:
        code = codes[label]
        key = f"material-vague:{code}:{slug(title)}"
        spot = pick(key, places)
        facts = material_facts(label, code, groups[label], title) | {"no_quantity": True}
        if family:
            facts["family"] = family
        if item:
            facts["item"] = item
        out.append(
            listing(
                key,
                "REQUEST",
                "MATERIAL",
                title,
                category,
                ["réemploi"],
                spot["where"],
                material_source(code),
                f"{label} ({code}). Quantité à préciser. Recherché par {spot['name']}.",
                dates_for(key, 30),
                owner=f"place:{spot['uid']}",
                facts=facts,
                details={"condition": "indifférent"},
            )
        )
    return out


# ---------------------------------------------------------------------------------------------


def main(shared: Path) -> None:
    communes = Communes(COMMUNES)
    codes = {r["code"] for r in read(TAXONOMY)}
    places = tiers_lieux_places(communes, shared)
    corpus = [
        *machines(communes, shared),
        *cartofriches(communes, shared),
        *rooms(places),
        *skills(places, shared),
        *materials(places, shared),
    ]
    taken = {r["key"] for r in corpus}
    corpus += [
        *mediation_distractors(places, shared),
        *craft_skills(places, shared, taken),
        *reuse_materials(places, shared),
        *duplicates(places, shared),
        *vague_requests(places, shared),
    ]
    keys = Counter(r["key"] for r in corpus)
    assert all(n == 1 for n in keys.values()), [k for k, n in keys.items() if n > 1]
    for row in corpus:
        assert row["category"] is None or row["category"] in codes, row
    with OUTPUT.open("w", encoding="utf-8") as handle:
        for row in corpus:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{OUTPUT.name}: {len(corpus)} listings")
    print(Counter((r["kind"], r["direction"]) for r in corpus))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else SHARED)
