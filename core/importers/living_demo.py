"""The living demo's listings, generated from real open data: rows in the import format.

Deterministic: every choice comes from one seeded `random.Random`, and every date is counted in
days from the day of the load, so the demo is as alive on the day it is loaded as on any other.
What each source gives (see data/demo/README.md for licences and credits):

- the fablabs of the 2024 French fablabs.io list with the machines they declare: EQUIPMENT
  offers at the lab, and requests for a machine a lab lacks. fablabs.io data is "Limited": it is
  read from the shared data folder at load time, never copied into the project, and the demo
  runs without it (then only the hand-written example machines remain);
- the Mission Coworking places (Licence Ouverte): rooms, desks and workshops offered, and
  premises wanted;
- ROME skills of facilitators (France Travail, Licence Ouverte): SKILL offers and requests;
- reuse lots after ADEME's *Longue vie aux objets* categories and the building materials of the
  arrêté du 19 décembre 2011: MATERIAL offers and requests (a request may leave the quantity
  open).

Every organization is named "… (exemple)" and its description says it is an example.
"""

from __future__ import annotations

import csv
import random
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from core.importers.demo_texts import (
    COWORKING_OFFERS,
    LAB_REQUEST_TEXTS,
    MACHINES,
    MATERIAL_LOTS,
    PREMISES_REQUESTS,
    SKILL_REQUEST_TEMPLATES,
    brand_and_model,
    of,
    quantity_words,
)

SEED = 11
EXAMPLE = " (exemple)"
MAX_MACHINES_PER_LAB = 4
WANTED = (
    "Pour un projet du lieu, nous cherchons ce matériau de réemploi plutôt que de l'acheter "
    "neuf ; nous pouvons venir le chercher."
)


@dataclass(frozen=True)
class Sources:
    data_dir: Path
    shared_dir: Path | None = None

    def shared(self, name: str) -> Path | None:
        if self.shared_dir is None:
            return None
        path = self.shared_dir / name
        return path if path.is_file() else None


@dataclass
class DemoPlan:
    """The generated rows, and what to say about the organizations they create."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    descriptions: dict[str, str] = field(default_factory=dict)  # organization -> description
    places: dict[str, dict[str, Any]] = field(default_factory=dict)  # organization -> its place
    published_days_ago: dict[str, int] = field(default_factory=dict)  # ref -> days


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _key(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded)


def _slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:60]


def _day(today: date, offset: int | None) -> str | None:
    return None if offset is None else (today + timedelta(days=offset)).isoformat()


def display_name(name: str) -> str:
    """Names written in capitals in the census ("CAFE DE L'ESPACE") as people write them."""
    name = " ".join(name.split())
    if name.upper() != name:
        return name
    small = {"de", "du", "des", "la", "le", "les", "et", "à", "en", "au", "aux", "l", "d"}
    words = re.split(r"(\s+|'|-)", name.lower())
    out = [w if w in small and i else w.capitalize() for i, w in enumerate(words)]
    return "".join(out)


def _beside(place: dict[str, str], what: str) -> dict[str, Any]:
    """A place of its own next to a census place (whose organization already has it)."""
    return {
        "name": f"{what} {of(place['NOMCOM'].strip())}",
        "lat": round(float(place["LAT"]) + 0.002, 6),
        "lon": round(float(place["LONG"]) + 0.002, 6),
    }


class _Planner:
    def __init__(self, sources: Sources, today: date, seed: int) -> None:
        self.sources, self.today = sources, today
        self.rng = random.Random(seed)  # noqa: S311 (a demo, not a secret)
        self.plan = DemoPlan()

    def add(self, row: dict[str, Any], days_ago: int | None = None) -> None:
        self.plan.rows.append(row)
        self.plan.published_days_ago[row["ref"]] = (
            days_ago if days_ago is not None else self.rng.randint(1, 170)
        )

    def window(self, direction: str) -> tuple[str | None, str | None]:
        """Offers: mostly open from some time ago; requests: a period ahead of the load."""
        if direction == "OFFER":
            if self.rng.random() < 0.7:
                return _day(self.today, -self.rng.randint(0, 120)), None
            start = self.rng.randint(-30, 30)
            return _day(self.today, start), _day(self.today, start + self.rng.randint(60, 240))
        start = self.rng.randint(5, 60)
        return _day(self.today, start), _day(self.today, start + self.rng.randint(20, 120))

    # ---- fablabs.io: the labs and their machines ------------------------------------------

    def fablabs(self) -> None:
        labs_file = self.sources.shared("fablabs_io_fr_2024.csv")
        machines_file = self.sources.shared("fablab_machines_fablabsio_fr_2024.csv")
        if labs_file is None or machines_file is None:
            return
        labs = [lab for lab in _read(labs_file) if lab["lat"] and lab["lon"]]
        by_key = {_key(lab["name"]): lab for lab in labs} | {_key(lab["slug"]): lab for lab in labs}
        machines: dict[str, list[dict[str, str]]] = {}
        for machine in _read(machines_file):
            lab = by_key.get(_key(machine["lab"]))
            if lab is not None and machine["machine_class"] in MACHINES:
                machines.setdefault(lab["slug"], []).append(machine)
        for lab in labs:
            own = machines.get(lab["slug"], [])
            if not own and self.rng.random() > 0.25:
                continue
            self._lab(lab, own)

    def _lab(self, lab: dict[str, str], machines: list[dict[str, str]]) -> None:
        name = " ".join(lab["name"].split()) + EXAMPLE
        city = lab["city"].strip() or "France"
        point = {"lat": round(float(lab["lat"]), 6), "lon": round(float(lab["lon"]), 6)}
        self.plan.places[name] = {
            "name": " ".join(lab["name"].split()),
            "fablabs_slug": lab["slug"],
            **point,
        }
        self.plan.descriptions[name] = (
            f"Fablab {of(city)}, inscrit sur fablabs.io. Organisation d'exemple de la "
            "démonstration d'Entrelieux : le lab et ses machines sont ceux qu'il déclare sur "
            "fablabs.io, les annonces et les échanges sont inventés."
        )
        base = {"organization": name, "organization_kind": "TIERS_LIEU", **point}
        seen: set[tuple[str, str]] = set()
        for machine in machines[:MAX_MACHINES_PER_LAB]:
            brand, model = brand_and_model(machine["brand"], machine["model"])
            if (brand, model) in seen:
                continue
            seen.add((brand, model))
            spec = MACHINES[machine["machine_class"]]
            start, end = self.window("OFFER")
            self.add(
                base
                | {
                    "ref": f"demo:fablab:{lab['slug']}:{_slug(brand + ' ' + model)}",
                    "direction": "OFFER",
                    "kind": "EQUIPMENT",
                    "title": f"{spec.noun} {brand} {model}".strip()[:200],
                    "category": spec.category,
                    "description": self.rng.choice(spec.descriptions).format(lab=lab["name"]),
                    "tags": list(spec.tags),
                    "terms": self.rng.choice(("LOAN", "LOAN", "RENT", "EXCHANGE")),
                    "available_from": start,
                    "available_until": end,
                    "details": {
                        "brand": brand,
                        "model": model,
                        "machine_class": spec.category,
                        "training_required": spec.training,
                        "quantity": 1,
                    },
                }
            )
        owned = {m["machine_class"] for m in machines}
        missing = [
            c
            for c in ("laser", "three_d_printer", "cnc_milling", "vinyl_cutting")
            if c not in owned
        ]
        if missing and self.rng.random() < 0.5:
            machine_class = self.rng.choice(missing)
            title, description = LAB_REQUEST_TEXTS[machine_class]
            start, end = self.window("REQUEST")
            self.add(
                base
                | {
                    "ref": f"demo:fablab-request:{lab['slug']}:{machine_class}",
                    "direction": "REQUEST",
                    "kind": "EQUIPMENT",
                    "title": title,
                    "category": MACHINES[machine_class].category,
                    "description": description,
                    "tags": list(MACHINES[machine_class].tags),
                    "available_from": start,
                    "available_until": end,
                    "details": {"machine_class": machine_class, "quantity": 1},
                }
            )

    # ---- Mission Coworking places ------------------------------------------------------------

    def coworkings(self, count: int = 70) -> list[dict[str, str]]:
        places = [
            p
            for p in _read(self.sources.data_dir / "mission_coworking_2019.csv")
            if p["LAT"] and p["LONG"] and p["NOM_TL"].strip() and p["NOMCOM"].strip()
        ]
        chosen = sorted(
            self.rng.sample(places, min(count, len(places))), key=lambda p: int(p["ID"])
        )
        for place in chosen:
            name = display_name(place["NOM_TL"]) + EXAMPLE
            city = place["NOMCOM"].strip()
            fablab = "fablab" in place["TYPO"].lower()
            self.plan.places[name] = {"space_ref": f"mc:{place['ID']}"}
            self.plan.descriptions[name] = (
                f"Tiers-lieu {of(city)} ({'fablab' if fablab else 'coworking'}), recensé par la "
                "Mission Coworking en 2019. Organisation d'exemple de la démonstration "
                "d'Entrelieux : le lieu existe, ses annonces et ses échanges sont inventés."
            )
            base = {"organization": name, "organization_kind": "TIERS_LIEU"}
            base |= {"space_ref": f"mc:{place['ID']}"}
            offer = self.rng.choice(COWORKING_OFFERS)
            start, end = self.window("OFFER")
            self.add(
                base
                | {
                    "ref": f"demo:coworking:{place['ID']}:{offer.slug}",
                    "direction": "OFFER",
                    "kind": "PREMISES",
                    "title": offer.title,
                    "category": offer.category,
                    "description": offer.description.format(place=display_name(place["NOM_TL"])),
                    "tags": list(offer.tags),
                    "terms": "RENT",
                    "available_from": start,
                    "available_until": end,
                    "details": dict(offer.details),
                }
            )
            if self.rng.random() < 0.25:
                title, category, description = self.rng.choice(PREMISES_REQUESTS)
                start, end = self.window("REQUEST")
                self.add(
                    base
                    | {
                        "ref": f"demo:coworking-request:{place['ID']}:{category}",
                        "direction": "REQUEST",
                        "kind": "PREMISES",
                        "title": title,
                        "category": category,
                        "description": description,
                        "tags": ["local", "tiers-lieu"],
                        "available_from": start,
                        "available_until": end,
                    }
                )
        return chosen

    # ---- ROME skills -------------------------------------------------------------------------

    def skills(self, hosts: list[dict[str, str]]) -> None:
        skills = _read(self.sources.data_dir / "demo" / "rome_facilitator_skills.csv")
        facilitators = self._facilitators(hosts)
        for index, skill in enumerate(skills):
            owner, place = facilitators[index % len(facilitators)]
            label = skill["label"].rstrip(".")
            start, end = self.window("OFFER")
            self.add(
                {
                    "ref": f"demo:skill:{skill['code_ogr']}",
                    "organization": owner,
                    "organization_kind": "ASSOCIATION",
                    "direction": "OFFER",
                    "kind": "SKILL",
                    "title": label,
                    "category": skill["family"],
                    "description": (
                        f"Intervention dans les tiers-lieux autour {of(place['NOMCOM'])}, sur "
                        "place ou à distance selon le besoin. Compétence du répertoire ROME de "
                        "France Travail."
                    ),
                    "tags": [skill["family"].replace("_", " ")],
                    "space_ref": f"mc:{place['ID']}",
                    "terms": self.rng.choice(("EXCHANGE", "RENT")),
                    "available_from": start,
                    "available_until": end,
                    "details": {
                        "level": self.rng.choice(("INTERMEDIATE", "EXPERT")),
                        "format": self.rng.choice(("ON_SITE", "HYBRID", "REMOTE")),
                        "hours": self.rng.choice((3, 6, 7, 14, 21)),
                    },
                }
            )
            if index % 3 == 0:
                host = hosts[(index * 7) % len(hosts)]
                start, end = self.window("REQUEST")
                self.add(
                    {
                        "ref": f"demo:skill-request:{skill['code_ogr']}:{host['ID']}",
                        "organization": display_name(host["NOM_TL"]) + EXAMPLE,
                        "organization_kind": "TIERS_LIEU",
                        "direction": "REQUEST",
                        "kind": "SKILL",
                        "title": self.rng.choice(SKILL_REQUEST_TEMPLATES).format(
                            skill=label[0].lower() + label[1:]
                        )[:200],
                        "category": skill["family"],
                        "description": (
                            "Le lieu cherche une personne qui puisse intervenir quelques demi-"
                            "journées ; bénévolat, échange de services ou prestation, on en parle."
                        ),
                        "tags": [skill["family"].replace("_", " ")],
                        "space_ref": f"mc:{host['ID']}",
                        "available_from": start,
                        "available_until": end,
                    }
                )

    def _facilitators(self, hosts: list[dict[str, str]]) -> list[tuple[str, dict[str, str]]]:
        out = []
        for place in hosts[::6]:
            city = place["NOMCOM"].strip()
            name = f"Collectif d'animation {of(city)}{EXAMPLE}"
            self.plan.places.setdefault(name, _beside(place, "Permanence du collectif"))
            self.plan.descriptions[name] = (
                f"Animatrices et animateurs de tiers-lieux installés {of(city, 'à')} : médiation "
                "numérique, animation de communauté, ateliers de fabrication et de réparation. "
                "Organisation d'exemple de la démonstration d'Entrelieux."
            )
            out.append((name, place))
        return out

    # ---- reuse lots ----------------------------------------------------------------------------

    def materials(self, hosts: list[dict[str, str]]) -> None:
        for place in hosts[2::6]:
            city = place["NOMCOM"].strip()
            name = f"Ressourcerie {of(city)}{EXAMPLE}"
            self.plan.places.setdefault(name, _beside(place, "Ressourcerie"))
            self.plan.descriptions[name] = (
                f"Ressourcerie {of(city)} : collecte, remise en état et don d'objets et de "
                "matériaux de réemploi aux associations et aux tiers-lieux. Organisation "
                "d'exemple de la démonstration d'Entrelieux."
            )
            for lot in self.rng.sample(MATERIAL_LOTS, 8):
                direction = "REQUEST" if self.rng.random() < 0.3 else "OFFER"
                start, end = self.window(direction)
                details: dict[str, Any] = {"unit": lot.unit, "condition": lot.condition}
                if direction == "OFFER" or self.rng.random() < 0.5:
                    details["quantity"] = self.rng.choice(lot.quantities)
                if lot.unit_weight_kg:
                    details["unit_weight_kg"] = lot.unit_weight_kg
                if direction == "OFFER":
                    details["pickup"] = "À la ressourcerie, sur rendez-vous"
                title = lot.request if direction == "REQUEST" else lot.offer
                quantity = details.get("quantity")
                description = lot.description
                if direction == "REQUEST":
                    description = WANTED + (
                        f" Il nous en faudrait {quantity_words(quantity, lot.unit)}."
                        if quantity
                        else " La quantité reste à préciser selon ce qui est disponible."
                    )
                self.add(
                    {
                        "ref": f"demo:material:{place['ID']}:{lot.slug}:{direction.lower()}",
                        "organization": name,
                        "organization_kind": "ASSOCIATION",
                        "direction": direction,
                        "kind": "MATERIAL",
                        "title": title.format(n=quantity or "").replace("  ", " ").strip(),
                        "category": lot.category,
                        "description": description,
                        "tags": list(lot.tags),
                        "space_ref": f"mc:{place['ID']}",
                        "terms": "DONATION" if direction == "OFFER" else None,
                        "available_from": start,
                        "available_until": end,
                        "details": details,
                    }
                )


def plan_demo(sources: Sources, today: date, seed: int = SEED) -> DemoPlan:
    """Every generated row, in a stable order, for the demo loaded on `today`."""
    planner = _Planner(sources, today, seed)
    planner.fablabs()
    hosts = planner.coworkings()
    planner.skills(hosts)
    planner.materials(hosts)
    return planner.plan


def rows_without_nones(plan: DemoPlan) -> Iterator[dict[str, Any]]:
    for row in plan.rows:
        yield {k: v for k, v in row.items() if v is not None}
