"""Telling the other side of an exchange what happened: one notification per member.

Written in the same transaction as the change itself; the mailer sends those marked
`email_pending`, and the `notifications` subscription streams them as they commit.
"""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import Exchange, Listing, Membership, Notification, NotificationKind

_TITLES = {
    NotificationKind.EXCHANGE_REQUESTED: "Nouvelle demande : {title}",
    NotificationKind.EXCHANGE_PROPOSED: "Autre période proposée : {title}",
    NotificationKind.EXCHANGE_ACCEPTED: "Demande acceptée : {title}",
    NotificationKind.EXCHANGE_DECLINED: "Demande déclinée : {title}",
    NotificationKind.EXCHANGE_CANCELLED: "Échange annulé : {title}",
    NotificationKind.EXCHANGE_STARTED: "Échange commencé : {title}",
    NotificationKind.EXCHANGE_COMPLETED: "Échange terminé : {title}",
    NotificationKind.EXCHANGE_MESSAGE: "Nouveau message : {title}",
    NotificationKind.AGREEMENT_EDITED: "Convention modifiée : {title}",
    NotificationKind.AGREEMENT_ACCEPTED: "Convention acceptée : {title}",
}


async def notify_other_side(
    session: AsyncSession,
    exchange: Exchange,
    listing: Listing,
    kind: NotificationKind,
    *,
    acting_organization_id: int,
    body: str,
    note: str = "",
) -> int:
    """Notify every member of the organization on the other side; returns how many."""
    assert exchange.id is not None
    other = (
        exchange.requester_organization_id
        if acting_organization_id == exchange.owner_organization_id
        else exchange.owner_organization_id
    )
    members = await session.exec(
        select(Membership.person_id).where(col(Membership.organization_id) == other)
    )
    title = _TITLES[kind].format(title=listing.title)[:300]
    rows = [
        Notification(
            person_id=person_id,
            listing_id=listing.id,
            exchange_id=exchange.id,
            kind=kind,
            title=title,
            body=body[:2000],
            note=note[:2000],
            email_pending=True,
        )
        for person_id in dict.fromkeys(members.all())
    ]
    session.add_all(rows)
    return len(rows)
