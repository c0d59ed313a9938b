"""`Listing.hidden`: why a network hid a listing, for the people who may still see it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import strawberry

from core import models
from schema.context import Info
from schema.organizations import Organization, load_organization


@strawberry.type(
    description="A network covering the listing hid it: it is out of search, matching, alerts "
    "and every read but its organization's and that network's admins'."
)
class ListingHidden:
    network_pk: strawberry.Private[int | None]
    reason: str = strawberry.field(description="The network's reason, as its admin wrote it.")
    at: datetime.datetime = strawberry.field(description="When it was hidden.")

    @strawberry.field(description="The network that hid it.")
    async def by(self, info: Info) -> Organization | None:
        return await load_organization(info, self.network_pk)


@dataclass(frozen=True)
class HiddenFacts:
    """What `Listing.from_row` keeps of a hidden listing, to answer `Listing.hidden` later."""

    organization_id: int
    network_id: int | None
    reason: str
    at: datetime.datetime


def hidden_facts(row: models.Listing) -> HiddenFacts | None:
    if row.hidden_at is None:
        return None
    return HiddenFacts(
        row.organization_id, row.hidden_by_network_id, row.hidden_reason, row.hidden_at
    )


def hidden_of(info: Info, facts: HiddenFacts | None) -> ListingHidden | None:
    """Why the listing is hidden, for its organization's members and the hiding network's admins;
    None when it is not hidden (or for anyone else, who cannot read a hidden listing anyway)."""
    if facts is None:
        return None
    principal = info.context.principal
    may_read = principal is not None and (
        principal.acts_for(facts.organization_id) or principal.administers(facts.network_id)
    )
    if not may_read:
        return None
    return ListingHidden(network_pk=facts.network_id, reason=facts.reason, at=facts.at)
