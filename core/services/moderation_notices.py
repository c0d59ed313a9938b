"""Telling people about reports and the networks' decisions: the network's admins when a listing
is reported, the listing's organization when it is hidden or shown again, an organization when
its network refuses to validate it.

Written in the same transaction as the report or the decision, like `membership_notices`; the
acting person's own words (a message, a reason) go in `note` so clients word the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import (
    Listing,
    ListingReport,
    Notification,
    NotificationKind,
    Organization,
    ReportState,
)
from core.services.membership_notices import admins_of

REASON_WORDS = {"SPAM": "spam", "NOT_REAL": "annonce fictive", "OFFENSIVE": "contenu choquant"}


def _tell(
    people: Iterable[int | None],
    kind: NotificationKind,
    organization_id: int | None,
    listing_id: int | None,
    title: str,
    body: str,
    note: str = "",
) -> list[Notification]:
    return [
        Notification(
            person_id=person_id,
            organization_id=organization_id,
            listing_id=listing_id,
            kind=kind,
            title=title[:300],
            body=body[:2000],
            note=note[:2000],
            email_pending=True,
        )
        for person_id in dict.fromkeys(people)
        if person_id is not None
    ]


async def notify_reported(session: AsyncSession, report: ListingReport, listing: Listing) -> int:
    """One notification to each admin of the network the report went to; returns how many."""
    why = REASON_WORDS.get(report.reason.value, report.reason.value)
    body = f"L'annonce « {listing.title} » a été signalée ({why})."
    if report.message:
        body += f"\n\n« {report.message} »"
    rows = _tell(
        await admins_of(session, report.network_id),
        NotificationKind.LISTING_REPORTED,
        report.network_id,
        listing.id,
        f"Annonce signalée : {listing.title}",
        body,
        report.message,
    )
    session.add_all(rows)
    return len(rows)


async def notify_owner(
    session: AsyncSession,
    listing: Listing,
    network: Organization,
    kind: NotificationKind,
    reason: str,
) -> int:
    """The listing's organization (its admins, and whoever wrote the listing) hears the decision
    of a network and its reason."""
    assert listing.id is not None
    by = network.name
    if kind == NotificationKind.LISTING_HIDDEN:
        title = f"Annonce masquée : {listing.title}"
        body = f"{by} a masqué votre annonce « {listing.title} ». Motif : {reason}"
    else:
        title = f"Annonce de nouveau visible : {listing.title}"
        body = f"Votre annonce « {listing.title} » est de nouveau visible. Motif : {reason}"
    people = [*await admins_of(session, listing.organization_id), listing.created_by_id]
    rows = _tell(people, kind, listing.organization_id, listing.id, title, body, reason)
    session.add_all(rows)
    return len(rows)


async def notify_refused(
    session: AsyncSession, organization: Organization, network: Organization, reason: str
) -> int:
    """The organization's admins hear that the network it named refused to validate it."""
    assert organization.id is not None
    rows = _tell(
        await admins_of(session, organization.id),
        NotificationKind.NETWORK_REFUSED,
        organization.id,
        None,
        f"{network.name} n'a pas validé {organization.name}",
        f"{network.name} n'a pas validé {organization.name}. Motif : {reason}",
        reason,
    )
    session.add_all(rows)
    return len(rows)


async def notify_reporters(
    session: AsyncSession, reports: Sequence[ListingReport], listing: Listing, reason: str
) -> int:
    """Each person whose report was decided hears what the network did, and why."""
    rows: list[Notification] = []
    for report in reports:
        if report.state == ReportState.UPHELD:
            body = f"Le réseau a masqué l'annonce « {listing.title} » que vous aviez signalée."
        else:
            body = f"Le réseau a gardé l'annonce « {listing.title} » que vous aviez signalée."
        rows += _tell(
            [report.person_id],
            NotificationKind.LISTING_REPORT_DECIDED,
            report.network_id,
            listing.id,
            f"Votre signalement : {listing.title}",
            f"{body} Motif : {reason}",
            reason,
        )
    session.add_all(rows)
    return len(rows)
