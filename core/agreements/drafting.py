"""An exchange → the JSON its agreement's template reads (`core/agreements/templates/common.typ`).

Pure: the service (`core/services/agreements.py`) loads the rows into `Sources`; this module
only reads them, so a version's data depends on nothing but what it was drafted from.

The provider is the side that gives (the listing's owner for an offer; the requester, who
answers, for a request); the beneficiary is the other. What the product cannot know (a
representative's role for a plain member, the insurance, the `use` of premises, a mission's
`schedule`) stays empty: `render.missing_fields` names it, and the parties fill it through the
editable terms (`TERMS`) before accepting.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from core.agreements.french import NBSP, euros, french_date, french_number
from core.agreements.kinds import kind_for
from core.models import (
    AgreementKind,
    Direction,
    Exchange,
    Listing,
    ListingKind,
    Organization,
    Person,
    Role,
    Space,
)

TERMS = (
    "provider_representative_name",
    "provider_representative_role",
    "provider_address",
    "beneficiary_representative_name",
    "beneficiary_representative_role",
    "beneficiary_address",
    "use",
    "circumstances",
    "schedule",
    "person_name",
    "person_role",
    "insurance",
    "deposit",
    "object_value",
)
"""The values the parties may edit, on top of the free clauses."""

_PARTY_TERMS = tuple(term for term in TERMS if term.startswith(("provider_", "beneficiary_")))
_KIND_TERMS: dict[AgreementKind, tuple[str, ...]] = {
    AgreementKind.PRET_A_USAGE: (),
    AgreementKind.OCCUPATION_TEMPORAIRE: ("use",),
    AgreementKind.OCCUPATION_PRECAIRE: ("use", "circumstances"),
    AgreementKind.MISE_A_DISPOSITION: ("person_name", "person_role", "schedule"),
    AgreementKind.ATTESTATION_DON: (),
}
ROLE_TEXT = {Role.OWNER: "responsable", Role.ADMIN: "administrateur·rice"}
"""A representative's role from their membership; a plain member's is for the parties to say."""
UNIT_TEXT = {"unit": "unités", "kg": "kg", "t": "t", "m": "m", "m2": "m²", "m3": "m³"}
HANDOVER_LATER = "L’état sera constaté contradictoirement lors de la remise."


def required_terms(kind: AgreementKind) -> tuple[str, ...]:
    """The terms this kind's template needs filled: clearing one is refused."""
    return (*_PARTY_TERMS, *_KIND_TERMS[kind])


@dataclass(frozen=True)
class Side:
    """One organization of the exchange, with what the agreement says of it."""

    organization: Organization
    place: Space | None
    """Its address: the requester's place of the exchange, else the organization's first."""
    representative: Person | None
    role: Role | None


@dataclass(frozen=True)
class Sources:
    exchange: Exchange
    listing: Listing
    owner: Side
    requester: Side
    listing_place: Space | None
    handover_photos: Sequence[str] = ()
    """The alt texts of the exchange's photos at handover, in order."""

    @property
    def provider(self) -> Side:
        return self.owner if self.listing.direction == Direction.OFFER else self.requester

    @property
    def beneficiary(self) -> Side:
        return self.requester if self.listing.direction == Direction.OFFER else self.owner

    @property
    def free(self) -> bool:
        return not self.listing.price_eur


def agreement_kind(sources: Sources) -> AgreementKind:
    provider = sources.provider.organization
    return kind_for(sources.listing.kind, provider.sector, sources.free)


def default_terms(sources: Sources) -> dict[str, str]:
    """Version 1's terms: the representatives and addresses the product knows, the rest empty."""
    terms = dict.fromkeys(TERMS, "")
    for prefix, side in (("provider", sources.provider), ("beneficiary", sources.beneficiary)):
        person = side.representative
        terms[f"{prefix}_representative_name"] = person.display_name if person else ""
        terms[f"{prefix}_representative_role"] = ROLE_TEXT.get(side.role, "") if side.role else ""
        terms[f"{prefix}_address"] = place_address(side.place)
    return terms


def draft(
    sources: Sources,
    kind: AgreementKind,
    terms: Mapping[str, str],
    clauses: Sequence[Mapping[str, str]],
    drafted_at: datetime,
) -> dict[str, Any]:
    """The template's data: what `render` reads, and what the version keeps."""
    exchange, listing = sources.exchange, sources.listing
    drafted_on = french_date(drafted_at)
    data: dict[str, Any] = {
        "reference": reference(exchange),
        "drafted_on": drafted_on,
        "provider": _party(sources.provider, "provider", terms),
        "beneficiary": _party(sources.beneficiary, "beneficiary", terms),
        "object": {"title": listing.title, "description": listing.description},
        "period": _period(exchange, drafted_on if kind is AgreementKind.ATTESTATION_DON else ""),
        "consideration": None if sources.free else euros(listing.price_eur or Decimal(0)),
        "handover": _handover(sources, kind),
        "clauses": [{"title": c["title"], "text": c["text"]} for c in clauses],
    }
    optional = {key: terms.get(key) or None for key in ("deposit", "insurance")}
    match kind:
        case AgreementKind.PRET_A_USAGE:
            data["object"]["value"] = terms.get("object_value") or None
            data |= optional
        case AgreementKind.OCCUPATION_TEMPORAIRE | AgreementKind.OCCUPATION_PRECAIRE:
            data |= optional | {"place": _object_place(sources), "use": terms.get("use", "")}
            if kind is AgreementKind.OCCUPATION_PRECAIRE:
                data["circumstances"] = terms.get("circumstances", "")
        case AgreementKind.MISE_A_DISPOSITION:
            person = {"name": terms.get("person_name", ""), "role": terms.get("person_role", "")}
            data |= {"person": person, "schedule": terms.get("schedule", "")}
            data |= {"insurance": optional["insurance"], "place": _mission_place(sources)}
        case AgreementKind.ATTESTATION_DON:
            data |= {"place": _object_place(sources), "materials": [_material(sources)]}
    return data


def reference(exchange: Exchange) -> str:
    """`EL-2027-0042`: the exchange's year and number, on every page of its agreement."""
    return f"EL-{exchange.created_at.year}-{exchange.id or 0:04d}"


def siret_text(siret: str | None) -> str:
    """`123 456 789 00012`: SIREN by threes, then the establishment's five digits, joined by
    no-break spaces (a SIRET never splits across lines)."""
    if not siret or len(siret) != 14:
        return siret or ""
    return NBSP.join((siret[:3], siret[3:6], siret[6:9], siret[9:]))


def place_address(place: Space | None) -> str:
    """A place's postal address on one line: street, postcode and commune."""
    if place is None:
        return ""
    town = " ".join(part for part in (place.postcode, place.commune_name) if part)
    if town and town in place.address:
        town = ""
    return ", ".join(part for part in (place.address, town) if part)


def _party(side: Side, prefix: str, terms: Mapping[str, str]) -> dict[str, Any]:
    return {
        "name": side.organization.name,
        "siret": siret_text(side.organization.siret),
        "address": terms.get(f"{prefix}_address", ""),
        "representative": {
            "name": terms.get(f"{prefix}_representative_name", ""),
            "role": terms.get(f"{prefix}_representative_role", ""),
        },
    }


def _period(exchange: Exchange, fallback: str) -> dict[str, str]:
    """The exchange's period in Paris days; a donation without one is dated by its drafting."""
    start = french_date(exchange.starts_at) if exchange.starts_at else fallback
    end = french_date(exchange.ends_at) if exchange.ends_at else fallback
    return {"start": start, "end": end}


def _handover(sources: Sources, kind: AgreementKind) -> str:
    """The condition noted at handover and the handover photos' descriptions; before the
    handover, a sentence saying it will be noted (a mission has no object to note)."""
    note = sources.exchange.start_note.strip()
    parts = [note if note.endswith((".", "!", "?", "…")) else f"{note}."] if note else []
    if sources.handover_photos:
        parts.append("Photos : " + " ; ".join(sources.handover_photos) + ".")
    if parts:
        return " ".join(parts)
    return "" if kind is AgreementKind.MISE_A_DISPOSITION else HANDOVER_LATER


def _object_place(sources: Sources) -> dict[str, str]:
    """Where the premises or the materials are: the listing's place when the provider owns the
    listing, else the provider's own place."""
    listing = sources.listing
    if sources.provider is sources.owner:
        place = sources.listing_place
        if place is not None:
            return {"name": place.name, "address": place_address(place)}
        material = listing.kind is ListingKind.MATERIAL
        pickup = str(listing.details.get("pickup") or "") if material else ""
        address = listing.address or pickup or place_address(sources.owner.place)
        return {"name": listing.title, "address": address}
    return _side_place(sources.provider)


def _mission_place(sources: Sources) -> dict[str, str]:
    """A mission happens at the beneficiary's place."""
    return _side_place(sources.beneficiary)


def _side_place(side: Side) -> dict[str, str]:
    if side.place is None:
        return {"name": side.organization.name, "address": ""}
    return {"name": side.place.name, "address": place_address(side.place)}


def _material(sources: Sources) -> dict[str, str]:
    quantity = sources.exchange.quantity
    unit = str(sources.listing.details.get("unit") or "unit")
    return {
        "label": sources.listing.title,
        "quantity": french_number(quantity) if quantity is not None else "",
        "unit": UNIT_TEXT.get(unit, unit),
    }
