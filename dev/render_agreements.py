"""Render one sample of each agreement kind: `docs/screenshots/agreement-<kind>.png` (page 1).

    make agreements            # or: .venv/bin/python -m dev.render_agreements [OUT_DIR]

Run after a template changes, and look at the pictures: they are the golden renderings reviewed
with the templates' text. Each is the product's own PDF (`core.agreements.render.render`) turned
into a PNG by Poppler's `pdftoppm` (Debian `poppler-utils`), so what is looked at is what the
parties download. The samples are invented, realistic exchanges.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.agreements.kinds import AgreementKind
from core.agreements.render import render

CREATED_AT = datetime(2027, 1, 4, 9, 30, tzinfo=UTC)


def party(name: str, siret: str, address: str, person: str, role: str) -> dict[str, Any]:
    representative = {"name": person, "role": role}
    return {"name": name, "siret": siret, "address": address, "representative": representative}


COMMUNE = party(
    "Commune de Saint-Génis-l’Érable",
    "217\u00a0690\u00a0123\u00a000014",
    "1 place de la Mairie, 69230 Saint-Génis-l’Érable",
    "Hélène Dupré",
    "maire",
)
ASSOCIATION = party(
    "Association Œuvre Commune",
    "901\u00a0234\u00a0567\u00a000028",
    "3 place Gambetta, 42000 Saint-Étienne",
    "François Lefèvre",
    "président",
)
FABLAB = party(
    "Fablab des Pâquerettes",
    "812\u00a0345\u00a0678\u00a000019",
    "12 rue de l’Église, 69003 Lyon",
    "Zoé Martin-Lagarde",
    "présidente",
)
COMMON: dict[str, Any] = {
    "reference": "EL-2027-0042",
    "drafted_on": "4 janvier 2027",
    "period": {"start": "11 janvier 2027", "end": "26 février 2027"},
    "clauses": [],
    "deposit": None,
    "insurance": "MAIF, contrat n°\u00a04\u202f512\u202f778\u00a0B",
}
SAMPLES: dict[AgreementKind, dict[str, Any]] = {
    AgreementKind.PRET_A_USAGE: {
        "provider": FABLAB,
        "beneficiary": ASSOCIATION,
        "object": {
            "title": "Découpeuse laser Trotec Speedy 400 (120\u00a0W)",
            "description": "Surface utile 1\u202f000 × 610\u00a0mm, avec son extracteur de fumées.",
            "value": "15\u202f000,00\u00a0€",
        },
        "consideration": None,
        "deposit": "1\u202f500,00\u00a0€",
        "handover": "Lentille neuve ; rayure de 3 cm sur le capot ; 212 h au compteur.",
        "clauses": [
            {
                "title": "Formation",
                "text": "Seules les personnes formées à la découpe laser utilisent la machine.",
            }
        ],
    },
    AgreementKind.OCCUPATION_TEMPORAIRE: {
        "provider": COMMUNE,
        "beneficiary": ASSOCIATION,
        "object": {"title": "Ancienne école Jean-Zay", "description": "Trois salles, 180 m²."},
        "place": {"name": "École Jean-Zay", "address": "8 rue des Écoles, 69230 Saint-Génis"},
        "use": "un atelier de réparation et de réemploi ouvert au public",
        "consideration": None,
        "handover": "Peinture écaillée dans la salle 2 ; chauffage vérifié le 3 janvier.",
    },
    AgreementKind.OCCUPATION_PRECAIRE: {
        "provider": FABLAB,
        "beneficiary": ASSOCIATION,
        "object": {"title": "Local d’activité", "description": "Rez-de-chaussée, 60 m²."},
        "place": {"name": "Halle Berliet", "address": "40 avenue Berthelot, 69007 Lyon"},
        "use": "le stockage et la préparation de matériaux de réemploi",
        "circumstances": "le bâtiment doit être réhabilité à partir de l’été 2027",
        "consideration": "200,00\u00a0€ par mois",
        "handover": "Local vide et propre ; une vitre fêlée côté cour.",
    },
    AgreementKind.MISE_A_DISPOSITION: {
        "provider": ASSOCIATION,
        "beneficiary": COMMUNE,
        "object": {
            "title": "Animation d’ateliers numériques",
            "description": "Accompagnement des habitants aux démarches en ligne.",
        },
        "person": {"name": "Amélie Nguyễn", "role": "médiatrice numérique"},
        "schedule": "les mardis et jeudis de 14 h à 18 h",
        "place": {"name": "Médiathèque", "address": "2 rue Victor-Hugo, 69230 Saint-Génis"},
        "consideration": "1\u202f240,00\u00a0€",
        "handover": "",
    },
    AgreementKind.ATTESTATION_DON: {
        "provider": FABLAB,
        "beneficiary": ASSOCIATION,
        "object": {"title": "chutes de bois d’un chantier", "description": ""},
        "place": {"name": "Fablab des Pâquerettes", "address": "12 rue de l’Église, 69003 Lyon"},
        "materials": [
            {"label": "Planches de chêne", "quantity": 42, "unit": "pièces"},
            {"label": "Contreplaqué peuplier 18 mm", "quantity": 6, "unit": "panneaux"},
            {"label": "Tasseaux de pin", "quantity": 35, "unit": "m"},
        ],
        "consideration": None,
        "handover": "Bois sec, stocké à l’abri ; quelques clous restent dans les chevrons.",
    },
}


def first_page_png(pdf: bytes, ppi: int = 96) -> bytes:
    """Page 1 of `pdf` as a PNG, drawn by Poppler's pdftoppm."""
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "agreement.pdf", Path(folder) / "page"
        source.write_bytes(pdf)
        command = ["pdftoppm", "-png", "-r", str(ppi), "-f", "1", "-l", "1", "-singlefile"]
        subprocess.run([*command, str(source), str(target)], check=True, timeout=60)  # noqa: S603 (our own arguments)
        return target.with_suffix(".png").read_bytes()


def main(out_dir: Path) -> None:
    for kind, own in SAMPLES.items():
        png = first_page_png(render(kind, {**COMMON, **own}, CREATED_AT))
        target = out_dir / f"agreement-{kind.value.replace('_', '-')}.png"
        target.write_bytes(png)
        print(target, len(png) // 1024, "KiB")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
