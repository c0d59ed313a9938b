"""Reports of listings and the decisions of the networks covering them.

Anyone signed in reports a listing they can see; the report goes to the most specific network
covering the listing's commune (`core.services.coverage`), the national administrators when no
other does. The OWNERs and ADMINs of any network covering the listing hide it (with a reason its
owner reads), show it again, or dismiss a report (with a reason). A hidden listing leaves every
read but its owner's and that network's admins' (`core.services.visibility`), and the index.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.error_codes import ListingErrorCode, ModerationErrorCode
from core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from core.models import (
    AuditAction,
    Listing,
    ListingReport,
    NotificationKind,
    Organization,
    ReportReason,
    ReportState,
)
from core.models.base import utcnow
from core.services.audit import record
from core.services.coverage import networks_covering
from core.services.listings import get_listing
from core.services.moderation_notices import notify_owner, notify_reported, notify_reporters
from core.services.principal import Principal, require_principal

REASON_MAX = 2000


class ReportDraft(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: ReportReason
    message: str = Field(default="", max_length=REASON_MAX)


def decision_reason(text: str, field: str = "reason") -> str:
    """A decision's reason, trimmed: required, and at most `REASON_MAX` characters."""
    reason = text.strip()
    if not reason or len(reason) > REASON_MAX:
        code = ModerationErrorCode.DECISION_REASON_REQUIRED
        raise InvalidInput.one(field, code, value=str(REASON_MAX))
    return reason


async def report_listing(
    session: AsyncSession, principal: Principal | None, listing_id: int, draft: ReportDraft
) -> ListingReport:
    """One open report per person and listing, sent to the network covering the listing."""
    acting = require_principal(principal)
    listing = await get_listing(session, acting, listing_id=listing_id)
    if listing is None or listing.id is None:
        raise NotFound(ListingErrorCode.LISTING_NOT_FOUND, value=str(listing_id))
    if acting.acts_for(listing.organization_id):
        raise Conflict(ModerationErrorCode.OWN_LISTING_REPORTED)
    if await _open_report(session, listing.id, acting.person_id) is not None:
        raise Conflict(ModerationErrorCode.ALREADY_REPORTED)
    networks = await networks_covering(session, listing.commune_insee)
    if not networks:
        raise Conflict(ModerationErrorCode.NO_NETWORK_FOR_LISTING)
    report = ListingReport(
        listing_id=listing.id,
        person_id=acting.person_id,
        network_id=networks[0],
        reason=draft.reason,
        message=draft.message,
    )
    try:
        async with session.begin_nested():
            session.add(report)
    except IntegrityError:  # the same person's report committed meanwhile
        raise Conflict(ModerationErrorCode.ALREADY_REPORTED) from None
    await notify_reported(session, report, listing)
    details = {"listing_id": listing.id, "report_id": report.id, "reason": draft.reason.value}
    await record(session, networks[0], acting.person_id, AuditAction.LISTING_REPORTED, details)
    return report


async def hide_listing(
    session: AsyncSession, principal: Principal | None, listing_id: int, reason: str
) -> Listing:
    """Hide a listing for a covering network; its open reports are upheld with the reason."""
    acting = require_principal(principal)
    reason = decision_reason(reason)
    listing, network = await _moderated(session, acting, listing_id)
    if listing.hidden_at is not None:
        raise Conflict(ModerationErrorCode.ALREADY_HIDDEN)
    listing.hidden_at = utcnow()
    listing.hidden_reason = reason
    listing.hidden_by_id = acting.person_id
    listing.hidden_by_network_id = network.id
    session.add(listing)
    upheld = await _open_reports(session, listing.id)
    for report in upheld:
        _decide(report, ReportState.UPHELD, acting, reason)
    await session.flush()
    await notify_owner(session, listing, network, NotificationKind.LISTING_HIDDEN, reason)
    await notify_reporters(session, upheld, listing, reason)
    await _audit(session, acting, listing, network, AuditAction.LISTING_HIDDEN, reason)
    return listing


async def unhide_listing(
    session: AsyncSession, principal: Principal | None, listing_id: int, reason: str
) -> Listing:
    """Show a hidden listing again, for a covering network, with a reason its owner reads."""
    acting = require_principal(principal)
    reason = decision_reason(reason)
    listing, network = await _moderated(session, acting, listing_id)
    if listing.hidden_at is None:
        raise Conflict(ModerationErrorCode.NOT_HIDDEN)
    listing.hidden_at = None
    listing.hidden_reason = ""
    listing.hidden_by_id = None
    listing.hidden_by_network_id = None
    session.add(listing)
    await session.flush()
    await notify_owner(session, listing, network, NotificationKind.LISTING_UNHIDDEN, reason)
    await _audit(session, acting, listing, network, AuditAction.LISTING_UNHIDDEN, reason)
    return listing


async def dismiss_report(
    session: AsyncSession, principal: Principal | None, report_id: int, reason: str
) -> ListingReport:
    """Keep the listing: the report is closed with the network's reason."""
    acting = require_principal(principal)
    reason = decision_reason(reason)
    locked = select(ListingReport).where(col(ListingReport.id) == report_id).with_for_update()
    report = (await session.exec(locked)).first()
    if report is None or not acting.administers(report.network_id):
        # Other covering networks may decide too; anyone else learns nothing of the report.
        covering = report is not None and await _covering_admin(session, acting, report)
        if report is None or not covering:
            raise NotFound(ModerationErrorCode.REPORT_NOT_FOUND, value=str(report_id))
    if report.state != ReportState.OPEN:
        raise Conflict(ModerationErrorCode.REPORT_DECIDED)
    _decide(report, ReportState.DISMISSED, acting, reason)
    await session.flush()
    listing = await session.get(Listing, report.listing_id)
    if listing is not None:
        await notify_reporters(session, [report], listing, reason)
    details = {"listing_id": report.listing_id, "report_id": report.id, "reason": reason}
    action = AuditAction.REPORT_DISMISSED
    await record(session, report.network_id, acting.person_id, action, details)
    return report


def _decide(report: ListingReport, state: ReportState, acting: Principal, reason: str) -> None:
    report.state = state
    report.decided_at = utcnow()
    report.decided_by_id = acting.person_id
    report.decision_reason = reason


async def _open_reports(session: AsyncSession, listing_id: int | None) -> list[ListingReport]:
    statement = select(ListingReport).where(
        col(ListingReport.listing_id) == listing_id,
        col(ListingReport.state) == ReportState.OPEN,
    )
    return list((await session.exec(statement.order_by(col(ListingReport.id)))).all())


async def _covering_admin(session: AsyncSession, acting: Principal, report: ListingReport) -> bool:
    listing = await session.get(Listing, report.listing_id)
    if listing is None:
        return False
    covering = await networks_covering(session, listing.commune_insee)
    return any(acting.administers(n) for n in covering)


async def _moderated(
    session: AsyncSession, acting: Principal, listing_id: int
) -> tuple[Listing, Organization]:
    """The listing and the first network covering it that `acting` administers.

    Someone who may not see the listing learns nothing (not found); someone who sees it but
    administers no network covering it is not allowed."""
    # Locked: two admins deciding at once decide one after the other (PostgreSQL; SQLite has one
    # writer anyway), so the second reads the first's decision.
    locked = select(Listing).where(col(Listing.id) == listing_id).with_for_update()
    listing = (await session.exec(locked)).first()
    covering = await networks_covering(session, listing.commune_insee) if listing else []
    network_id = next((n for n in covering if acting.administers(n)), None)
    if listing is None or network_id is None:
        if listing is None or await get_listing(session, acting, listing_id=listing_id) is None:
            raise NotFound(ListingErrorCode.LISTING_NOT_FOUND, value=str(listing_id))
        raise NotAllowed(ModerationErrorCode.NOT_A_COVERING_NETWORK)
    network = await session.get(Organization, network_id)
    assert network is not None
    return listing, network


async def _open_report(
    session: AsyncSession, listing_id: int, person_id: int
) -> ListingReport | None:
    statement = select(ListingReport).where(
        col(ListingReport.listing_id) == listing_id,
        col(ListingReport.person_id) == person_id,
        col(ListingReport.state) == ReportState.OPEN,
    )
    return (await session.exec(statement)).first()


async def _audit(
    session: AsyncSession,
    acting: Principal,
    listing: Listing,
    network: Organization,
    action: AuditAction,
    reason: str,
) -> None:
    """In the trail of the listing's organization and of the deciding network."""
    details = {"listing_id": listing.id, "network_id": network.id, "reason": reason}
    await record(session, listing.organization_id, acting.person_id, action, details)
    if network.id != listing.organization_id:
        await record(session, network.id, acting.person_id, action, details)
