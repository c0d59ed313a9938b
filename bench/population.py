"""The seeded rows themselves: organizations, places and listings, made from real French data.

Places are the 1,512 of the Mission Coworking base (2019) plus places made at real communes,
picked by population; listings spread over organizations as on any marketplace, a few
publishing most. Everything is drawn from one `random.Random`, so a seed gives the same rows.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from bench import vocabulary
from core.models import (
    Direction,
    ListingKind,
    ListingStatus,
    OrganizationKind,
    Sector,
    Terms,
    Typology,
    VerificationMethod,
    Visibility,
)
from core.settings import PROJECT_ROOT

MISSION_COWORKING = PROJECT_ROOT / "data" / "mission_coworking_2019.csv"
EPOCH = datetime(2023, 1, 1, tzinfo=UTC)
SPAN = datetime(2026, 11, 27, tzinfo=UTC) - EPOCH

ORGANIZATION_MIX = {  # ~1,000 organizations, most of them places
    OrganizationKind.TIERS_LIEU: 600,
    OrganizationKind.COLLECTIVITE: 200,
    OrganizationKind.ASSOCIATION: 110,
    OrganizationKind.ENTREPRISE: 72,
}
STATUS_WEIGHTS = {
    ListingStatus.PUBLISHED: 85,
    ListingStatus.DRAFT: 5,
    ListingStatus.PAUSED: 3,
    ListingStatus.WITHDRAWN: 4,
    ListingStatus.FULFILLED: 3,
}
VISIBILITY_WEIGHTS = {Visibility.PUBLIC: 88, Visibility.NETWORK: 8, Visibility.PRIVATE: 4}
SURNAMES = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand"]
TRADES = ["Menuiserie", "Imprimerie", "Déconstruction", "Scierie", "Atelier", "Bureau d'études"]


@dataclass
class Where:
    """A located thing: the commune and coordinates a place or a listing is given."""

    commune_insee: str
    commune_name: str
    department_code: str
    region_code: str
    latitude: float
    longitude: float
    region_name: str = ""


@dataclass
class Org:
    row: dict[str, Any]
    where: Where
    spaces: list[tuple[int, Where]] = field(default_factory=list)


def _luhn_complete(digits: str) -> str:
    """`digits` followed by the check digit that makes the whole Luhn-valid (SIREN, SIRET)."""
    total = 0
    for position, char in enumerate(reversed(digits + "0")):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return digits + str((10 - total % 10) % 10)


def _siret(number: int) -> str:
    siren = _luhn_complete(f"{number:08d}")
    return _luhn_complete(f"{siren}0001")


def mission_coworking(by_code: dict[str, Where]) -> list[dict[str, str]]:
    with MISSION_COWORKING.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    usable = []
    for row in rows:
        try:
            float(row["LAT"]), float(row["LONG"])
        except ValueError:
            continue
        if row["INSEECOM"].strip() in by_code and row["NOM_TL"].strip():
            usable.append(row)
    return usable


def organizations(
    rng: random.Random,
    communes: list[Where],
    by_code: dict[str, Where],
    places: list[dict[str, str]],
) -> list[Org]:
    regions = sorted({w.region_code for w in communes})
    orgs: list[Org] = []

    def add(name: str, kind: OrganizationKind, where: Where, **extra: Any) -> Org:
        number = len(orgs) + 1
        public = kind is OrganizationKind.COLLECTIVITE
        has_siret = kind is not OrganizationKind.TIERS_LIEU or rng.random() < 0.5
        siret = _siret(number * 7919) if has_siret else None
        row: dict[str, Any] = {
            "id": number,
            "name": name[:200],
            "kind": kind,
            "sector": Sector.PUBLIC if public else Sector.PRIVATE,
            "siret": siret,
            "siren": siret[:9] if siret else None,
            "insee_code": where.commune_insee,
            "parent_id": None,
            "website": None,
            "description": f"{name}, à {where.commune_name}.",
            "verified": has_siret,
            "verified_by": VerificationMethod.SIRET_CLAIM if has_siret else None,
            "created_at": EPOCH + SPAN * (number / 2000),
        } | extra
        orgs.append(Org(row, where))
        return orgs[-1]

    networks: dict[str, Org] = {}
    for region in regions:
        where = next(w for w in communes if w.region_code == region)
        name = f"Réseau des tiers-lieux {where.region_name}"
        networks[region] = add(name, OrganizationKind.RESEAU, where)
    for place in places[: ORGANIZATION_MIX[OrganizationKind.TIERS_LIEU]]:
        where = by_code[place["INSEECOM"].strip()]
        parent = networks[where.region_code].row["id"] if rng.random() < 0.5 else None
        add(place["NOM_TL"].strip(), OrganizationKind.TIERS_LIEU, where, parent_id=parent)
    # Municipal arrondissements (Paris, Lyon, Marseille) are in the table but are not communes.
    towns = {w.commune_insee: w for w in communes if "Arrondissement" not in w.commune_name}
    for where in list(towns.values())[: ORGANIZATION_MIX[OrganizationKind.COLLECTIVITE]]:
        add(f"Commune de {where.commune_name}", OrganizationKind.COLLECTIVITE, where)
    for _ in range(ORGANIZATION_MIX[OrganizationKind.ASSOCIATION]):
        where = rng.choice(communes)
        label = rng.choice(["Ressourcerie", "Repair café", "Atelier partagé", "Recyclerie"])
        add(f"{label} de {where.commune_name}", OrganizationKind.ASSOCIATION, where)
    for _ in range(ORGANIZATION_MIX[OrganizationKind.ENTREPRISE]):
        where = rng.choice(communes)
        name = f"{rng.choice(TRADES)} {rng.choice(SURNAMES)} ({where.commune_name})"
        add(name, OrganizationKind.ENTREPRISE, where)
    return orgs


def _space_row(
    number: int, org: Org | None, name: str, where: Where, **extra: Any
) -> dict[str, Any]:
    created = EPOCH + SPAN * (number / 6000)
    row: dict[str, Any] = {
        "id": number,
        "ref": None,
        "organization_id": org.row["id"] if org else None,
        "name": name[:200],
        "typologies": [],
        "address": "",
        "postcode": "",
        "commune_insee": where.commune_insee,
        "commune_name": where.commune_name,
        "department_code": where.department_code,
        "region_code": where.region_code,
        "latitude": where.latitude,
        "longitude": where.longitude,
        "website": None,
        "fabrique": False,
        "fablabs_slug": None,
        "created_at": created,
        "updated_at": created,
    } | extra
    if org:
        org.spaces.append((number, where))
    return row


_GENERATED_SPACE = {
    OrganizationKind.COLLECTIVITE: (
        ["Ancienne école", "Salle des fêtes", "Ancienne poste"],
        Typology.PUBLIC_BUILDING,
    ),
    OrganizationKind.ASSOCIATION: (["Atelier", "Boutique", "Entrepôt"], Typology.RESSOURCERIE),
    OrganizationKind.ENTREPRISE: (["Atelier", "Dépôt"], Typology.OTHER),
    OrganizationKind.TIERS_LIEU: (["Fablab", "Atelier partagé"], Typology.MAKERSPACE),
    OrganizationKind.RESEAU: (["Antenne"], Typology.OTHER),
}


def spaces(
    rng: random.Random,
    communes: list[Where],
    by_code: dict[str, Where],
    places: list[dict[str, str]],
    orgs: list[Org],
) -> list[dict[str, Any]]:
    """The census places (claimed by their organization or left unclaimed), then made ones."""
    tiers_lieux = [o for o in orgs if o.row["kind"] is OrganizationKind.TIERS_LIEU]
    rows: list[dict[str, Any]] = []
    for index, place in enumerate(places):
        base = by_code[place["INSEECOM"].strip()]
        where = Where(
            base.commune_insee,
            base.commune_name,
            base.department_code,
            base.region_code,
            float(place["LAT"]),
            float(place["LONG"]),
        )
        if index < len(tiers_lieux):
            owner: Org | None = tiers_lieux[index]
        else:
            owner = rng.choice(tiers_lieux) if rng.random() < 0.7 else None
        typo = place["TYPO"]
        rows.append(
            _space_row(
                len(rows) + 1,
                owner,
                place["NOM_TL"].strip(),
                where,
                ref=f"mc:{place['ID'].strip()}",
                typologies=["FABLAB" if "fablab" in typo else "COWORKING"],
                address=place["ADRESSE"].strip()[:300],
                postcode=place["CP"].strip().zfill(5)[:5],
                website=f"https://{place['WEB'].strip()}" if place["WEB"].strip() else None,
            )
        )
    while len(rows) < 3_000:
        org = rng.choice(orgs)
        labels, typology = _GENERATED_SPACE[org.row["kind"]]
        where = rng.choice(communes) if rng.random() < 0.3 else org.where
        name = f"{rng.choice(labels)} de {where.commune_name}"
        rows.append(_space_row(len(rows) + 1, org, name, where, typologies=[typology.value]))
    return rows


def listings(
    rng: random.Random, orgs: list[Org], weights: list[float], numbers: range, total: int
) -> list[dict[str, Any]]:
    """The listings numbered `numbers`; ids grow with creation time, as in production."""
    count = len(numbers)
    owners = rng.choices(orgs, weights, k=count)
    kinds = rng.choices(
        list(vocabulary.KIND_WEIGHTS), list(vocabulary.KIND_WEIGHTS.values()), k=count
    )
    statuses = rng.choices(list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values()), k=count)
    visibilities = rng.choices(list(VISIBILITY_WEIGHTS), list(VISIBILITY_WEIGHTS.values()), k=count)
    rows = []
    for number, org, kind, status, visibility in zip(
        numbers, owners, kinds, statuses, visibilities, strict=True
    ):
        rows.append(_listing_row(rng, number, total, org, kind, status, visibility))
    return rows


def _listing_row(
    rng: random.Random,
    number: int,
    total: int,
    org: Org,
    kind: ListingKind,
    status: ListingStatus,
    visibility: Visibility,
) -> dict[str, Any]:
    space_id, where = (
        rng.choice(org.spaces) if org.spaces and rng.random() < 0.8 else (None, org.where)
    )
    offer = rng.random() < 0.7
    item, title, description = vocabulary.listing_text(rng, kind, offer, where.commune_name)
    created = EPOCH + SPAN * (number / total)
    available_from: date = (created + timedelta(days=rng.randrange(0, 60))).date()
    until = available_from + timedelta(days=rng.randrange(30, 365)) if rng.random() < 0.6 else None
    terms = rng.choice(vocabulary.TERMS[kind])
    return {
        "id": number,
        "ref": f"import:{org.row['id']}:{number}" if rng.random() < 0.3 else None,
        "organization_id": org.row["id"],
        "space_id": space_id,
        "direction": Direction.OFFER if offer else Direction.REQUEST,
        "kind": kind,
        "category": vocabulary.TAXONOMY[item.category],
        "title": title,
        "description": description,
        "tags": list(item.tags),
        "address": "" if space_id else f"Centre-bourg, {where.commune_name}",
        "commune_insee": where.commune_insee,
        "department_code": where.department_code,
        "region_code": where.region_code,
        "latitude": where.latitude,
        "longitude": where.longitude,
        "available_from": available_from,
        "available_until": until,
        "terms": terms,
        "price_eur": Decimal(rng.randrange(10, 500)) if terms is Terms.RENT else None,
        "status": status,
        "visibility": visibility,
        "details": vocabulary.details(rng, kind, where.commune_name),
        "created_by_id": None,
        "created_at": created,
        "updated_at": created,
        "published_at": None if status is ListingStatus.DRAFT else created,
    }
