"""What a completed exchange is worth: material reused, distance between places, time shared.

Measured once, when the exchange completes, and stored on it: the figures stay what they were
even if the listing or the places change later. Unknown stays null, never a guess.
"""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import Commune, Exchange, Listing, ListingKind, Organization, Space
from core.services.communes import haversine_km

SECONDS_PER_DAY = 86_400
KG_PER_UNIT = {"kg": 1.0, "t": 1000.0, "tonne": 1000.0, "tonnes": 1000.0, "g": 0.001}


async def measure_impact(session: AsyncSession, exchange: Exchange, listing: Listing) -> None:
    exchange.kg_reused = kg_reused(exchange, listing)
    exchange.distance_km = await _distance_km(session, exchange, listing)
    days = _days(exchange)
    if listing.kind == ListingKind.SKILL:
        exchange.skill_hours = float(exchange.hours) if exchange.hours is not None else None
    elif listing.kind == ListingKind.EQUIPMENT:
        exchange.equipment_days = days
    elif listing.kind == ListingKind.PREMISES:
        exchange.premises_days = days


def kg_reused(exchange: Exchange, listing: Listing) -> float | None:
    """Quantity × unit weight for materials, when the weight is known or the unit is a weight."""
    if listing.kind != ListingKind.MATERIAL or exchange.quantity is None:
        return None
    quantity = float(Decimal(exchange.quantity))
    unit_weight = listing.details.get("unit_weight_kg")
    if unit_weight is not None:
        return round(quantity * float(unit_weight), 3)
    per_unit = KG_PER_UNIT.get(str(listing.details.get("unit", "")).strip().lower())
    return None if per_unit is None else round(quantity * per_unit, 3)


def _days(exchange: Exchange) -> float | None:
    if exchange.starts_at is None or exchange.ends_at is None:
        return None
    return round((exchange.ends_at - exchange.starts_at).total_seconds() / SECONDS_PER_DAY, 2)


async def _distance_km(session: AsyncSession, exchange: Exchange, listing: Listing) -> float | None:
    """From the listing's point to the requester's: its chosen place, else its first place,
    else its commune's centre."""
    if listing.latitude is None or listing.longitude is None:
        return None
    point = await _requester_point(session, exchange)
    if point is None:
        return None
    return round(haversine_km(listing.latitude, listing.longitude, *point), 1)


async def _requester_point(session: AsyncSession, exchange: Exchange) -> tuple[float, float] | None:
    if exchange.requester_space_id is not None:
        space = await session.get(Space, exchange.requester_space_id)
        if space and space.latitude is not None and space.longitude is not None:
            return space.latitude, space.longitude
    first_place = (
        select(Space.latitude, Space.longitude)
        .where(
            col(Space.organization_id) == exchange.requester_organization_id,
            col(Space.latitude).is_not(None),
            col(Space.longitude).is_not(None),
        )
        .order_by(col(Space.id))
        .limit(1)
    )
    row = (await session.exec(first_place)).first()
    if row is not None and row[0] is not None and row[1] is not None:
        return row[0], row[1]
    organization = await session.get(Organization, exchange.requester_organization_id)
    if organization is None or organization.insee_code is None:
        return None
    commune = await session.get(Commune, organization.insee_code)
    if commune is None or commune.latitude is None or commune.longitude is None:
        return None
    return commune.latitude, commune.longitude
