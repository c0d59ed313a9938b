"""The v2 queries as written, by class of need, each with its target fact predicate.

Data, not logic: `label_queries_v2.py` turns these into `queries_v2.jsonl` with their labels.
A target names facts of the SOURCE records (see `build_corpus.py`), never words of the query.
Radius, dates and kind/direction queries are crossed from short lists and kept only when their
target has at least one row inside the filters (`need_relevant`), judged on facts too.
"""

from __future__ import annotations

from typing import Any

Spec = dict[str, Any]

OBJECT_GROUPS = [
    "Electroménager",
    "Image & son & Informatique",
    "Livres & Multimedia",
    "Equipements de loisir",
    "Bricolage / Jardinage",
    "Mobilier et décoration",
    "Vêtements & Accessoires",
    "Produits divers",
    "Bijou, montre, horlogerie",
]
WOOD = ["Bois - non traités", "Bois - faiblement adjuvantés"]
INSULATION = [
    "Isolants - laines minérales",
    "Isolants - plastiques alvéolaires (PSE, XPS, PU)",
    "Isolants - autres",
]
DIGITAL_FAB = [
    "laser",
    "three_d_printer",
    "cnc_milling",
    "precision_milling",
    "vinyl_cutting",
    "scanner",
]


def eq(*classes: str) -> Spec:
    return {"kind": "EQUIPMENT", "facts": {"machine_class": list(classes)}}


def brand(name: str) -> Spec:
    return {"kind": "EQUIPMENT", "facts": {"brand": name}}


def premises(*categories: str) -> Spec:
    return {"kind": "PREMISES", "category": list(categories)}


def site(*types: str) -> Spec:
    return {"kind": "PREMISES", "facts": {"site_type": list(types)}}


def skill(*domains: str) -> Spec:
    return {"kind": "SKILL", "facts": {"domain": list(domains)}}


def ademe(*codes: str) -> Spec:
    return {"kind": "MATERIAL", "facts": {"ademe": list(codes)}}


def group(*names: str) -> Spec:
    return {"kind": "MATERIAL", "facts": {"ademe_group": list(names)}}


def material(*labels: str) -> Spec:
    return {"kind": "MATERIAL", "facts": {"material": list(labels)}}


def family(*names: str) -> Spec:
    return {"kind": "MATERIAL", "facts": {"family": list(names)}}


def item(*names: str) -> Spec:
    return {"kind": "MATERIAL", "facts": {"item": list(names)}}


def either(*targets: Spec) -> Spec:
    return {"any": list(targets)}


# Words that name a trade and the things it uses: both answer them.
SEWING_ALL = either(skill("textile_couture"), eq("sewing"))
ELECTRONICS_ALL = either(skill("electronique"), ademe("C_09"), eq("circuit_production"))
WOOD_ALL = either(material(*WOOD), skill("bois_menuiserie"))
FURNITURE = ademe("C_15", "C_14")

# Things, by the name a French user types, then in English, then misspelt as people type them.
# (text, target, note); the same targets across the three classes.
SEWING_NOTE = "fablabs.io files embroidery and sewing machines together; both sew"
EXACT_FR: list[tuple[str, Spec, str]] = [
    ("découpeuse laser", eq("laser"), "the fablabs.io class 'laser' (cutters and engravers)"),
    ("graveuse laser", eq("laser"), "same class: labs use one machine for both"),
    ("imprimante 3D", eq("three_d_printer"), ""),
    ("fraiseuse numérique", eq("cnc_milling", "precision_milling"), "both milling classes"),
    ("défonceuse numérique", eq("cnc_milling", "precision_milling"), ""),
    ("plotter de découpe", eq("vinyl_cutting"), ""),
    ("découpeuse vinyle", eq("vinyl_cutting"), ""),
    ("scanner 3D", eq("scanner"), "the class includes a laser measuring arm, as filed"),
    ("machine à coudre", eq("sewing"), SEWING_NOTE),
    ("Ultimaker", brand("ultimaker"), ""),
    ("Trotec", brand("trotec"), ""),
    ("Formlabs", brand("formlabs"), ""),
    ("ShopBot", brand("shopbot"), ""),
    ("Roland", brand("roland"), ""),
    ("Silhouette", brand("silhouette"), "a brand of vinyl cutters"),
    ("Epilog", brand("epilog"), ""),
    ("MakerBot", brand("makerbot"), ""),
    ("Creality", brand("creality"), ""),
    ("salle de réunion", premises("meeting_room"), "includes training rooms filed as such"),
    ("bureau partagé", premises("office"), ""),
    ("atelier partagé", premises("workshop"), ""),
    ("salle pour événements", premises("event_hall"), ""),
    ("ancienne école", premises("school"), ""),
    ("entrepôt", premises("warehouse"), "includes railway halls (Cartofriches 'gare', 'fret')"),
    ("local commercial", premises("shop"), ""),
    ("logements vacants", premises("housing"), ""),
    ("terrain", premises("land"), ""),
    ("couture", SEWING_ALL, "sewing skills and sewing machines"),
    ("soudure", skill("metal_soudure"), ""),
    ("menuiserie", skill("bois_menuiserie"), ""),
    ("électronique", ELECTRONICS_ALL, "the trade, its components, its machines"),
    ("réparation", skill("reparation_reemploi"), ""),
    ("prototypage", skill("fabrication_numerique"), ""),
    ("électroménager", group("Electroménager"), ""),
    ("vélos", ademe("C_26"), ""),
    ("livres", ademe("C_11"), ""),
    ("vaisselle", ademe("C_18"), ""),
    ("luminaires", ademe("C_17"), ""),
    ("jouets", ademe("C_21"), ""),
    ("chaussures", ademe("C_24"), ""),
    ("vêtements", ademe("C_22"), ""),
    ("outillage", ademe("C_13"), ""),
    ("instruments de musique", ademe("C_12"), ""),
    ("matériel médical", ademe("C_28"), ""),
    ("linge de maison", ademe("C_19"), ""),
    ("puériculture", ademe("C_20"), ""),
    ("céramique", material("Céramique (carrelage, faïence et sanitaires)"), "the 2011 class"),
    ("plaques de plâtre", material("Plâtre - plaques et carreaux"), ""),
    ("isolant", material(*INSULATION), "the three insulation classes of 2011"),
    ("fenêtres", material("Fenêtres et autres ouvertures vitrées"), ""),
    ("métaux", material("Métaux"), "metal to reuse (2011), not a lathe for metal"),
    ("revêtements de sol", material("Revêtements de sols"), ""),
    ("verre", material("Verre sans menuiserie"), ""),
    ("tuiles", item("tuile"), ""),
    ("palettes", item("palette"), ""),
    ("poutres", item("poutre"), ""),
    ("planches", item("planche"), ""),
    ("chaises", item("chaise"), "not high chairs for babies (item chaise_haute)"),
    ("armoires", item("armoire"), ""),
    (
        "chaises de bureau",
        {
            **family("mobilier_de_bureau"),
            "facts": {"family": "mobilier_de_bureau", "item": "chaise"},
        },
        "office chairs: the five identical 'Lot de 20 chaises' are chairs, not office chairs",
    ),
    ("ordinateurs", item("ordinateur"), ""),
    ("réfrigérateur", item("refrigerateur"), ""),
]
ENGLISH: list[tuple[str, Spec, str]] = [
    ("laser cutter", eq("laser"), ""),
    ("laser engraver", eq("laser"), ""),
    ("3D printer", eq("three_d_printer"), ""),
    ("CNC router", eq("cnc_milling", "precision_milling"), ""),
    ("milling machine", eq("cnc_milling", "precision_milling"), ""),
    ("vinyl cutter", eq("vinyl_cutting"), ""),
    ("3D scanner", eq("scanner"), ""),
    ("sewing machine", eq("sewing"), SEWING_NOTE),
    ("meeting room", premises("meeting_room"), ""),
    ("shared office", premises("office"), ""),
    ("coworking desk", premises("office"), ""),
    ("shared workshop", premises("workshop"), ""),
    ("event venue", premises("event_hall"), ""),
    ("former school", premises("school"), ""),
    ("warehouse", premises("warehouse"), ""),
    ("vacant shop", premises("shop"), ""),
    ("empty housing", premises("housing"), ""),
    ("land plot", premises("land"), ""),
    ("sewing", SEWING_ALL, "sewing skills and sewing machines"),
    ("welding", skill("metal_soudure"), ""),
    ("woodworking", skill("bois_menuiserie"), ""),
    ("electronics", ELECTRONICS_ALL, ""),
    ("repair", skill("reparation_reemploi"), ""),
    ("prototyping", skill("fabrication_numerique"), ""),
    ("digital inclusion", skill("mediation_numerique"), ""),
    ("household appliances", group("Electroménager"), ""),
    ("bikes", ademe("C_26"), ""),
    ("books", ademe("C_11"), ""),
    ("dishes", ademe("C_18"), ""),
    ("lamps", ademe("C_17"), ""),
    ("toys", ademe("C_21"), ""),
    ("shoes", ademe("C_24"), ""),
    ("clothes", ademe("C_22"), ""),
    ("tools", ademe("C_13"), "materials: the ADEME tools category"),
    ("musical instruments", ademe("C_12"), ""),
    ("medical equipment", ademe("C_28"), ""),
    ("bed linen", ademe("C_19"), ""),
    ("ceramics", material("Céramique (carrelage, faïence et sanitaires)"), ""),
    ("plasterboard", material("Plâtre - plaques et carreaux"), ""),
    ("insulation", material(*INSULATION), ""),
    ("windows", material("Fenêtres et autres ouvertures vitrées"), ""),
    ("scrap metal", material("Métaux"), ""),
    ("flooring", material("Revêtements de sols"), ""),
    ("glass", material("Verre sans menuiserie"), ""),
    ("roof tiles", item("tuile"), ""),
    ("pallets", item("palette"), ""),
    ("beams", item("poutre"), ""),
    ("planks", item("planche"), ""),
    ("chairs", item("chaise"), ""),
    (
        "office chairs",
        {"kind": "MATERIAL", "facts": {"family": "mobilier_de_bureau", "item": "chaise"}},
        "as 'chaises de bureau'",
    ),
    ("cabinets", item("armoire"), ""),
    ("computers", item("ordinateur"), ""),
    ("fridge", item("refrigerateur"), ""),
    ("office furniture", family("mobilier_de_bureau"), ""),
    ("reclaimed wood", material(*WOOD), ""),
    ("community management", skill("animation_facilitation"), "the subset's domain, broad"),
]
TYPO: list[tuple[str, Spec, str]] = [
    ("decoupeuse lazer", eq("laser"), "z for s, no accent"),
    ("découpeuse lasere", eq("laser"), ""),
    ("graveuze laser", eq("laser"), "z for s"),
    ("imprimente 3D", eq("three_d_printer"), "en for an"),
    ("inprimante 3d", eq("three_d_printer"), "n before p"),
    ("fraizeuse numerique", eq("cnc_milling", "precision_milling"), "z for s, no accent"),
    ("fraiseuse numérik", eq("cnc_milling", "precision_milling"), "k for que"),
    ("défonseuse numérique", eq("cnc_milling", "precision_milling"), "s for c"),
    ("ploteur de découpe", eq("vinyl_cutting"), "single t, eur for er"),
    ("découpeuse vynile", eq("vinyl_cutting"), "y/i swapped"),
    ("scaner 3D", eq("scanner"), "single n"),
    ("machine a coudre", eq("sewing"), "no accent"),
    ("machinne à coudre", eq("sewing"), "double n"),
    ("ultimaquer", brand("ultimaker"), "qu for k"),
    ("trautec", brand("trotec"), "au for o"),
    ("formlab", brand("formlabs"), ""),
    ("shop bot", brand("shopbot"), ""),
    ("epilogue", brand("epilog"), "the French word"),
    ("makerbote", brand("makerbot"), ""),
    ("sale de réunion", premises("meeting_room"), "single l"),
    ("salle de reunions", premises("meeting_room"), "no accent, plural"),
    ("bureau partajé", premises("office"), "j for g"),
    ("atelié partagé", premises("workshop"), "é for er"),
    ("salle pour évènements", premises("event_hall"), "è: the older spelling"),
    ("anciene école", premises("school"), "single n"),
    ("ancienne ecolle", premises("school"), "no accent, double l"),
    ("entrepos", premises("warehouse"), "s for t, no accent"),
    ("locale commerciale", premises("shop"), "feminine"),
    ("logement vaccant", premises("housing"), "double c"),
    ("terin", premises("land"), "single r, in for ain"),
    ("couturre", SEWING_ALL, "double r"),
    ("soudur", skill("metal_soudure"), "no final e"),
    ("menuiserri", skill("bois_menuiserie"), "double r, i for ie"),
    ("menuserie", skill("bois_menuiserie"), "missing i"),
    ("électronik", ELECTRONICS_ALL, "k for que"),
    ("réparassion", skill("reparation_reemploi"), "ss for t"),
    ("prototipage", skill("fabrication_numerique"), "i for y"),
    ("électroménagé", group("Electroménager"), "é for er"),
    ("electromenagers", group("Electroménager"), "no accents, plural"),
    ("vélau", ademe("C_26"), "au for o"),
    ("vaiselle", ademe("C_18"), "single s"),
    ("luminère", ademe("C_17"), "è for ai"),
    ("jouai", ademe("C_21"), "ai for et"),
    ("chossures", ademe("C_24"), "o for au"),
    ("vètements", ademe("C_22"), "è for ê"),
    ("outillaje", ademe("C_13"), "j for g"),
    ("outiyage", ademe("C_13"), "y for ill"),
    ("instrumants de musique", ademe("C_12"), "an for en"),
    ("instruments de musike", ademe("C_12"), "k for qu"),
    ("materiel medical", ademe("C_28"), "no accents"),
    ("plaque de platre", material("Plâtre - plaques et carreaux"), "no accent, singular"),
    ("isolans", material(*INSULATION), "missing t"),
    ("fenètres", material("Fenêtres et autres ouvertures vitrées"), "è for ê"),
    ("fennêtre", material("Fenêtres et autres ouvertures vitrées"), "double n"),
    ("métaus", material("Métaux"), "s for x"),
    ("tuilles", item("tuile"), "double l"),
    ("palètes", item("palette"), "è for e, single t"),
    ("poutre", item("poutre"), "singular"),
    ("planche", item("planche"), "singular"),
    ("chèzes", item("chaise"), "è for ai, z for s"),
    ("armoir", item("armoire"), "missing e"),
    ("ordinnateur", item("ordinateur"), "double n"),
    ("ordinateure", item("ordinateur"), "extra e"),
    ("réfrigérateure", item("refrigerateur"), "extra e"),
    ("frigaux", item("refrigerateur"), "aux for o"),
    ("mobilié de bureau", family("mobilier_de_bureau"), "é for er"),
    ("bois de récup", material(*WOOD), "how people shorten it"),
    ("médiassion numérique", skill("mediation_numerique"), "ss for t"),
    ("mediation numerique", skill("mediation_numerique"), "no accents"),
    ("annimation de communauté", skill("animation_facilitation"), "double n"),
    (
        "inprimante 3D résine",
        {"kind": "EQUIPMENT", "facts": {"brand": ["formlabs", "asiga", "stratasys"]}},
        "n before p; resin printers are these brands' (as build_corpus.py words them)",
    ),
]
CONCEPT: list[tuple[str, Spec, str]] = [
    ("médiation numérique", skill("mediation_numerique"), "not mediation in conflicts"),
    ("inclusion numérique", skill("mediation_numerique"), ""),
    ("accompagnement au numérique", skill("mediation_numerique"), ""),
    ("médiation sociale", skill("mediation_sociale"), "the full-ROME mediation skills"),
    ("médiation familiale", skill("mediation_sociale"), "all are conflict/social mediation"),
    ("gestion des conflits", skill("mediation_sociale"), ""),
    ("découpe laser", eq("laser"), ""),
    ("gravure laser", eq("laser"), ""),
    ("impression 3D", eq("three_d_printer"), ""),
    ("fabrication additive", eq("three_d_printer"), ""),
    ("usinage numérique", eq("cnc_milling", "precision_milling"), ""),
    ("numérisation 3D", eq("scanner"), ""),
    ("broderie numérique", eq("sewing"), SEWING_NOTE),
    ("animation de communauté", skill("animation_facilitation"), "the subset's domain, broad"),
    ("animation d'ateliers", skill("animation_facilitation"), ""),
    ("intelligence collective", skill("animation_facilitation"), ""),
    ("facilitation", skill("animation_facilitation"), ""),
    (
        "tiers-lieu",
        {"kind": "PREMISES", "facts": {"place_type": ["coworking", "fablab", "telecentre"]}},
        "a space in a tiers-lieu: rooms offered or sought by the places of the census",
    ),
    ("espace de coworking", premises("office"), ""),
    (
        "ressourcerie",
        {"kind": "MATERIAL", "direction": "OFFER", "facts": {"ademe_group": OBJECT_GROUPS}},
        "second-hand objects on offer (ADEME categories), not building materials",
    ),
    (
        "recyclerie",
        {"kind": "MATERIAL", "direction": "OFFER", "facts": {"ademe_group": OBJECT_GROUPS}},
        "as ressourcerie",
    ),
    (
        "matériauthèque",
        {"kind": "MATERIAL", "direction": "OFFER", "facts": {"material_class": ["DI", "DND"]}},
        "building materials on offer (2011 order)",
    ),
    ("repair café", skill("reparation_reemploi"), ""),
    (
        "occupation temporaire",
        {"kind": "PREMISES", "facts": {"site_status": "friche sans projet"}},
        "",
    ),
    ("outilthèque", ademe("C_13"), "lending tools: the ADEME tools category"),
    ("réemploi de matériaux", {"kind": "MATERIAL", "facts": {"material_class": ["DI", "DND"]}}, ""),
    ("upcycling textile", ademe("C_19", "C_22", "C_23"), "textile objects to transform"),
    ("fabrication numérique", skill("fabrication_numerique"), "the skill domain"),
    ("travail du bois", skill("bois_menuiserie"), ""),
    ("reconditionnement informatique", ademe("C_04", "C_05", "C_07"), ""),
]
CATEGORY: list[tuple[str, Spec, str]] = [
    ("mobilier de bureau", family("mobilier_de_bureau"), "desks, chairs, cabinets, tables"),
    ("meubles de bureau", family("mobilier_de_bureau"), ""),
    ("mobilier de réemploi", ademe("C_15"), "ADEME 'Mobilier'"),
    ("mobilier et décoration", group("Mobilier et décoration"), ""),
    ("bois de récupération", material(*WOOD), "every material here is second-hand"),
    ("bois de réemploi", material(*WOOD), ""),
    ("bois de déconstruction", material(*WOOD), ""),
    ("bois massif", family("bois_massif"), "planks, beams, pallets, rafters"),
    ("couverture", family("couverture"), "roof tiles and ridge tiles"),
    ("matériaux de couverture", family("couverture"), ""),
    ("toiture", family("couverture"), ""),
    ("gros électroménager", ademe("C_01", "C_02"), ""),
    ("petit électroménager", ademe("C_03"), ""),
    ("matériel informatique", ademe("C_05"), "ADEME 'Matériel informatique'"),
    ("informatique de réemploi", ademe("C_05"), ""),
    ("image et son", group("Image & son & Informatique"), ""),
    ("équipements de loisir", group("Equipements de loisir"), ""),
    ("vêtements et accessoires", group("Vêtements & Accessoires"), ""),
    ("livres et multimédia", group("Livres & Multimedia"), ""),
    ("bricolage et jardinage", group("Bricolage / Jardinage"), ""),
    ("matériaux inertes", {"kind": "MATERIAL", "facts": {"material_class": "DI"}}, "2011: DI"),
    ("déchets non dangereux", {"kind": "MATERIAL", "facts": {"material_class": "DND"}}, ""),
    ("isolants", material(*INSULATION), ""),
    ("menuiseries", material("Fenêtres et autres ouvertures vitrées"), ""),
    ("plâtre", material("Plâtre - plaques et carreaux"), ""),
    ("béton et pierre", material("Béton et pierre"), ""),
    ("tuiles et briques", material("Tuiles et briques"), ""),
    ("friche industrielle", site("friche industrielle", "agro-industrielle"), "Cartofriches type"),
    ("friche d'habitat", site("friche d'habitat"), ""),
    ("friche commerciale", site("friche commerciale"), ""),
    ("friche hospitalière", site("friche hospitalière"), ""),
    ("friche militaire", site("friche militaire"), ""),
    ("friche ferroviaire", site("friche ferroviaire"), ""),
    ("friche d'équipement public", site("friche d'équipement public"), ""),
    ("machines de fabrication numérique", eq(*DIGITAL_FAB), ""),
    ("machines à commande numérique", eq("cnc_milling", "precision_milling"), ""),
    ("métiers du textile", skill("textile_couture"), ""),
    ("travail du métal", skill("metal_soudure"), ""),
    ("métiers du bois", skill("bois_menuiserie"), ""),
    ("réparation et réemploi", skill("reparation_reemploi"), ""),
    ("gestion de lieu", skill("gestion_lieu_projet"), ""),
    ("électronique et circuits", skill("electronique"), ""),
]

# Radius: a thing crossed with a place and a radius; kept when the target has a row inside.
RADIUS_THINGS: list[tuple[str, Spec]] = [
    ("découpeuse laser", eq("laser")),
    ("imprimante 3D", eq("three_d_printer")),
    ("salle de réunion", premises("meeting_room")),
    (
        "friche",
        {
            "kind": "PREMISES",
            "facts": {
                "site_status": ["friche sans projet", "friche avec projet", "friche potentielle"]
            },
        },
    ),
    ("couture", SEWING_ALL),
    ("réparation", skill("reparation_reemploi")),
    ("médiation numérique", skill("mediation_numerique")),
    ("animation", skill("animation_facilitation")),
    ("bois", WOOD_ALL),
    ("mobilier", FURNITURE),
    ("électroménager", group("Electroménager")),
    ("fraiseuse numérique", eq("cnc_milling", "precision_milling")),
    ("bureau", premises("office")),
    ("soudure", skill("metal_soudure")),
]
RADIUS_PLACES = [
    "Paris", "Lyon", "Toulouse", "Nantes", "Bordeaux", "Lille", "Grenoble", "Rennes",
    "Montpellier", "Strasbourg", "Marseille", "Clermont-Ferrand", "Limoges", "Dijon", "Rouen",
    "Tours", "Brest", "Nancy", "Orléans", "Poitiers", "Angers", "Besançon", "Metz", "Caen",
]  # fmt: skip
RADII = [10, 25, 50, 100]

DATES_THINGS = [
    *RADIUS_THINGS,
    ("ancienne école", premises("school")),
    ("entrepôt", premises("warehouse")),
    ("scanner 3D", eq("scanner")),
    ("isolant", material(*INSULATION)),
    ("matériel informatique", ademe("C_04", "C_05")),
]
WINDOWS = [
    ("2027-03-10", "2027-03-12"),
    ("2027-08-01", "2027-08-31"),
    ("2026-10-01", "2026-12-31"),
    ("2027-01-15", "2027-02-15"),
    ("2027-06-01", "2027-06-30"),
    ("2027-10-01", "2027-10-31"),
]

# Kind and direction: words that mean something in several kinds, each kind both ways.
KIND_DIR: list[tuple[str, str, Spec]] = [
    ("bois", "MATERIAL", material(*WOOD)),
    ("bois", "SKILL", skill("bois_menuiserie")),
    ("couture", "EQUIPMENT", eq("sewing")),
    ("couture", "SKILL", skill("textile_couture")),
    ("métal", "MATERIAL", material("Métaux")),
    ("métal", "SKILL", skill("metal_soudure")),
    ("électronique", "MATERIAL", ademe("C_09")),
    ("électronique", "SKILL", skill("electronique")),
    ("bureau", "PREMISES", premises("office")),
    ("bureau", "MATERIAL", family("mobilier_de_bureau")),
    ("atelier", "PREMISES", premises("workshop")),
    ("laser", "EQUIPMENT", eq("laser")),
    ("imprimante 3D", "EQUIPMENT", eq("three_d_printer")),
    ("scanner 3D", "EQUIPMENT", eq("scanner")),
    ("fraiseuse", "EQUIPMENT", eq("cnc_milling", "precision_milling")),
    ("vinyle", "EQUIPMENT", eq("vinyl_cutting")),
    ("salle", "PREMISES", premises("meeting_room", "event_hall")),
    ("réparation", "SKILL", skill("reparation_reemploi")),
    ("médiation numérique", "SKILL", skill("mediation_numerique")),
    ("animation", "SKILL", skill("animation_facilitation")),
    ("informatique", "MATERIAL", ademe("C_04", "C_05", "C_07", "C_09")),
    ("mobilier", "MATERIAL", FURNITURE),
    ("tuiles", "MATERIAL", item("tuile")),
    ("isolant", "MATERIAL", material(*INSULATION)),
    ("terrain", "PREMISES", premises("land")),
    ("entrepôt", "PREMISES", premises("warehouse")),
]

# Requests sampled for the request->offer class, per kind (the premises requests are few).
MATCH_SAMPLE = {"EQUIPMENT": 14, "MATERIAL": 14, "PREMISES": 6, "SKILL": 14}


def things(cls: str, items: list[tuple[str, Spec, str]]) -> list[Spec]:
    return [{"class": cls, "text": t, "target": target, "note": note} for t, target, note in items]


def radius_specs(
    needs: list[tuple[str, Spec]], places: list[str], radii: list[int], rounds: int
) -> list[Spec]:
    """Each need around `rounds` communes, crossed with the radii (every choice a fixed stride)."""
    out = []
    for n in range(len(needs) * rounds):
        text, target = needs[n % len(needs)]
        commune = places[(n * 7) % len(places)]
        radius = radii[(n // len(needs) + n) % len(radii)]
        filters = {"commune": commune, "radiusKm": radius}
        out.append({"class": "radius", "text": text, "target": target, "filters": filters})
    return out


def dates_specs(
    needs: list[tuple[str, Spec]], windows: list[tuple[str, str]], turn: int = 0
) -> list[Spec]:
    """Each need in two windows; `turn` shifts the second round's windows by one more each."""
    out = []
    for n in range(len(needs) * 2):
        text, target = needs[n % len(needs)]
        start, end = windows[(n * 5 + turn * (n // len(needs))) % len(windows)]
        filters = {"availableFrom": start, "availableUntil": end}
        out.append({"class": "dates", "text": text, "target": target, "filters": filters})
    return out


def kind_dir_specs(needs: list[tuple[str, str, Spec]]) -> list[Spec]:
    """Each need as offers and as requests of one kind."""
    out = []
    for text, kind, target in needs:
        for direction in ("OFFER", "REQUEST"):
            filters = {"kinds": [kind], "direction": direction}
            out.append({"class": "kind_dir", "text": text, "target": target, "filters": filters})
    return out


def specs(
    words: dict[str, list[tuple[str, Spec, str]]], filtered: tuple[list[Spec], ...]
) -> list[Spec]:
    """A set's queries: the word classes as written, then the filtered ones (radius, dates,
    kind and direction), which are kept only where some listing is relevant."""
    return [
        *(spec for cls, items in words.items() for spec in things(cls, items)),
        *[s | {"need_relevant": True} for group in filtered for s in group],
    ]


SPECS: list[Spec] = specs(
    {
        "exact_fr": EXACT_FR,
        "english": ENGLISH,
        "typo": TYPO,
        "concept": CONCEPT,
        "category": CATEGORY,
    },
    (
        radius_specs(RADIUS_THINGS, RADIUS_PLACES, RADII, rounds=8),
        dates_specs(DATES_THINGS, WINDOWS),
        kind_dir_specs(KIND_DIR),
    ),
)
