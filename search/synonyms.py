"""French and English names of the same things: each group's terms are synonyms of each other."""

from __future__ import annotations

GROUPS: list[list[str]] = [
    [
        "découpeuse laser",
        "decoupeuse laser",
        "laser cutter",
        "laser",
        "graveuse laser",
        "découpe laser",
    ],
    ["imprimante 3d", "3d printer", "impression 3d", "3d printing", "fabrication additive"],
    [
        "fraiseuse numérique",
        "fraiseuse",
        "cnc",
        "cnc milling",
        "défonceuse numérique",
        "cnc router",
    ],
    ["découpe vinyle", "plotter de découpe", "vinyl cutter", "vinyl cutting", "découpeuse vinyle"],
    ["scanner 3d", "3d scanner", "numérisation 3d"],
    ["brodeuse", "machine à broder", "embroidery machine", "brodeuse numérique", "embroidery"],
    ["machine à coudre", "sewing machine", "surjeteuse"],
    ["couture", "coudre", "sewing"],
    ["soudure", "poste à souder", "welding", "welder"],
    ["électronique", "electronics", "arduino", "circuit imprimé", "pcb"],
    ["menuiserie", "woodworking", "travail du bois", "ébénisterie", "bois"],
    ["salle de réunion", "meeting room", "salle"],
    ["bureau", "office", "bureaux", "poste de travail", "desk"],
    ["atelier", "workshop"],
    ["entrepôt", "warehouse", "stockage", "storage", "hangar"],
    ["local", "locaux", "premises", "bâtiment", "building"],
    [
        "école",
        "ancienne école",
        "school",
        "groupe scolaire",
        "former school",
        "empty school",
        "vacant school",
        "disused school",
    ],
    ["vide", "vacant", "vacante", "empty", "inoccupé", "désaffecté", "disused", "unused"],
    ["friche", "brownfield", "site vacant", "friche industrielle"],
    ["médiation numérique", "digital mediation", "inclusion numérique", "digital inclusion"],
    [
        "animation de communauté",
        "community management",
        "animation",
        "facilitation",
        "facilitateur",
        "animateur",
    ],
    ["formation", "training", "atelier d'initiation"],
    ["réemploi", "reuse", "seconde main", "second hand", "récupération"],
    ["réparation", "réparer", "repair"],
    ["porte", "portes", "door", "doors"],
    ["fenêtre", "fenêtres", "window", "windows", "menuiseries extérieures"],
    ["parquet", "plancher", "flooring", "revêtement de sol"],
    ["isolant", "isolation", "insulation", "laine de verre", "laine de roche"],
    ["mobilier", "meubles", "furniture"],
    ["chaise", "chaises", "chair", "chairs"],
    ["lave-linge", "machine à laver", "washing machine"],
    ["réfrigérateur", "frigo", "fridge", "refrigerator"],
    ["écran", "écrans", "screen", "screens", "monitor", "monitors"],
    ["tuile", "tuiles", "roof tile", "roof tiles", "tile", "tiles"],
    ["carrelage", "faïence", "tile", "tiles", "floor tiles"],
    ["brique", "briques", "brick", "bricks"],
    ["palette", "palettes", "pallet", "pallets"],
    ["en bois", "bois", "wooden", "wood", "timber"],
    ["plâtre", "placo", "plaque de plâtre", "plaster", "plasterboard"],
    ["ordinateur", "computer", "pc", "matériel informatique", "laptop", "ordinateur portable"],
    ["vélo", "bike", "bicycle", "cycle"],
    ["outillage", "outils", "tools", "outil"],
    ["coworking", "espace de coworking", "cotravail", "shared office"],
    ["fablab", "fab lab", "makerspace", "atelier de fabrication"],
]


def synonyms() -> dict[str, list[str]]:
    """Meilisearch's synonyms setting: every term maps to the other terms of its group."""
    table: dict[str, list[str]] = {}
    for group in GROUPS:
        for term in group:
            table.setdefault(term, [])
            table[term] += [other for other in group if other != term and other not in table[term]]
    return table
