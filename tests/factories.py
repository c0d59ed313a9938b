"""Small typed factories: `await make_listing(session, organization, title=...)`."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import (
    Direction,
    Exchange,
    ExchangeState,
    Listing,
    ListingKind,
    ListingStatus,
    Membership,
    Organization,
    OrganizationKind,
    Person,
    Role,
    Sector,
    Space,
    Visibility,
)
from core.services.tokens import ensure_member, issue_token

_sequence = itertools.count(1)


async def make_organization(
    session: AsyncSession,
    name: str | None = None,
    kind: OrganizationKind = OrganizationKind.TIERS_LIEU,
    **fields: Any,
) -> Organization:
    organization = Organization(
        name=name or f"Organisation {next(_sequence)}",
        kind=kind,
        sector=fields.pop(
            "sector", Sector.PUBLIC if kind == OrganizationKind.COLLECTIVITE else Sector.PRIVATE
        ),
        **fields,
    )
    session.add(organization)
    await session.flush()
    return organization


async def make_token(
    session: AsyncSession,
    organization: Organization,
    role: Role = Role.ADMIN,
    email: str | None = None,
) -> str:
    """A bearer secret for a (new) person acting for `organization` with `role`."""
    person = await ensure_member(
        session, email or f"person{next(_sequence)}@example.org", organization, role
    )
    return (await issue_token(session, person, organization)).secret


@dataclass(frozen=True)
class Member:
    person: Person
    membership: Membership
    token: str
    """A bearer secret acting for the membership's organization."""


async def make_member(
    session: AsyncSession, organization: Organization, role: Role = Role.MEMBER
) -> Member:
    """A new person with `role` in `organization`, and a token acting for it."""
    person = await ensure_member(
        session, f"person{next(_sequence)}@example.org", organization, role
    )
    statement = select(Membership).where(
        Membership.person_id == person.id, Membership.organization_id == organization.id
    )
    membership = (await session.exec(statement)).one()
    membership.role = role
    await session.flush()
    token = (await issue_token(session, person, organization)).secret
    return Member(person=person, membership=membership, token=token)


async def make_space(
    session: AsyncSession, organization: Organization | None = None, **fields: Any
) -> Space:
    defaults: dict[str, Any] = {
        "name": f"Lieu {next(_sequence)}",
        "commune_insee": "23096",
        "commune_name": "Guéret",
        "department_code": "23",
        "region_code": "75",
        "latitude": 46.17,
        "longitude": 1.87,
        "typologies": ["FABLAB"],
    }
    space = Space(organization_id=organization.id if organization else None, **(defaults | fields))
    session.add(space)
    await session.flush()
    return space


async def make_listing(session: AsyncSession, organization: Organization, **fields: Any) -> Listing:
    assert organization.id is not None
    defaults: dict[str, Any] = {
        "direction": Direction.OFFER,
        "kind": ListingKind.EQUIPMENT,
        "title": f"Découpeuse laser {next(_sequence)}",
        "status": ListingStatus.PUBLISHED,
        "visibility": Visibility.PUBLIC,
        "available_from": date(2026, 1, 1),
        "details": {"quantity": 1, "training_required": False},
    }
    listing = Listing(organization_id=organization.id, **(defaults | fields))
    session.add(listing)
    await session.flush()
    return listing


async def make_exchange(
    session: AsyncSession,
    listing: Listing,
    requester: Organization,
    state: ExchangeState = ExchangeState.COMPLETED,
    **fields: Any,
) -> Exchange:
    """An exchange row as it stands in `state`, written directly (no rules checked)."""
    assert listing.id is not None
    assert requester.id is not None
    exchange = Exchange(
        listing_id=listing.id,
        owner_organization_id=listing.organization_id,
        requester_organization_id=requester.id,
        state=state,
        awaiting=None,
        **fields,
    )
    session.add(exchange)
    await session.flush()
    return exchange
