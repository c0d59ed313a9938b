"""What the seeded listings say: titles, categories, tags and details of each kind, in French.

Drawn from what tiers-lieux actually exchange (the machines of a fablab, a commune's vacant
building, a facilitator's skills, a ressourcerie's materials), so row sizes and text look real.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from core.models import ListingKind, Terms


@dataclass(frozen=True)
class Item:
    """One thing that can be offered or asked for."""

    title: str
    category: str
    tags: tuple[str, ...]


EQUIPMENT = [
    Item("Découpeuse laser Epilog Legend 36EXT", "fabrication/decoupe-laser", ("laser", "bois")),
    Item("Découpeuse laser Trotec Speedy 300", "fabrication/decoupe-laser", ("laser", "acrylique")),
    Item("Imprimante 3D Prusa MK4", "fabrication/impression-3d", ("impression 3d", "pla")),
    Item("Imprimante 3D Ultimaker S5", "fabrication/impression-3d", ("impression 3d",)),
    Item("Imprimante résine Formlabs Form 3", "fabrication/impression-3d", ("résine",)),
    Item("Fraiseuse CNC Shaper Origin", "fabrication/cnc", ("cnc", "bois")),
    Item("Fraiseuse numérique grand format 2500×1250", "fabrication/cnc", ("cnc", "menuiserie")),
    Item("Brodeuse numérique Brother PR1055X", "textile/broderie", ("broderie", "textile")),
    Item("Machine à coudre industrielle Juki", "textile/couture", ("couture", "textile")),
    Item("Plotter de découpe Silhouette Cameo", "fabrication/vinyle", ("vinyle", "flocage")),
    Item("Thermoformeuse Mayku FormBox", "fabrication/moulage", ("moulage", "plastique")),
    Item("Scie à onglet radiale Makita", "outillage/bois", ("menuiserie", "bois")),
    Item("Scie sur table Festool", "outillage/bois", ("menuiserie",)),
    Item("Poste à souder MIG Lincoln", "outillage/metal", ("soudure", "métal")),
    Item("Presse à chaud pour textile", "textile/flocage", ("flocage", "t-shirt")),
    Item("Vidéoprojecteur Epson 4000 lumens", "audiovisuel/projection", ("vidéo", "réunion")),
    Item("Kit de captation vidéo (2 caméras, micros HF)", "audiovisuel/captation", ("vidéo",)),
    Item("Sonorisation portable 2×500 W", "audiovisuel/son", ("son", "événement")),
    Item("Casques de réalité virtuelle Meta Quest 3 (×6)", "numerique/realite-virtuelle", ("vr",)),
    Item("Valise de 12 ordinateurs portables", "numerique/mediation", ("ordinateurs",)),
    Item("Tables pliantes et chaises pour 80 personnes", "evenementiel/mobilier", ("mobilier",)),
    Item("Barnum 6×3 m", "evenementiel/structure", ("extérieur", "événement")),
    Item("Vélo-cargo électrique", "mobilite/velo", ("vélo", "livraison")),
    Item("Utilitaire 12 m³", "mobilite/vehicule", ("déménagement", "transport")),
]

PREMISES = [
    Item("Ancienne école, 240 m², rez-de-chaussée accessible PMR", "locaux/batiment", ("école",)),
    Item("Salle de réunion 12 places avec écran", "locaux/salle", ("réunion",)),
    Item("Local commercial vacant en centre-bourg", "locaux/commerce", ("centre-bourg",)),
    Item("Atelier de 80 m² avec monte-charge", "locaux/atelier", ("atelier",)),
    Item("Bureaux partagés à la journée", "locaux/coworking", ("coworking", "bureau")),
    Item("Ancienne gare, 300 m² sur deux niveaux", "locaux/batiment", ("gare", "patrimoine")),
    Item("Presbytère à réhabiliter", "locaux/batiment", ("patrimoine", "travaux")),
    Item("Grange de 400 m² en zone rurale", "locaux/batiment", ("rural", "grange")),
    Item("Salle polyvalente 150 personnes", "locaux/salle", ("événement",)),
    Item("Cuisine professionnelle partagée", "locaux/cuisine", ("cuisine", "alimentation")),
    Item("Friche industrielle, 1 200 m²", "locaux/friche", ("friche", "urbanisme transitoire")),
    Item("Studio d'enregistrement insonorisé", "locaux/studio", ("son", "musique")),
    Item("Parcelle de jardin partagé", "locaux/exterieur", ("jardin",)),
]

SKILL = [
    Item("Animation de communauté", "competences/animation", ("animation", "communauté")),
    Item("Médiation numérique pour seniors", "competences/mediation", ("médiation numérique",)),
    Item("Formation à la découpe laser", "competences/formation", ("laser", "formation")),
    Item("Initiation à la menuiserie", "competences/formation", ("menuiserie", "bois")),
    Item(
        "Accompagnement au montage de projet de tiers-lieu", "competences/ingenierie", ("projet",)
    ),
    Item("Comptabilité associative", "competences/gestion", ("comptabilité", "association")),
    Item("Facilitation graphique", "competences/animation", ("facilitation",)),
    Item("Réparation de vélos", "competences/reparation", ("vélo", "réparation")),
    Item(
        "Atelier de réparation d'appareils électriques", "competences/reparation", ("repair café",)
    ),
    Item("Réponse aux appels à projets européens", "competences/ingenierie", ("financement",)),
    Item("Conception de mobilier en bois de réemploi", "competences/design", ("réemploi",)),
    Item("Programmation Arduino et électronique", "competences/formation", ("électronique",)),
    Item("Couture et retouche", "competences/textile", ("couture",)),
]

MATERIAL = [
    Item("Portes isoplanes 83×204, bon état", "materiaux/menuiserie", ("réemploi", "portes")),
    Item("Chutes de contreplaqué bouleau 15 mm", "materiaux/bois", ("bois", "chutes")),
    Item("Palettes Europe", "materiaux/bois", ("palettes",)),
    Item("Dalles de moquette 50×50", "materiaux/revetement", ("moquette",)),
    Item("Chaises de bureau", "materiaux/mobilier", ("mobilier",)),
    Item("Tasseaux sapin 27×40", "materiaux/bois", ("bois",)),
    Item("Plaques de plâtre BA13", "materiaux/second-oeuvre", ("placo", "chantier")),
    Item("Tuiles mécaniques de déconstruction", "materiaux/couverture", ("tuiles",)),
    Item("Chutes de tissu d'ameublement", "materiaux/textile", ("tissu",)),
    Item("Radiateurs en fonte", "materiaux/chauffage", ("radiateurs",)),
    Item("Luminaires LED de bureau", "materiaux/electricite", ("éclairage",)),
    Item("Bobines de filament PLA entamées", "materiaux/impression-3d", ("pla",)),
    Item("Parquet chêne massif déposé", "materiaux/revetement", ("parquet", "chêne")),
]

# The items' own codes, grouped finer than the app's taxonomy (data/taxonomy.csv): each maps to
# the taxonomy code a listing gets, so its search document carries the category's FR/EN labels
# as a published listing's would (the app refuses codes outside the taxonomy).
TAXONOMY = {
    "audiovisuel/captation": "it_equipment",
    "audiovisuel/projection": "it_equipment",
    "audiovisuel/son": "it_equipment",
    "evenementiel/mobilier": "other_machine",
    "evenementiel/structure": "other_machine",
    "fabrication/cnc": "cnc_milling",
    "fabrication/decoupe-laser": "laser",
    "fabrication/impression-3d": "three_d_printer",
    "fabrication/moulage": "other_machine",
    "fabrication/vinyle": "vinyl_cutting",
    "mobilite/vehicule": "other_machine",
    "mobilite/velo": "other_machine",
    "numerique/mediation": "it_equipment",
    "numerique/realite-virtuelle": "it_equipment",
    "outillage/bois": "woodworking",
    "outillage/metal": "tools",
    "textile/broderie": "sewing",
    "textile/couture": "sewing",
    "textile/flocage": "other_machine",
    "locaux/atelier": "workshop",
    "locaux/batiment": "public_building",
    "locaux/commerce": "shop",
    "locaux/coworking": "office",
    "locaux/cuisine": "workshop",
    "locaux/exterieur": "land",
    "locaux/friche": "industrial_site",
    "locaux/salle": "meeting_room",
    "locaux/studio": "workshop",
    "competences/animation": "animation_facilitation",
    "competences/design": "bois_menuiserie",
    "competences/formation": "fabrication_numerique",
    "competences/gestion": "gestion_lieu_projet",
    "competences/ingenierie": "gestion_lieu_projet",
    "competences/mediation": "mediation_numerique",
    "competences/reparation": "reparation_reemploi",
    "competences/textile": "textile_couture",
    "materiaux/bois": "bois",
    "materiaux/chauffage": "metaux",
    "materiaux/couverture": "beton_briques_tuiles",
    "materiaux/electricite": "electromenager",
    "materiaux/impression-3d": "outillage",
    "materiaux/menuiserie": "menuiseries",
    "materiaux/mobilier": "mobilier",
    "materiaux/revetement": "revetements_sol",
    "materiaux/second-oeuvre": "platre",
    "materiaux/textile": "textile",
}

ITEMS: dict[ListingKind, list[Item]] = {
    ListingKind.EQUIPMENT: EQUIPMENT,
    ListingKind.PREMISES: PREMISES,
    ListingKind.SKILL: SKILL,
    ListingKind.MATERIAL: MATERIAL,
}

# Equipment and materials dominate what places actually exchange; premises are scarcer.
KIND_WEIGHTS = {
    ListingKind.EQUIPMENT: 40,
    ListingKind.MATERIAL: 30,
    ListingKind.SKILL: 20,
    ListingKind.PREMISES: 10,
}

TERMS: dict[ListingKind, list[Terms]] = {
    ListingKind.EQUIPMENT: [Terms.LOAN, Terms.RENT, Terms.EXCHANGE],
    ListingKind.PREMISES: [Terms.TEMPORARY_OCCUPATION, Terms.RENT, Terms.LOAN],
    ListingKind.SKILL: [Terms.EXCHANGE, Terms.RENT, Terms.DONATION],
    ListingKind.MATERIAL: [Terms.DONATION, Terms.EXCHANGE, Terms.RENT],
}

REQUEST_PREFIX = ["Recherche", "Besoin :", "Cherche", "À emprunter :"]
BRANDS = ["Epilog", "Trotec", "Prusa", "Ultimaker", "Makita", "Festool", "Brother", "Epson"]
UNITS = ["unit", "m²", "kg", "ml", "palette"]
WHEN = ["dès mars", "pour l'été", "le week-end", "en semaine", "à partir de septembre"]


def listing_text(
    rng: random.Random, kind: ListingKind, offer: bool, where: str
) -> tuple[Item, str, str]:
    """(item, title, description) for one listing located at `where` (a commune's name)."""
    item = rng.choice(ITEMS[kind])
    what = (
        item.title
        if offer
        else f"{rng.choice(REQUEST_PREFIX)} {item.title[0].lower()}{item.title[1:]}"
    )
    title = f"{what} — {where}"
    verb = "Disponible" if offer else "Nous cherchons"
    description = (
        f"{verb} {rng.choice(WHEN)} à {where}. {item.title}. "
        "Contactez-nous par la plateforme pour convenir des modalités."
    )
    return item, title[:200], description


def details(rng: random.Random, kind: ListingKind, where: str) -> dict[str, Any]:
    """Typed details valid for `kind` (see core/services/listing_details.py)."""
    if kind is ListingKind.EQUIPMENT:
        return {
            "brand": rng.choice(BRANDS),
            "machine_class": rng.choice(["laser", "3d", "cnc", "textile", "audiovisuel"]),
            "training_required": rng.random() < 0.5,
            "quantity": rng.choice([1, 1, 1, 2, 4]),
        }
    if kind is ListingKind.PREMISES:
        return {
            "surface_m2": float(rng.randrange(15, 1200, 5)),
            "capacity": rng.randrange(4, 200),
            "accessible": rng.random() < 0.6,
            "erp_category": rng.choice([3, 4, 5, 5]),
            "rooms": rng.randrange(1, 12),
        }
    if kind is ListingKind.SKILL:
        return {
            "level": rng.choice(["BEGINNER", "INTERMEDIATE", "EXPERT"]),
            "format": rng.choice(["ON_SITE", "REMOTE", "HYBRID"]),
            "hours": float(rng.choice([2, 4, 7, 14, 21])),
        }
    return {
        "quantity": float(rng.randrange(1, 200)),
        "unit": rng.choice(UNITS),
        "condition": rng.choice(["NEW", "GOOD", "USED", "TO_REPAIR"]),
        "pickup": f"À enlever à {where}",
    }
