"""Build `data/search/lexicon.txt`, the words the spelling corrector knows, from the shared data.

    .venv/bin/python dev/build_lexicon.py [SHARED_DATA_DIR]   # default ../shared/data

Run by hand; deterministic (sorted, one folded word per line); its output is committed and
reviewed as data (`data/search/README.md`). A known word is never "corrected"
(`search/spelling.py`), so the list is what keeps a rare but right word ("hêtre", "seau") from
being turned into a commoner one that sounds the same. It holds every word of:
- ROME 4.0: the labels of all competences, savoirs and job titles (not only the facilitator subset
  the vocabulary keeps: a right word of any trade must stay as typed);
- ADEME "Longue vie aux objets": object categories and actions;
- the 2011 order's construction materials;
- the fablab machine brands (as words: brand names are facts, not fablabs.io's data).
The vocabulary's own words, the taxonomy's labels and the communes' names are read from the
repository at run time and need no copy here.
"""

from __future__ import annotations

import csv
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "data" / "search" / "lexicon.txt"
SOURCES = {
    "rome4_v460_competences.csv": ("libelle_competence",),
    "rome4_v460_savoirs.csv": ("libelle_savoir", "categorie_savoir", "sous_categorie_savoir"),
    "rome4_v460_fiches_metiers.csv": (
        "libelle_rome",
        "libelle_domaine_professionnel",
        "libelle_grand_domaine",
    ),
    "reuse_object_categories_ademe_lvao.csv": ("categorie", "sous_categorie"),
    "reuse_actions_ademe_lvao.csv": ("libelle",),
    "reuse_construction_materials_arrete2011.csv": ("class_label", "material", "note"),
    "fablab_machine_brands_fablabsio.csv": ("brand",),
}
WORD = re.compile(r"[^\W\d_]{2,}")


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(shared: Path) -> list[str]:
    found: set[str] = set()
    for name, columns in SOURCES.items():
        with (shared / name).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                for column in columns:
                    found.update(WORD.findall(fold(row.get(column) or "")))
    return sorted(found)


def main() -> None:
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data"
    OUTPUT.write_text("\n".join(words(shared)) + "\n", encoding="utf-8")
    print(f"{OUTPUT.relative_to(ROOT)}: {len(OUTPUT.read_text().splitlines())} words")


if __name__ == "__main__":
    main()
