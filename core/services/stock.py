"""What is left of a material offer: accepted donations take from it, cancellations give back.

`Listing.quantity_remaining` stays null until the first donation is accepted; until then the
whole quantity of the listing's details is left. At zero the offer is fulfilled.
"""

from __future__ import annotations

from decimal import Decimal

from core.error_codes import ExchangeErrorCode
from core.errors import Conflict
from core.models import Listing, ListingKind, ListingStatus
from core.models.base import utcnow


def remaining(listing: Listing) -> Decimal | None:
    """What is left of a material offer: the column once set, otherwise its full quantity."""
    if listing.kind != ListingKind.MATERIAL:
        return None
    if listing.quantity_remaining is not None:
        return Decimal(listing.quantity_remaining)
    quantity = listing.details.get("quantity")
    return None if quantity is None else Decimal(str(quantity))


def take(listing: Listing, quantity: Decimal) -> None:
    """Take an accepted donation from what is left; at zero the offer is fulfilled."""
    left = remaining(listing)
    if left is None:
        return
    if quantity > left:
        raise Conflict(ExchangeErrorCode.NOT_ENOUGH_LEFT_TO_ACCEPT, value=quantity_text(left))
    listing.quantity_remaining = left - quantity
    if listing.quantity_remaining == 0:
        listing.status = ListingStatus.FULFILLED
    listing.updated_at = utcnow()


def give_back(listing: Listing, quantity: Decimal) -> None:
    """Put a cancelled donation back; a fulfilled offer is published again."""
    left = remaining(listing)
    if left is None:
        return
    listing.quantity_remaining = left + quantity
    if listing.status == ListingStatus.FULFILLED:
        listing.status = ListingStatus.PUBLISHED
    listing.updated_at = utcnow()


def quantity_text(value: Decimal) -> str:
    """A quantity as people write it: `2.5`, `3`, never `3.000`."""
    return format(value.normalize(), "f")
