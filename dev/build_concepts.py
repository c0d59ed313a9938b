"""Build `data/search/concepts.csv`, the search vocabulary, from the shared open data.

    .venv/bin/python dev/build_concepts.py [SHARED_DATA_DIR]   # default ../shared/data

Run by hand; deterministic (same inputs, same bytes); its output is committed and reviewed as
data (`data/search/README.md`). `tests/search/test_vocabulary.py` checks the committed file is
what this script gives, when the shared data is there.

What each source gives (ids are readable slugs; `source` says where a row comes from):
- `data/taxonomy.csv`: the French and English labels of the concepts that carry a category code;
- fablabs.io machine classes: one concept per class under `equipement`, its brands as members
  (a brand whose machines are at least 80 % of one class, seen at least 5 times);
- ROME 4.0, facilitator subset: one concept per facilitator tag under `competences`; each
  macro-competence under each tag its kept competences carry, their labels as its members; the
  kept savoirs' labels as members of their tag. "Kept" is the stricter reading of the noisy
  tags in `ROME_KEEP` and `ROME_DROP` below;
- ADEME "Longue vie aux objets": each categorie under `materiaux`, each sous_categorie under it;
  its actions as free groups (synonyms only);
- the 2011 order on demolition waste: each class under `construction`, each material under it.
Then `data/search/concepts_hand.csv` (same columns) adds what the open data lacks: roots, English
labels, families ("mobilier de bureau"), phrase concepts and synonym groups. A hand row whose id is
already there completes it: its non-empty parent, kind and labels win, its lists are appended.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "data" / "search" / "concepts.csv"
HAND = ROOT / "data" / "search" / "concepts_hand.csv"
TAXONOMY = ROOT / "data" / "taxonomy.csv"
COLUMNS = [
    "id",
    "parent",
    "kind",
    "label_fr",
    "label_en",
    "names",
    "members",
    "exclude",
    "codes",
    "source",
]
LISTS = ("names", "members", "exclude", "codes")

ROME_KEEP = {
    "animation_facilitation": (
        r"anim(er|ation) (un|une|des|d'|de |la vie)|faciliter (et créer|des sessions"
        r"|des ateliers|la coopération|l'accès aux outils)|médiation (culturelle|scientifique"
        r"|numérique)|pédagogique|communaut|bénévol|intelligence collective|concertation"
    ),
    "reparation_reemploi": r"répar|réemploi|recycl|tri |déconstruction|récupér",
    "bois_menuiserie": r"bois|menuis|charpent|ébénist",
    "textile_couture": r"cou(dre|ture)|tissu|textile|brod|retouch",
    "electronique": r"électroni|circuit|composant",
    "fabrication_numerique": r"prototyp|cao|commande numérique|fabrication additive|maquette",
    "metal_soudure": r"soud|métal|serrur|chaudronn",
    "mediation_numerique": (
        r"outils numériques|compétences numériques|usages? (du|des) numérique"
        r"|autonomie dans l'usage"
    ),
    "gestion_lieu_projet": r"bénévol|projets collectifs|mise à disposition de matériels",
}
ROME_DROP = (
    r"militaire|armes|paiement|billetterie|agendas|médicament|intérimaires|sclérothérapie"
    r"|machines à sous|auto-école|nucléaire|patients|magistrats|marque|vente|marketing|achat"
    r"|recrutement|jeux de cartes|table de jeu|marionnette|passagers|soins"
)
BRAND_SHARE = 0.8
BRAND_MIN = 5
NOT_BRANDS = {"cnc", "unknown", "unknow", "homemade cnc router", "other machine co", "microsoft"}

Row = dict[str, str]


def slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


def read(path: Path) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def concept(id: str, parent: str, label_fr: str, source: str, **lists: list[str] | str) -> Row:
    row = {column: "" for column in COLUMNS}
    row.update(id=id, parent=parent, label_fr=label_fr, source=source)
    for name, value in lists.items():
        row[name] = value if isinstance(value, str) else "|".join(value)
    return row


def machine_classes(shared: Path, taxonomy: dict[str, Row]) -> list[Row]:
    machines = read(shared / "fablab_machines_fablabsio_world_2023.csv")
    by_brand: dict[str, Counter[str]] = defaultdict(Counter)
    for machine in machines:
        by_brand[machine["brand"].strip().lower()][machine["machine_class"]] += 1
    rows = []
    for line in read(shared / "fablab_machine_classes_fablabsio.csv"):
        name = line["machine_class"]
        if name not in taxonomy:
            continue  # "other": no class of its own
        brands = sorted(
            brand
            for brand, classes in by_brand.items()
            if brand not in NOT_BRANDS
            and sum(classes.values()) >= BRAND_MIN
            and classes[name] >= BRAND_SHARE * sum(classes.values())
        )
        rows.append(
            concept(name, "equipement", "", f"fablabs:{name}", members=brands, codes=[name])
        )
    return rows


def kept_tags(label: str, tags: str) -> list[str]:
    if re.search(ROME_DROP, label, re.IGNORECASE):
        return []
    return [t for t in tags.split("|") if re.search(ROME_KEEP[t], label, re.IGNORECASE)]


def rome(shared: Path) -> list[Row]:
    macro_labels = {
        row["code_ogr"]: row["libelle_competence"]
        for row in read(shared / "rome4_v460_competences.csv")
        if row["nature"] == "Macro-compétence"
    }
    members: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in read(shared / "rome4_v460_competences_facilitator_subset.csv"):
        label, macro = row["libelle_competence"].strip(), row["code_ogr_macro_comp"]
        tags = kept_tags(label, row["facilitator_tags"])
        if row["nature"] != "Compétence" or not tags or macro not in macro_labels:
            continue
        for tag in tags:
            members[macro, tag].append(label)
    savoirs: dict[str, list[str]] = defaultdict(list)
    for row in read(shared / "rome4_v460_savoirs_facilitator_subset.csv"):
        for tag in kept_tags(row["libelle_savoir"].strip(), row["facilitator_tags"]):
            savoirs[tag].append(row["libelle_savoir"].strip())
    rows = [
        concept(
            tag,
            "competences",
            "",
            "rome:facilitator_tags",
            members=sorted(set(savoirs[tag])),
            codes=[tag],
        )
        for tag in ROME_KEEP
    ]
    for macro, tag in sorted(members):
        rows.append(
            concept(
                f"rome-{macro}-{slug(tag)}",
                tag,
                macro_labels[macro],
                f"rome:{macro}",
                members=sorted(set(members[macro, tag])),
            )
        )
    return rows


def ademe(shared: Path, taxonomy: dict[str, Row]) -> list[Row]:
    """Ids are the taxonomy code whose French label is the ADEME label (parentheses aside)."""
    material_codes = {
        slug(row["label_fr"]): code for code, row in taxonomy.items() if row["kind"] == "MATERIAL"
    }

    def id_of(label: str) -> str:
        key = slug(re.sub(r"\(.*?\)", "", label))
        return material_codes.get(key, slug(label))

    def label_of(label: str) -> str:
        code = id_of(label)
        return taxonomy[code]["label_fr"] if code in taxonomy else label

    rows: dict[str, Row] = {}
    for line in read(shared / "reuse_object_categories_ademe_lvao.csv"):
        parent = id_of(line["categorie"])
        rows.setdefault(parent, concept(parent, "materiaux", label_of(line["categorie"]), "ademe"))
        child = id_of(line["sous_categorie"])
        if child != parent:
            label = label_of(line["sous_categorie"])
            rows[child] = concept(child, parent, label, f"ademe:{line['code']}")
    for line in read(shared / "reuse_actions_ademe_lvao.csv"):
        name = f"action-{line['code']}"
        rows[name] = concept(name, "", line["libelle"].capitalize(), f"ademe-action:{line['code']}")
    return list(rows.values())


ORDER_2011_CLASSES_EN = {
    "DI": ["inert materials", "inert waste"],
    "DND": ["non-hazardous materials", "non-hazardous waste"],
    "DD": ["hazardous materials", "hazardous waste"],
}
"""The English of the order's three classes (it has none)."""


def class_names_2011(code: str, label: str) -> list[str]:
    """ "Matériaux ou déchets inertes": "matériaux inertes", "déchets inertes", and the English."""
    quality = label.lower().removeprefix("matériaux ou déchets ").strip()
    return [f"matériaux {quality}", f"déchets {quality}", *ORDER_2011_CLASSES_EN.get(code, [])]


def order_2011(shared: Path) -> list[Row]:
    """Each class, and each material under it. A material carries its class's names too: the
    hand file moves most materials under families (wood, roofing...), and "matériaux inertes" must
    still reach the tiles and the concrete."""
    rows: dict[str, Row] = {}
    for line in read(shared / "reuse_construction_materials_arrete2011.csv"):
        code = line["class_code"]
        parent = f"a2011-{code.lower()}"
        names = class_names_2011(code, line["class_label"])
        rows.setdefault(
            parent,
            concept(parent, "construction", line["class_label"], f"arrete2011:{code}", names=names),
        )
        child = f"a2011-{slug(line['material'])}"
        rows[child] = concept(
            child, parent, line["material"], f"arrete2011:{code}:{line['material']}", names=names
        )
    return list(rows.values())


def merge(rows: list[Row], hand: list[Row]) -> list[Row]:
    """Hand rows add concepts, or complete the generated row of the same id."""
    by_id: dict[str, Row] = {}
    for row in rows + hand:
        current = by_id.get(row["id"])
        if current is None:
            by_id[row["id"]] = {column: row.get(column) or "" for column in COLUMNS}
            continue
        for column in ("parent", "kind", "label_fr", "label_en"):
            current[column] = row[column] or current[column]
        for column in LISTS:
            values = [v for v in (current[column] + "|" + row[column]).split("|") if v]
            current[column] = "|".join(dict.fromkeys(values))
        if row["source"] not in current["source"].split("+"):
            current["source"] += "+" + row["source"]
    return list(by_id.values())


def with_labels(rows: list[Row], taxonomy: dict[str, Row]) -> list[Row]:
    """Labels from the taxonomy where a concept carries its code, and each label among its names."""
    for row in rows:
        codes = [c for c in row["codes"].split("|") if c in taxonomy]
        if codes:
            row["label_fr"] = row["label_fr"] or taxonomy[codes[0]]["label_fr"]
            row["label_en"] = row["label_en"] or taxonomy[codes[0]]["label_en"]
        row["label_en"] = row["label_en"] or row["label_fr"]
        labels = [row["label_fr"].lower(), row["label_en"].lower()]
        names = [n for n in labels + row["names"].split("|") if n]
        row["names"] = "|".join(dict.fromkeys(names))
    return rows


def build(shared: Path) -> str:
    taxonomy = {row["code"]: row for row in read(TAXONOMY)}
    generated = machine_classes(shared, taxonomy) + rome(shared) + ademe(shared, taxonomy)
    rows = with_labels(merge(generated + order_2011(shared), read(HAND)), taxonomy)
    ids = {row["id"] for row in rows}
    missing = [row["id"] for row in rows if row["parent"] and row["parent"] not in ids]
    if missing:
        raise SystemExit(f"concepts whose parent is unknown: {missing}")
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(sorted(rows, key=lambda row: row["id"]))
    return out.getvalue()


if __name__ == "__main__":
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data"
    OUTPUT.write_text(build(shared), encoding="utf-8")
    print(f"{OUTPUT.relative_to(ROOT)} written")
