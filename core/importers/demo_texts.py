"""The French words of the living demo: machine names, rooms, requests and reuse lots.

Written for Entrelieux. The machine classes follow the fablabs.io vocabulary, the object families
ADEME's *Longue vie aux objets* categories (MIT, © ADEME) and the building materials the list of
the arrêté du 19 décembre 2011; the category codes are those of `data/taxonomy.csv`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_VOWELS = "aeiouyhàâéèêëîïôöûüAEIOUYHÀÂÉÈÊËÎÏÔÖÛÜ"


def of(place: str, preposition: str = "de") -> str:
    """ "de Guéret", "d'Angers", "du Mans", "des Herbiers"; with "à": "à Guéret", "au Mans"."""
    place = place.strip()
    articles = {"de": {"Le ": "du ", "Les ": "des "}, "à": {"Le ": "au ", "Les ": "aux "}}
    for article, contracted in articles[preposition].items():
        if place.startswith(article):
            return contracted + place[len(article) :]
    if preposition == "de" and place and place[0] in _VOWELS:
        return f"d'{place}"
    return f"{preposition} {place}"


@dataclass(frozen=True)
class Machine:
    noun: str
    category: str
    tags: tuple[str, ...]
    training: bool
    descriptions: tuple[str, ...]


MACHINES: dict[str, Machine] = {
    "three_d_printer": Machine(
        "Imprimante 3D",
        "three_d_printer",
        ("impression 3d", "imprimante 3d", "3d printer"),
        False,
        (
            "Imprimante 3D du lab, en prêt pour quelques semaines à un lieu voisin ou à "
            "l'usage sur place pendant les créneaux ouverts. Apportez votre bobine de PLA.",
            "Machine d'impression 3D bien réglée, utilisée pour les ateliers du mercredi. "
            "Prêt possible avec une courte prise en main ; filament PLA ou PETG.",
        ),
    ),
    "laser": Machine(
        "Découpeuse laser",
        "laser",
        ("découpe laser", "gravure", "laser cutter"),
        True,
        (
            "Découpe et gravure du bois, du carton et du PMMA. Utilisation sur place après une "
            "formation d'une heure avec un membre du lab ; pas de PVC.",
            "Laser CO2 du lab, à réserver par demi-journée. Formation obligatoire avant la "
            "première utilisation, matériaux à apporter.",
        ),
    ),
    "cnc_milling": Machine(
        "Fraiseuse numérique",
        "cnc_milling",
        ("cnc", "fraisage", "défonceuse numérique"),
        True,
        (
            "Fraiseuse à commande numérique pour le bois et les panneaux : mobilier, signalétique, "
            "pièces de structure. Accompagnement d'un membre du lab pour les premiers usinages.",
        ),
    ),
    "precision_milling": Machine(
        "Fraiseuse de précision",
        "precision_milling",
        ("fraisage", "circuit imprimé", "usinage"),
        True,
        (
            "Petite fraiseuse de précision pour les circuits imprimés, les moules et les pièces "
            "en cire ou en résine. Sur place, avec une prise en main.",
        ),
    ),
    "vinyl_cutting": Machine(
        "Découpeuse vinyle",
        "vinyl_cutting",
        ("découpe vinyle", "flocage", "vinyl cutter"),
        False,
        (
            "Découpe de vinyle adhésif et de flex textile pour la signalétique et les t-shirts. "
            "Prêt possible pour un événement.",
        ),
    ),
    "scanner": Machine(
        "Scanner 3D",
        "scanner",
        ("numérisation 3d", "scanner 3d", "3d scanner"),
        False,
        ("Scanner 3D pour numériser des objets avant de les reproduire ou de les réparer.",),
    ),
}

LAB_REQUEST_TEXTS: dict[str, tuple[str, str]] = {
    "laser": (
        "Recherche découpeuse laser pour un atelier",
        "Nous cherchons un lab voisin qui nous accueille une ou deux demi-journées avec sa "
        "découpeuse laser, ou qui nous la prête avec une formation.",
    ),
    "three_d_printer": (
        "Recherche prêt d'une imprimante 3D",
        "Pour un cycle d'ateliers avec des jeunes, nous cherchons une imprimante 3D à emprunter "
        "pendant un trimestre ; nous fournissons le filament.",
    ),
    "cnc_milling": (
        "Cherche fraiseuse numérique pour du mobilier",
        "Projet de mobilier en contreplaqué pour notre tiers-lieu : nous cherchons une "
        "fraiseuse à commande numérique et quelqu'un pour nous accompagner.",
    ),
    "vinyl_cutting": (
        "Recherche découpeuse vinyle pour la signalétique",
        "Nous refaisons la signalétique du lieu et cherchons une découpeuse vinyle à emprunter "
        "une semaine.",
    ),
}

_BRANDS = {
    "makerbot industries": "MakerBot",
    "makerbot": "MakerBot",
    "shopbot tools, inc": "ShopBot",
    "shopbot": "ShopBot",
    "epilog laser": "Epilog",
    "formlabs": "Formlabs",
    "prusa research": "Prusa",
    "bcn3d technologies": "BCN3D",
    "3d systems": "3D Systems",
    "ebpp3dp": "Up!",
    "roland": "Roland",
    "roland dg": "Roland",
}


def _word(word: str) -> str:
    if any(ch.isdigit() for ch in word):
        return word.upper()
    return word[:1].upper() + word[1:]


def brand_and_model(brand: str, model: str) -> tuple[str, str]:
    """ "makerbot industries", "replicator 2x" → ("MakerBot", "Replicator 2X"); a model that
    starts with its brand ("ultimaker 2") keeps the brand once."""
    brand_text = _BRANDS.get(brand.strip().lower()) or " ".join(
        _word(w) for w in brand.strip().split()
    )
    model = model.strip()
    for prefix in {brand.strip().lower(), brand_text.lower()}:
        if prefix and model.lower().startswith(prefix + " "):
            model = model[len(prefix) :].strip()
    model_text = " ".join(_word(w) for w in model.split())
    return brand_text.strip(), re.sub(r"\s+", " ", model_text).strip()


@dataclass(frozen=True)
class Room:
    slug: str
    title: str
    category: str
    description: str
    tags: tuple[str, ...]
    details: tuple[tuple[str, Any], ...]


COWORKING_OFFERS = (
    Room(
        "salle-reunion",
        "Salle de réunion pour 12 personnes",
        "meeting_room",
        "Salle lumineuse chez {place}, écran et tableau blanc, café compris. À la demi-journée "
        "ou à la journée, pour une réunion, une formation ou un atelier.",
        ("salle de réunion", "formation", "meeting room"),
        (("capacity", 12), ("surface_m2", 30), ("rooms", 1)),
    ),
    Room(
        "postes-coworking",
        "Postes de travail en coworking à la journée",
        "office",
        "Postes en espace partagé chez {place} : fibre, imprimante, cuisine. À la journée, à la "
        "semaine ou au mois, pour les indépendants et les salariés à distance.",
        ("coworking", "poste de travail", "bureau partagé"),
        (("capacity", 8),),
    ),
    Room(
        "bureau-ferme",
        "Bureau fermé de 15 m² à louer au mois",
        "office",
        "Bureau fermé pour deux personnes chez {place}, accès aux espaces communs et à la salle "
        "de réunion. Bail souple, au mois.",
        ("bureau", "location", "office"),
        (("surface_m2", 15), ("capacity", 2), ("rooms", 1)),
    ),
    Room(
        "salle-polyvalente",
        "Salle polyvalente pour ateliers et événements",
        "event_hall",
        "Grande salle de plain-pied chez {place}, chaises et tables pliantes, sono. Pour un "
        "atelier, une conférence, une assemblée générale ou un repas partagé.",
        ("salle polyvalente", "événement", "atelier"),
        (("capacity", 40), ("surface_m2", 80), ("accessible", True)),
    ),
    Room(
        "atelier-partage",
        "Atelier partagé de 60 m²",
        "workshop",
        "Atelier équipé d'établis chez {place}, pour un projet de menuiserie, de réparation ou "
        "de décor ; stockage possible pour la durée du projet.",
        ("atelier", "établi", "workshop"),
        (("surface_m2", 60),),
    ),
)

PREMISES_REQUESTS = (
    (
        "Recherche un local pour ouvrir un atelier partagé",
        "workshop",
        "Notre association cherche 50 à 100 m² pour un atelier de réparation ouvert au public, "
        "en convention d'occupation temporaire si possible.",
    ),
    (
        "Cherche une salle pour une formation de deux jours",
        "meeting_room",
        "Formation de 10 personnes sur deux jours consécutifs : une salle avec un vidéoprojecteur "
        "et un accès pour les personnes à mobilité réduite.",
    ),
    (
        "Recherche un espace de stockage pour du matériel de réemploi",
        "warehouse",
        "Nous cherchons un espace sec et accessible en camionnette pour stocker du mobilier et des "
        "matériaux de réemploi quelques mois.",
    ),
)

SKILL_REQUEST_TEMPLATES = (
    "Cherche une personne pour : {skill}",
    "Recherche quelqu'un sachant : {skill}",
    "Besoin d'aide pour : {skill}",
)


@dataclass(frozen=True)
class Lot:
    slug: str
    category: str
    offer: str
    request: str
    description: str
    unit: str
    quantities: tuple[float, ...]
    condition: str
    tags: tuple[str, ...]
    unit_weight_kg: float | None = None


MATERIAL_LOTS = (
    Lot(
        "chaises",
        "mobilier",
        "{n} chaises de bureau",
        "Recherche des chaises pour notre salle",
        "Chaises issues du renouvellement du mobilier d'une administration, nettoyées et "
        "vérifiées (ADEME C_15, mobilier).",
        "unit",
        (6, 12, 20),
        "GOOD",
        ("mobilier", "chaises", "réemploi"),
        9,
    ),
    Lot(
        "tables",
        "mobilier",
        "{n} tables de réunion",
        "Cherche des tables pour un atelier",
        "Tables de 160 × 80 cm, plateau stratifié, quelques rayures (ADEME C_15, mobilier).",
        "unit",
        (4, 6, 10),
        "USED",
        ("mobilier", "tables", "réemploi"),
        25,
    ),
    Lot(
        "ecrans",
        "informatique",
        "{n} écrans 24 pouces",
        "Recherche des écrans pour un coworking",
        "Écrans de bureautique testés, câbles fournis (ADEME C_04, écrans).",
        "unit",
        (4, 8, 15),
        "USED",
        ("écrans", "informatique", "réemploi"),
        4.5,
    ),
    Lot(
        "ordinateurs",
        "informatique",
        "{n} ordinateurs portables reconditionnés",
        "Recherche des ordinateurs pour des ateliers numériques",
        "Portables effacés et réinstallés sous Linux, chargeurs fournis (ADEME C_05, matériel "
        "informatique).",
        "unit",
        (3, 5, 10),
        "GOOD",
        ("ordinateurs", "informatique"),
        2,
    ),
    Lot(
        "outillage",
        "outillage",
        "Lot d'outillage à main",
        "Recherche des outils pour un atelier de réparation",
        "Marteaux, scies, serre-joints, tournevis : de quoi équiper un atelier de réparation "
        "(ADEME C_13, outillage).",
        "unit",
        (1, 2),
        "USED",
        ("outillage", "bricolage"),
    ),
    Lot(
        "velos",
        "velos",
        "{n} vélos à remettre en état",
        "Recherche des vélos pour un atelier d'autoréparation",
        "Vélos d'adultes collectés en déchèterie, à réviser (ADEME C_26, vélos).",
        "unit",
        (3, 6, 10),
        "TO_REPAIR",
        ("vélos", "réparation"),
        15,
    ),
    Lot(
        "electromenager",
        "electromenager",
        "{n} petits appareils électroménagers testés",
        "Recherche du petit électroménager pour une cuisine partagée",
        "Bouilloires, grille-pain et cafetières testés au repair café (ADEME C_03).",
        "unit",
        (5, 10),
        "GOOD",
        ("électroménager", "cuisine"),
    ),
    Lot(
        "textile",
        "textile",
        "{n} kg de chutes de tissu",
        "Recherche des tissus pour un atelier couture",
        "Chutes de coton, de lin et de toile d'ameublement, triées par couleur (ADEME C_19, "
        "linge de maison).",
        "kg",
        (10, 25, 40),
        "GOOD",
        ("tissu", "couture", "textile"),
    ),
    Lot(
        "portes",
        "menuiseries",
        "{n} portes intérieures isoplanes",
        "Recherche des portes de réemploi",
        "Portes 83 × 204 cm issues d'une déconstruction, quincaillerie en place (arrêté de 2011 : "
        "DND, bois).",
        "unit",
        (10, 20, 30),
        "GOOD",
        ("portes", "menuiserie", "réemploi"),
        12,
    ),
    Lot(
        "fenetres",
        "menuiseries",
        "{n} fenêtres double vitrage en bois",
        "Recherche des fenêtres en bois",
        "Fenêtres déposées avec soin lors d'une rénovation, vitrage intact (arrêté de 2011 : DND, "
        "fenêtres et ouvertures vitrées).",
        "unit",
        (4, 8, 12),
        "USED",
        ("fenêtres", "menuiserie", "réemploi"),
        30,
    ),
    Lot(
        "briques",
        "beton_briques_tuiles",
        "{n} briques pleines de réemploi",
        "Recherche des briques de réemploi",
        "Briques pleines anciennes, nettoyées, sur palettes (arrêté de 2011 : DI, tuiles et "
        "briques).",
        "unit",
        (300, 500, 1000),
        "GOOD",
        ("briques", "réemploi", "maçonnerie"),
        2.5,
    ),
    Lot(
        "tuiles",
        "beton_briques_tuiles",
        "{n} tuiles mécaniques",
        "Recherche des tuiles pour une dépendance",
        "Tuiles mécaniques déposées d'une toiture, triées (arrêté de 2011 : DI, tuiles et "
        "briques).",
        "unit",
        (200, 400),
        "USED",
        ("tuiles", "toiture", "réemploi"),
        3,
    ),
    Lot(
        "bois",
        "bois",
        "{n} m² de panneaux de contreplaqué",
        "Recherche du contreplaqué pour du mobilier",
        "Panneaux de contreplaqué non traités, chutes de chantier de bonne taille (arrêté de "
        "2011 : DND, bois non traités).",
        "m2",
        (10, 20, 40),
        "GOOD",
        ("bois", "contreplaqué", "réemploi"),
        8,
    ),
    Lot(
        "palettes",
        "bois",
        "{n} palettes en bois",
        "Recherche des palettes pour un chantier participatif",
        "Palettes de manutention non traitées (marquage HT), pour du mobilier ou du bardage "
        "(arrêté de 2011 : DND, bois).",
        "unit",
        (10, 25, 50),
        "USED",
        ("palettes", "bois"),
        20,
    ),
    Lot(
        "isolants",
        "isolants",
        "{n} m² de laine de roche",
        "Recherche de l'isolant pour un local associatif",
        "Panneaux de laine de roche en surplus de chantier, emballés (arrêté de 2011 : DND, "
        "laines minérales).",
        "m2",
        (20, 50),
        "NEW",
        ("isolant", "laine de roche"),
    ),
    Lot(
        "parquet",
        "revetements_sol",
        "{n} m² de parquet chêne",
        "Recherche du parquet de réemploi",
        "Lames de parquet massif déposées avec soin, à poncer (arrêté de 2011 : DND, "
        "revêtements de sols).",
        "m2",
        (15, 30),
        "USED",
        ("parquet", "sol", "réemploi"),
    ),
)


def quantity_words(quantity: float, unit: str) -> str:
    """ "300", "25 kg", "20 m²": a quantity as a sentence says it."""
    written = f"{quantity:g}"
    return {"unit": written, "kg": f"{written} kg", "m2": f"{written} m²"}.get(unit, written)
