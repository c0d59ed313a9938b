"""Write `queries.jsonl`: the labelled queries, with the corpus keys relevant to each.

    .venv/bin/python -m tests.search.relevance.label_queries            # write the file
    .venv/bin/python -m tests.search.relevance.label_queries --show ID  # review one label set

How labels were made: for each query, a *topic* says what a person typing it wants, written as a
predicate over the corpus rows (kind, category, words of the title), and then read row by row:
`drop` removes rows the predicate caught wrongly, `add` adds rows it missed. The query's hard
filters (kinds, direction, radius, dates) then keep only the rows that satisfy them, since a row
outside a filter can never be a right answer. Labels never look at what the engine returned; the
engine's results were only read afterwards, to find rows the predicates had missed (pooling), and
each such row was judged on its own text.

Relevance is topical and independent of direction unless the query filters it: "découpeuse laser"
is answered by every laser cutter offered and by every request for one (a lab that wants a laser
cutter is worth finding too), but not by a skill or by a metrology arm with a laser scanner.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from core.services.communes import fold as fold_commune
from core.settings import PROJECT_ROOT
from tests.search.relevance import evaluation

Row = dict[str, Any]
Topic = Callable[[Row], bool]


def fold(text: str) -> str:
    return " " + re.sub(r"[^a-z0-9]+", " ", fold_commune(text)).strip() + " "


def title(row: Row) -> str:
    return fold(row["title"])


def has(row: Row, *patterns: str) -> bool:
    """Any of these regexes matches the folded title (words are space-delimited)."""
    return any(re.search(p, title(row)) for p in patterns)


def kind(row: Row, *kinds: str) -> bool:
    return bool(row["kind"] in kinds)


def category(row: Row, *codes: str) -> bool:
    return bool(row["category"] in codes)


# Topics: what the person wants ------------------------------------------------------------


def laser_cutter(r: Row) -> bool:
    # Every laser cutter or engraver; the Snapmaker engraves with a laser too. Not the Faro arm
    # (a laser *scanner*), filed by its lab under "laser".
    return kind(r, "EQUIPMENT") and (category(r, "laser") or has(r, r" snapmaker "))


def printer_3d(r: Row) -> bool:
    return kind(r, "EQUIPMENT") and category(r, "three_d_printer")


def resin_printer(r: Row) -> bool:
    return printer_3d(r) and has(r, r" resine ")


def cnc_mill(r: Row) -> bool:
    # CNC routers and the small CNC mills for PCBs (Roland MDX/SRM, Othermill, Pocket NC) are all
    # computer-controlled mills; the Snapmaker mills too. Not the manual bench drill-mill.
    return kind(r, "EQUIPMENT") and (
        category(r, "cnc_milling", "precision_milling") or has(r, r" snapmaker ")
    )


def vinyl_cutter(r: Row) -> bool:
    return kind(r, "EQUIPMENT") and category(r, "vinyl_cutting")


def scanner_3d(r: Row) -> bool:
    return kind(r, "EQUIPMENT") and category(r, "scanner")


def embroidery(r: Row) -> bool:
    return kind(r, "EQUIPMENT") and has(r, r" brod")


def sewing_machine(r: Row) -> bool:
    # Sewing machines, the sewing-and-embroidery one, and requests for a sewing machine; not the
    # embroidery-only machines.
    return kind(r, "EQUIPMENT") and has(r, r" coudre ")


def meeting_room(r: Row) -> bool:
    return kind(r, "PREMISES") and category(r, "meeting_room")


def office(r: Row) -> bool:
    return kind(r, "PREMISES") and category(r, "office")


def coworking_desk(r: Row) -> bool:
    # Desks and offices in a coworking; not the meeting rooms or halls of a place so named.
    return office(r) and has(r, r" coworking ")


def school(r: Row) -> bool:
    return kind(r, "PREMISES") and category(r, "school")


def warehouse(r: Row) -> bool:
    # Storage buildings: warehouses, halls, sheds, depots of goods; judged row by row (`drop`).
    return kind(r, "PREMISES") and category(r, "warehouse")


def industrial_brownfield(r: Row) -> bool:
    return kind(r, "PREMISES") and category(r, "industrial_site")


def brownfield(r: Row) -> bool:
    return kind(r, "PREMISES") and r["key"].startswith("cartofriches:")


def windows(r: Row) -> bool:
    return kind(r, "MATERIAL") and has(r, r" fenetres? ")


def doors(r: Row) -> bool:
    return kind(r, "MATERIAL") and has(r, r" portes? ")


def insulation(r: Row) -> bool:
    return kind(r, "MATERIAL") and category(r, "isolants")


def furniture(r: Row) -> bool:
    return kind(r, "MATERIAL") and category(r, "mobilier") and not has(r, r" bacs ")


def computers(r: Row) -> bool:
    # Computers and their parts; a "lot d'écrans plats" may as well be televisions.
    return kind(r, "MATERIAL") and has(r, r" ordinateurs? ", r" unites centrales ", r" claviers ")


def computer_equipment(r: Row) -> bool:
    return computers(r) or (kind(r, "MATERIAL") and has(r, r" ecrans? "))


def bikes(r: Row) -> bool:
    return kind(r, "MATERIAL") and category(r, "velos")


def wood_material(r: Row) -> bool:
    return kind(r, "MATERIAL") and category(r, "bois")


def plaster(r: Row) -> bool:
    return kind(r, "MATERIAL") and category(r, "platre")


def parquet(r: Row) -> bool:
    return kind(r, "MATERIAL") and has(r, r" parquet ")


def appliances(r: Row) -> bool:
    return kind(r, "MATERIAL") and category(r, "electromenager")


def concrete(r: Row) -> bool:
    return kind(r, "MATERIAL") and has(r, r" beton ")


def tiles(r: Row) -> bool:
    return kind(r, "MATERIAL") and has(r, r" tuiles ")


def welding_skill(r: Row) -> bool:
    # Welding; not fibre-optic splicing ("soudage de fibre optique").
    return kind(r, "SKILL") and has(r, r" soud") and not has(r, r" fibre optique ")


def sewing_skill(r: Row) -> bool:
    # Sewing and garment making (confection); not choosing colours or cleaning fabrics.
    return kind(r, "SKILL") and has(
        r,
        r" cou(dre|ture|tures) ",
        r" ourlet",
        r" doublure ",
        r" confectionner ",
        r" accessoires en tissu ",
        r" retouch",
    )


def wood_skill(r: Row) -> bool:
    return kind(r, "SKILL") and (category(r, "bois_menuiserie") or has(r, r" bois "))


def woodworking_skill(r: Row) -> bool:
    # Working wood with hands and machines; not its trade (prices, suppliers, market, rules).
    return wood_skill(r) and not has(
        r,
        r" prix ",
        r" fournisseurs ",
        r" marche ",
        r" reglementations ",
        r" poeles ",
        r" tracabilite ",
        r" gestion durable ",
        r" qualite du bois ",
        r" normes de qualite ",
    )


def repair_skill(r: Row) -> bool:
    return kind(r, "SKILL") and has(r, r" repar")


def electronics_skill(r: Row) -> bool:
    # Electronics as a craft; not "signing electronically" or "electronic management systems".
    return (
        kind(r, "SKILL")
        and has(r, r" electroni")
        and not has(r, r" signer ", r" gestion electronique ", r" lecture electronique ")
    )


def digital_mediation(r: Row) -> bool:
    # Helping people use digital tools (mediation / inclusion), judged row by row (`add`).
    return False


def workshops_facilitation(r: Row) -> bool:
    return False


def community(r: Row) -> bool:
    return False


def recycling_skill(r: Row) -> bool:
    return kind(r, "SKILL") and has(r, r" recycl", r" reemploi ", r" tri ")


def prototyping_skill(r: Row) -> bool:
    return kind(r, "SKILL") and has(r, r" prototyp")


# The queries -------------------------------------------------------------------------------

Q: list[dict[str, Any]] = []


def q(
    id: str,
    cat: str,
    text: str,
    topic: Topic,
    note: str,
    add: tuple[str, ...] = (),
    drop: tuple[str, ...] = (),
    **filters: Any,
) -> None:
    Q.append(
        {
            "id": id,
            "category": cat,
            "text": text,
            "filters": filters,
            "topic": topic,
            "add": add,
            "drop": drop,
            "note": note,
        }
    )


WAREHOUSE_NOT = (  # filed under "warehouse" by their names, but not storage buildings
    "cartofriches:54257_23935",  # Site RFF-Manan Pré: a railway site, use unknown
    "cartofriches:53097_5231",  # Quartier Gare (Évron): a district
    "cartofriches:74290_1531",  # centre-village (Vallorcine): a former holiday centre
    "cartofriches:14437_22455",  # Ex La Halle (Mondeville): a former clothes shop
)

# exact French
q("fr-01", "exact_fr", "découpeuse laser", laser_cutter, "the machine's usual French name")
q("fr-02", "exact_fr", "imprimante 3D", printer_3d, "the usual French name; 117 relevant")
q("fr-03", "exact_fr", "fraiseuse numérique", cnc_mill, "CNC routers and small CNC mills")
q("fr-04", "exact_fr", "brodeuse", embroidery, "embroidery machines and requests for one")
q(
    "fr-05",
    "exact_fr",
    "salle de réunion",
    meeting_room,
    "meeting and training rooms",
    kinds=["PREMISES"],
)
q(
    "fr-06",
    "exact_fr",
    "ancienne école",
    school,
    "former schools, collèges, lycées among vacant sites",
    kinds=["PREMISES"],
)
q(
    "fr-07",
    "exact_fr",
    "machine à coudre",
    sewing_machine,
    "sewing machines, not embroidery-only ones",
)
q("fr-08", "exact_fr", "parquet", parquet, "a building material by its own word")
q(
    "fr-09",
    "exact_fr",
    "soudure",
    welding_skill,
    "welding skills (ROME labels say soudure, soudage, souder)",
    kinds=["SKILL"],
)
q(
    "fr-10",
    "exact_fr",
    "imprimante 3D résine",
    resin_printer,
    "a narrower kind: resin printers (Formlabs, Asiga, Stratasys)",
)
q(
    "fr-11",
    "exact_fr",
    "plotter de découpe vinyle",
    vinyl_cutter,
    "vinyl cutters, whatever their titles call them",
)
q("fr-12", "exact_fr", "scanner 3D", scanner_3d, "3D scanners, the Kinect and Ciclop included")

# typos
q(
    "typo-01",
    "typo",
    "decoupeuse lazer",
    laser_cutter,
    "the issue's example: missing accent and z for s",
)
q(
    "typo-02",
    "typo",
    "imprimante 3s",
    printer_3d,
    "the issue's example: 3s for 3d (too short for a typo: the last word is dropped)",
)
q("typo-03", "typo", "fraiseuse numerque", cnc_mill, "one letter missing in a long word")
q("typo-04", "typo", "brodeuze", embroidery, "z for s")
q("typo-05", "typo", "sale de reunion", meeting_room, "missing l and accent", kinds=["PREMISES"])
q(
    "typo-06",
    "typo",
    "ultimker",
    lambda r: kind(r, "EQUIPMENT") and has(r, r" ultimaker "),
    "a brand with a letter missing",
)
q("typo-07", "typo", "scaner 3d", scanner_3d, "one n")
q("typo-08", "typo", "parket", parquet, "k for qu")
q("typo-09", "typo", "isolent", insulation, "e for a")
q("typo-10", "typo", "machine a coudr", sewing_machine, "unfinished last word (prefix search)")

# missing accents
q("acc-01", "accents", "decoupeuse laser", laser_cutter, "no accent")
q(
    "acc-02",
    "accents",
    "materiel informatique",
    computer_equipment,
    "computers, screens, keyboards given away or wanted",
    kinds=["MATERIAL"],
)
q("acc-03", "accents", "electromenager", appliances, "household appliances")
q("acc-04", "accents", "ecole", school, "schools among vacant sites", kinds=["PREMISES"])
q(
    "acc-05",
    "accents",
    "entrepot",
    warehouse,
    "storage buildings",
    drop=WAREHOUSE_NOT,
    kinds=["PREMISES"],
)
q("acc-06", "accents", "platre", plaster, "plaster boards and blocks")
q("acc-07", "accents", "beton", concrete, "concrete slabs")
q("acc-08", "accents", "reparation", repair_skill, "repair skills", kinds=["SKILL"])
q("acc-09", "accents", "electronique", electronics_skill, "electronics skills", kinds=["SKILL"])
q("acc-10", "accents", "velo", bikes, "bikes and bike parts", kinds=["MATERIAL"])

# English
q("en-01", "english", "laser cutter", laser_cutter, "English name of the laser cutter")
q("en-02", "english", "3D printer", printer_3d, "English name of the 3D printer")
q("en-03", "english", "sewing machine", sewing_machine, "English; the corpus says machine à coudre")
q(
    "en-04",
    "english",
    "meeting room",
    meeting_room,
    "English; the corpus says salle de réunion",
    kinds=["PREMISES"],
)
q("en-05", "english", "doors", doors, "English; the corpus says portes (and porte-fenêtre)")
q("en-06", "english", "windows", windows, "English; the corpus says fenêtres")
q("en-07", "english", "embroidery machine", embroidery, "English; the corpus says brodeuse")
q("en-08", "english", "vinyl cutter", vinyl_cutter, "English name of the vinyl cutter")
q(
    "en-09",
    "english",
    "furniture",
    furniture,
    "English; the corpus says mobilier, chaises, tables",
    kinds=["MATERIAL"],
)
q("en-10", "english", "insulation", insulation, "English; the corpus says isolant, laine de verre")
q(
    "en-11",
    "english",
    "welding",
    welding_skill,
    "English; ROME says soudure/soudage",
    kinds=["SKILL"],
)
q("en-12", "english", "bike", bikes, "English; the corpus says vélo", kinds=["MATERIAL"])
q(
    "en-13",
    "english",
    "computer",
    computers,
    "English; the corpus says ordinateurs, unités centrales",
    kinds=["MATERIAL"],
)
q("en-14", "english", "3D scanner", scanner_3d, "English name of the 3D scanner")
q(
    "en-15",
    "english",
    "warehouse",
    warehouse,
    "English; the corpus says entrepôt, hangar, halle",
    drop=WAREHOUSE_NOT,
    kinds=["PREMISES"],
)
q(
    "en-16",
    "english",
    "office",
    office,
    "English; the corpus says bureau; 'The Office' is a coworking's name, not an office",
    kinds=["PREMISES"],
)

q(
    "en-17",
    "english",
    "washing machine",
    lambda r: kind(r, "MATERIAL") and has(r, r" lave linge "),
    "English; the corpus says lave-linge",
)
q(
    "en-18",
    "english",
    "fridge",
    lambda r: kind(r, "MATERIAL") and has(r, r" refrigerateur "),
    "English; the corpus says réfrigérateur",
)
q(
    "en-19",
    "english",
    "screens",
    lambda r: kind(r, "MATERIAL") and has(r, r" ecrans? "),
    "English; the corpus says écrans",
    kinds=["MATERIAL"],
)
q(
    "en-20",
    "english",
    "chairs",
    lambda r: kind(r, "MATERIAL") and has(r, r" chaises? "),
    "English; office chairs and high chairs",
)
q(
    "en-21",
    "english",
    "tiles",
    lambda r: tiles(r) or (kind(r, "MATERIAL") and has(r, r" carrelage ", r" faience ")),
    "English; roof tiles (tuiles) and floor or wall tiles (carrelage, faïence), not the bricks and stones filed with the roof tiles",
)
q(
    "en-22",
    "english",
    "glass",
    lambda r: kind(r, "MATERIAL") and category(r, "verre"),
    "English; glass sheets and panes, not drinking glasses nor glass wool",
    kinds=["MATERIAL"],
)
q("en-23", "english", "sewing", sewing_skill, "English; sewing as a skill", kinds=["SKILL"])
q(
    "en-24",
    "english",
    "former school",
    school,
    "English; écoles, collèges, lycées",
    kinds=["PREMISES"],
)
q("en-25", "english", "repair", repair_skill, "English; réparer, réparation", kinds=["SKILL"])
q("en-26", "english", "wood", wood_material, "English; bois as a material", kinds=["MATERIAL"])
q(
    "en-27",
    "english",
    "bricks",
    lambda r: kind(r, "MATERIAL") and has(r, r" briques "),
    "English; briques",
)
q("en-28", "english", "plaster", plaster, "English; plâtre")
q("en-29", "english", "empty school", school, "English; ancienne école, école vacante")
q(
    "en-30",
    "english",
    "wooden windows",
    lambda r: windows(r) and has(r, r" bois "),
    "English; fenêtres en bois",
)
q(
    "en-31",
    "english",
    "pallets",
    lambda r: kind(r, "MATERIAL") and has(r, r" palettes? "),
    "English; palettes",
)
q(
    "en-32",
    "english",
    "workshop",
    lambda r: kind(r, "PREMISES") and category(r, "workshop"),
    "English; atelier as a place",
    kinds=["PREMISES"],
)

# synonyms
q("syn-01", "synonyms", "CNC", cnc_mill, "CNC ~ fraiseuse numérique, défonceuse numérique")
q("syn-02", "synonyms", "impression 3D", printer_3d, "the process for the machine")
q(
    "syn-03",
    "synonyms",
    "fabrication additive",
    printer_3d,
    "the technical name of 3D printing",
    kinds=["EQUIPMENT"],
)
q("syn-04", "synonyms", "graveuse laser", laser_cutter, "engraver ~ cutter")
q("syn-05", "synonyms", "plotter de découpe", vinyl_cutter, "plotter ~ découpeuse vinyle ~ traceur")
q(
    "syn-06",
    "synonyms",
    "cotravail",
    coworking_desk,
    "Québec's word for coworking",
    kinds=["PREMISES"],
)
q("syn-07", "synonyms", "défonceuse numérique", cnc_mill, "router ~ CNC mill")
q("syn-08", "synonyms", "numérisation 3D", scanner_3d, "the process for the 3D scanner")
q(
    "syn-09",
    "synonyms",
    "laine de roche",
    insulation,
    "a kind of insulation: every insulation material is an answer",
)
q(
    "syn-10",
    "synonyms",
    "friche industrielle",
    industrial_brownfield,
    "industrial brownfields (usine, fonderie...)",
    kinds=["PREMISES"],
)

# geographic limits
q(
    "geo-01",
    "geo",
    "imprimante 3D",
    printer_3d,
    "3D printers within 30 km of Toulouse",
    commune="Toulouse",
    radiusKm=30,
)
q(
    "geo-02",
    "geo",
    "découpeuse laser",
    laser_cutter,
    "laser cutters within 40 km of Paris",
    commune="Paris",
    radiusKm=40,
)
q(
    "geo-03",
    "geo",
    "CNC",
    cnc_mill,
    "CNC mills within 60 km of Grenoble",
    commune="Grenoble",
    radiusKm=60,
)
q(
    "geo-04",
    "geo",
    "friche",
    brownfield,
    "vacant sites within 25 km of Lille",
    commune="Lille",
    radiusKm=25,
    kinds=["PREMISES"],
)
q(
    "geo-05",
    "geo",
    "salle de réunion",
    meeting_room,
    "meeting rooms within 20 km of Montpellier",
    commune="Montpellier",
    radiusKm=20,
    kinds=["PREMISES"],
)
q(
    "geo-06",
    "geo",
    "laser cutter",
    laser_cutter,
    "none within 50 km of Guéret: the nearest is at Châteauroux, 85 km",
    commune="Guéret",
    radiusKm=50,
)
q(
    "geo-07",
    "geo",
    "scanner 3D",
    scanner_3d,
    "3D scanners within 25 km of Chalon-sur-Saône",
    commune="Chalon-sur-Saône",
    radiusKm=25,
)
q(
    "geo-08",
    "geo",
    "brodeuse",
    embroidery,
    "embroidery machines within 150 km of Toulouse",
    commune="Toulouse",
    radiusKm=150,
)
q(
    "geo-09",
    "geo",
    "ancienne école",
    school,
    "former schools within 100 km of Rouen",
    commune="Rouen",
    radiusKm=100,
    kinds=["PREMISES"],
)
q(
    "geo-10",
    "geo",
    "soudure",
    welding_skill,
    "welding skills within 60 km of Toulouse",
    commune="Toulouse",
    radiusKm=60,
    kinds=["SKILL"],
)
q(
    "geo-11",
    "geo",
    "imprimante 3D",
    printer_3d,
    "3D printers within 15 km of a point in Metz",
    near={"lat": 49.1193, "lon": 6.1757},
    radiusKm=15,
)
q(
    "geo-12",
    "geo",
    "mobilier",
    furniture,
    "furniture within 50 km of Nantes",
    commune="Nantes",
    radiusKm=50,
    kinds=["MATERIAL"],
)
q(
    "geo-13",
    "geo",
    "bureau",
    office,
    "offices within 10 km of Paris-centre; the Toulouse ones are out",
    commune="75056",
    radiusKm=10,
    kinds=["PREMISES"],
)

# date windows
q(
    "date-01",
    "dates",
    "salle de réunion",
    meeting_room,
    "meeting rooms free on 10-12 March 2027",
    availableFrom="2027-03-10",
    availableUntil="2027-03-12",
    kinds=["PREMISES"],
)
q(
    "date-02",
    "dates",
    "découpeuse laser",
    laser_cutter,
    "laser cutters free in the first half of August 2027",
    availableFrom="2027-08-01",
    availableUntil="2027-08-15",
)
q(
    "date-03",
    "dates",
    "friche",
    brownfield,
    "vacant sites available in July-August 2027",
    availableFrom="2027-07-01",
    availableUntil="2027-08-31",
    kinds=["PREMISES"],
)
q(
    "date-04",
    "dates",
    "bureau",
    office,
    "offices available from October to December 2026",
    availableFrom="2026-10-01",
    availableUntil="2026-12-31",
    kinds=["PREMISES"],
)
q(
    "date-05",
    "dates",
    "isolant",
    insulation,
    "insulation available in mid-January 2027",
    availableFrom="2027-01-15",
    availableUntil="2027-02-15",
)
q(
    "date-06",
    "dates",
    "brodeuse",
    embroidery,
    "embroidery machines (or requests) in July 2027",
    availableFrom="2027-07-05",
    availableUntil="2027-07-20",
)

# kind and direction filters
q(
    "kd-01",
    "kind_dir",
    "imprimante 3D",
    printer_3d,
    "only requests for a 3D printer",
    direction="REQUEST",
)
q(
    "kd-02",
    "kind_dir",
    "découpeuse laser",
    laser_cutter,
    "only requests for a laser cutter",
    direction="REQUEST",
)
q(
    "kd-03",
    "kind_dir",
    "bois",
    wood_material,
    "wood as a material, not wood skills nor wood-cutting lasers",
    kinds=["MATERIAL"],
)
q("kd-04", "kind_dir", "bois", wood_skill, "wood skills, not wood materials", kinds=["SKILL"])
q(
    "kd-05",
    "kind_dir",
    "couture",
    sewing_skill,
    "sewing as a skill, not sewing machines",
    kinds=["SKILL"],
)
q(
    "kd-06",
    "kind_dir",
    "atelier",
    lambda r: kind(r, "PREMISES") and has(r, r" atelier "),
    "requests for a workshop space, not the 24 workshops offered",
    kinds=["PREMISES"],
    direction="REQUEST",
)
q(
    "kd-07",
    "kind_dir",
    "fenêtres",
    windows,
    "only offered windows",
    kinds=["MATERIAL"],
    direction="OFFER",
)
q(
    "kd-08",
    "kind_dir",
    "scanner 3D",
    scanner_3d,
    "only offered scanners, not the 12 requests",
    direction="OFFER",
)
q("kd-09", "kind_dir", "recyclage", recycling_skill, "recycling as a skill", kinds=["SKILL"])

# harder: intent in other words (labelled by reading the rows)
q(
    "hard-01",
    "hard",
    "médiation numérique",
    digital_mediation,
    "helping people with digital tools; ROME rarely says 'médiation numérique'",
    add=(
        "rome:140975",  # accompagner l'autonomie dans l'usage des outils numériques
        "rome:513388",  # s'approprier les compétences numériques de base
        "rome:486938",  # former les utilisateurs aux outils bureautiques
        "rome:403420",  # accompagner les équipes dans la prise en main des outils numériques
    ),
    kinds=["SKILL"],
)
q(
    "hard-02",
    "hard",
    "animer des ateliers",
    workshops_facilitation,
    "running workshops and group sessions",
    add=(
        "rome:508280",  # Animer des ateliers de pratique artistique
        "rome:503211",  # Faciliter des ateliers de pratique linguistique
        "rome:484822",  # (bénévole pour) mettre en place des ateliers pédagogiques
        "rome:507999",  # Faciliter des sessions de formation interactive
        "rome:490623",  # (bénévole pour) animer une formation technique
        "rome:108364",  # Mettre en place et animer des groupes de parole
        "rome:503210",  # Animer des séances de discussion en langue étrangère
        "rome:403292",  # Animer des groupes de travail (en qualité de chef de projet)
    ),
    kinds=["SKILL"],
)
q(
    "hard-06",
    "hard",
    "animation de communauté",
    community,
    "running a community of people; not 'the scientific community' nor impact studies",
    add=(
        "rome:506952",  # Engager et interagir avec la communauté en ligne
        "rome:502167",  # Planifier et organiser des événements communautaires
        "rome:482938",  # Faciliter l'intégration dans la communauté
        "rome:508097",  # superviser des bénévoles lors d'événements communautaires
        "rome:502527",  # Promouvoir les activités de la maison de quartier auprès de la communauté
        "rome:405188",  # animer et coordonner les activités de la structure avec les bénévoles
        "rome:300033",  # Mettre en oeuvre et animer des actions socio-culturelles
    ),
    kinds=["SKILL"],
)
q(
    "hard-07",
    "hard",
    "gestion des bénévoles",
    lambda r: kind(r, "SKILL") and has(r, r" (des|les) benevoles "),
    "managing volunteers; a request 'Cherche bénévole pour : X' is not about volunteers unless X is",
    kinds=["SKILL"],
)
q("hard-03", "hard", "prototypage", prototyping_skill, "prototyping skills", kinds=["SKILL"])
q(
    "hard-04",
    "hard",
    "woodworking",
    woodworking_skill,
    "English for travail du bois: working wood, not its trade",
    kinds=["SKILL"],
)
q("hard-05", "hard", "tuiles", tiles, "roof tiles, a short word close to 'tubes' and 'toiles'")


# Generation ---------------------------------------------------------------------------------


def commune_points() -> dict[str, tuple[float, float]]:
    found: dict[str, tuple[int, float, float]] = {}
    with (PROJECT_ROOT / "data" / "communes.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if not row["lat"]:
                continue
            point = (int(row["population"] or 0), float(row["lat"]), float(row["lon"]))
            found[row["code_insee"]] = point
            key = fold_commune(row["nom"])
            if key not in found or found[key][0] < point[0]:
                found[key] = point
    return {k: (v[1], v[2]) for k, v in found.items()}


def satisfies(row: Row, filters: dict[str, Any], points: dict[str, tuple[float, float]]) -> bool:
    if "kinds" in filters and row["kind"] not in filters["kinds"]:
        return False
    if "direction" in filters and row["direction"] != filters["direction"]:
        return False
    if "radiusKm" in filters:
        if "near" in filters:
            lat, lon = filters["near"]["lat"], filters["near"]["lon"]
        else:
            lat, lon = points[fold_commune(filters["commune"])]
        if evaluation.haversine_km(lat, lon, row["lat"], row["lon"]) > filters["radiusKm"]:
            return False
    start = date.fromisoformat(filters["availableFrom"]) if "availableFrom" in filters else None
    end = date.fromisoformat(filters["availableUntil"]) if "availableUntil" in filters else None
    if end and row["available_from"] and date.fromisoformat(row["available_from"]) > end:
        return False
    return not (
        start and row["available_until"] and date.fromisoformat(row["available_until"]) < start
    )


def labelled(rows: list[Row]) -> list[dict[str, Any]]:
    points = commune_points()
    keys = {row["key"] for row in rows}
    out = []
    for spec in Q:
        unknown = [k for k in (*spec["add"], *spec["drop"]) if k not in keys]
        relevant = [
            row["key"]
            for row in rows
            if (
                (spec["topic"](row) and row["key"] not in spec["drop"]) or row["key"] in spec["add"]
            )
            and satisfies(row, spec["filters"], points)
        ]
        entry = {
            "id": spec["id"],
            "category": spec["category"],
            "text": spec["text"],
            **({"filters": spec["filters"]} if spec["filters"] else {}),
            "relevant": relevant,
            "note": spec["note"],
        }
        if unknown:
            entry["unknown"] = unknown
        out.append(entry)
    return out


def main(arguments: argparse.Namespace) -> None:
    rows = evaluation.corpus()
    by_key = {row["key"]: row for row in rows}
    entries = labelled(rows)
    if arguments.show:
        for entry in entries:
            if entry["id"] in arguments.show.split(","):
                print(
                    f"== {entry['id']} {entry['text']!r} {entry.get('filters', {})}: {len(entry['relevant'])}"
                )
                print(f"   unknown: {entry.get('unknown')}")
                for key in entry["relevant"]:
                    row = by_key[key]
                    print(
                        f"   {row['kind'][:4]} {row['direction'][:3]} {row['category']!s:<16} {row['title'][:90]} | {row['commune_name']} [{key}]"
                    )
        return
    problems = [e for e in entries if e.get("unknown")]
    assert not problems, [(e["id"], e["unknown"]) for e in problems]
    with evaluation.QUERIES.open("w", encoding="utf-8") as handle:
        for entry in entries:
            handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
    print(f"{evaluation.QUERIES.name}: {len(entries)} queries")
    for entry in entries:
        print(f"  {entry['id']:<8} {len(entry['relevant']):4d}  {entry['text']}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--show", help="query ids, comma-separated")
    main(parser.parse_args())
