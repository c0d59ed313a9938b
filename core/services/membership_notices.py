"""Telling people about requests to join: the admins when someone asks, the person once accepted.

Written in the same transaction as the request or the decision; the mailer sends them (marked
`email_pending`) and the `notifications` subscription streams them, as for exchanges.
"""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import (
    Membership,
    MembershipRequest,
    Notification,
    NotificationKind,
    Organization,
    Person,
    Role,
)


async def admins_of(session: AsyncSession, organization_id: int | None) -> list[int]:
    """The person ids of the organization's OWNERs and ADMINs, each once."""
    if organization_id is None:
        return []
    statement = select(Membership.person_id).where(
        col(Membership.organization_id) == organization_id,
        col(Membership.role).in_([Role.OWNER, Role.ADMIN]),
    )
    return list(dict.fromkeys((await session.exec(statement)).all()))


async def notify_admins(
    session: AsyncSession, request: MembershipRequest, organization: Organization
) -> int:
    """One notification to each OWNER and ADMIN of the organization; returns how many."""
    person = await session.get(Person, request.person_id)
    who = person.display_name if person and person.display_name else "Quelqu'un"
    admins = await admins_of(session, organization.id)
    body = f"{who} demande à rejoindre {organization.name}."
    if request.message.strip():
        body += f"\n\n« {request.message.strip()} »"
    rows = [
        Notification(
            person_id=person_id,
            organization_id=organization.id,
            kind=NotificationKind.MEMBERSHIP_REQUESTED,
            title=f"Demande pour rejoindre {organization.name}"[:300],
            body=body[:2000],
            note=request.message.strip()[:2000],
            email_pending=True,
        )
        for person_id in admins
    ]
    session.add_all(rows)
    return len(rows)


async def notify_accepted(session: AsyncSession, request: MembershipRequest) -> None:
    """The person who asked is now a member: they can publish and request for it."""
    organization = await session.get(Organization, request.organization_id)
    name = organization.name if organization else "l'organisation"
    session.add(
        Notification(
            person_id=request.person_id,
            organization_id=request.organization_id,
            kind=NotificationKind.MEMBERSHIP_ACCEPTED,
            title=f"Vous avez rejoint {name}"[:300],
            body=f"Votre demande a été acceptée : vous agissez désormais pour {name}."[:2000],
            email_pending=True,
        )
    )
