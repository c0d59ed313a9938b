"""What a network (a RESEAU organization) sees of its work: its members and their activity, the
organizations waiting for its validation, the reports of listings waiting for its decision, and
the areas it covers. Each read is a fixed number of statements, whatever the number of members.

Everything but the areas is for the network's OWNERs and ADMINs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.error_codes import ModerationErrorCode, OrganizationErrorCode
from core.errors import Conflict, NotFound
from core.models import (
    AreaLevel,
    AuditAction,
    Commune,
    Epci,
    Exchange,
    ExchangeState,
    Listing,
    ListingReport,
    ListingStatus,
    NetworkArea,
    Organization,
    ReportState,
    Space,
)
from core.services.audit import record
from core.services.coverage import SPECIFIC_FIRST
from core.services.moderation import decision_reason
from core.services.moderation_notices import notify_refused
from core.services.principal import Principal, require_admin


@dataclass(frozen=True)
class MemberActivity:
    organization: Organization
    listings_published: int
    exchanges_completed: int
    """Completed exchanges it took part in, on either side."""


async def members_with_activity(
    session: AsyncSession, principal: Principal | None, network_id: int
) -> list[MemberActivity]:
    """The organizations the network validated, by name, with their counts: three statements."""
    require_admin(principal, network_id)
    members = (
        await session.exec(
            select(Organization)
            .where(col(Organization.parent_id) == network_id, col(Organization.verified))
            .order_by(col(Organization.name), col(Organization.id))
        )
    ).all()
    ids = [m.id for m in members if m.id is not None]
    published = await _listing_counts(session, ids)
    completed = await _completed_exchanges(session, ids)
    return [
        MemberActivity(m, published.get(m.id or 0, 0), completed.get(m.id or 0, 0)) for m in members
    ]


async def _listing_counts(session: AsyncSession, ids: Sequence[int]) -> dict[int, int]:
    if not ids:
        return {}
    statement = (
        select(Listing.organization_id, func.count())
        .where(
            col(Listing.organization_id).in_(ids),
            col(Listing.status) == ListingStatus.PUBLISHED,
            col(Listing.hidden_at).is_(None),
        )
        .group_by(col(Listing.organization_id))
    )
    return {org: count for org, count in (await session.exec(statement)).all()}


async def _completed_exchanges(session: AsyncSession, ids: Sequence[int]) -> dict[int, int]:
    """One statement: each completed exchange counts once for each member side it has."""
    if not ids:
        return {}
    sides = (
        select(Exchange.owner_organization_id.label("org"))  # type: ignore[attr-defined]
        .where(col(Exchange.state) == ExchangeState.COMPLETED)
        .where(col(Exchange.owner_organization_id).in_(ids))
        .union_all(
            select(Exchange.requester_organization_id)
            .where(col(Exchange.state) == ExchangeState.COMPLETED)
            .where(col(Exchange.requester_organization_id).in_(ids))
        )
        .subquery()
    )
    statement = select(sides.c.org, func.count()).group_by(sides.c.org)
    return {org: count for org, count in (await session.exec(statement)).all()}


async def members_to_validate(
    session: AsyncSession, principal: Principal | None, network_id: int
) -> list[Organization]:
    """Organizations that named this network and wait for its validation, oldest first."""
    require_admin(principal, network_id)
    statement = (
        select(Organization)
        .where(col(Organization.parent_id) == network_id, ~col(Organization.verified))
        .order_by(col(Organization.id))
    )
    return list((await session.exec(statement)).all())


async def reports_to_review(
    session: AsyncSession, principal: Principal | None, network_id: int
) -> list[ListingReport]:
    """The open reports sent to this network, oldest first."""
    require_admin(principal, network_id)
    statement = (
        select(ListingReport)
        .where(
            col(ListingReport.network_id) == network_id,
            col(ListingReport.state) == ReportState.OPEN,
        )
        .order_by(col(ListingReport.id))
    )
    return list((await session.exec(statement)).all())


async def areas_of(session: AsyncSession, network_ids: Sequence[int]) -> list[NetworkArea]:
    """The areas of these networks, the widest last (public: where a network acts is no secret)."""
    statement = select(NetworkArea).where(col(NetworkArea.organization_id).in_(network_ids))
    rows = (await session.exec(statement)).all()
    return sorted(rows, key=lambda a: (SPECIFIC_FIRST.index(a.level), a.code))


async def refuse_member(
    session: AsyncSession, principal: Principal | None, organization_id: int, reason: str
) -> Organization:
    """The network does not vouch for an organization that named it: it leaves the network's
    queue (no parent any more), and its admins read the reason."""
    organization = await session.get(Organization, organization_id)
    if organization is None:
        raise NotFound(OrganizationErrorCode.ORGANIZATION_NOT_FOUND, value=str(organization_id))
    if organization.parent_id is None:  # refused already, or never named a network
        raise Conflict(ModerationErrorCode.NOT_AWAITING_VALIDATION)
    acting = require_admin(principal, organization.parent_id)
    reason = decision_reason(reason)
    network = await session.get(Organization, organization.parent_id)
    if organization.verified or network is None:
        raise Conflict(ModerationErrorCode.NOT_AWAITING_VALIDATION)
    organization.parent_id = None
    session.add(organization)
    await session.flush()
    await notify_refused(session, organization, network, reason)
    details = {"network_id": network.id, "reason": reason}
    action = AuditAction.NETWORK_REFUSED
    await record(session, organization_id, acting.person_id, action, details)
    details["organization_id"] = organization_id
    await record(session, network.id, acting.person_id, action, details)
    return organization


async def spaces_of_organizations(session: AsyncSession, ids: Sequence[int]) -> list[Space]:
    """The places of these organizations, by name (places are public)."""
    statement = (
        select(Space)
        .where(col(Space.organization_id).in_(ids))
        .order_by(col(Space.name), col(Space.id))
    )
    return list((await session.exec(statement)).all())


async def listings_under_review(session: AsyncSession, ids: Sequence[int]) -> list[Listing]:
    """Reported listings as their network sees them, whatever their visibility: only for reports,
    which only the network's admins (and the reporter, who saw the listing) read."""
    return list((await session.exec(select(Listing).where(col(Listing.id).in_(ids)))).all())


async def area_names(
    session: AsyncSession, areas: Sequence[NetworkArea]
) -> dict[tuple[AreaLevel, str], str]:
    """The name of each area (a commune, an EPCI, a department, a region; the country is
    France): at most one statement per level."""
    codes: dict[AreaLevel, set[str]] = {}
    for area in areas:
        codes.setdefault(area.level, set()).add(area.code)
    names: dict[tuple[AreaLevel, str], str] = {}
    for level, wanted in codes.items():
        statement: Any
        if level == AreaLevel.COMMUNE:
            statement = select(Commune.code_insee, Commune.name).where(
                col(Commune.code_insee).in_(wanted)
            )
        elif level == AreaLevel.EPCI:
            statement = select(Epci.siren, Epci.name).where(col(Epci.siren).in_(wanted))
        elif level == AreaLevel.DEPARTMENT:
            statement = (
                select(Commune.department_code, Commune.department_name)
                .where(col(Commune.department_code).in_(wanted))
                .distinct()
            )
        elif level == AreaLevel.REGION:
            statement = (
                select(Commune.region_code, Commune.region_name)
                .where(col(Commune.region_code).in_(wanted))
                .distinct()
            )
        else:
            names.update({(level, code): "France" for code in wanted})
            continue
        for code, name in (await session.exec(statement)).all():
            names[(level, code)] = name
    return names
