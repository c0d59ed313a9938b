"""Claiming a place for an organization, and keeping it verified.

The rules:
1. Only an OWNER or ADMIN of an organization claims for it (`require_admin`).
2. A claim on a place nobody holds (or that its own organization holds unverified) with strong
   evidence (`claim_evidence.strong_evidence`: same SIRET, or the claimant's verified e-mail at
   the website's domain) is verified at once: the place is the organization's.
3. Otherwise the claim goes, with its message, to the network covering the place
   (`coverage.networks_covering`: the most specific first, the national administrators last),
   never the claimant itself; its ADMINs and OWNERs are told. With nobody covering it, the claim
   is refused and nothing is kept.
4. A claim on a place another organization holds is a dispute: always decided by the network,
   whatever the evidence; the place keeps its organization until then, and its admins are told.
5. The network accepts (the place changes hands; a previous holder's claim is REPLACED and told)
   or refuses with a reason the claimant reads. A claim is decided once.
6. A place already verified as the organization's, or a second claim waiting from the same
   organization, is a clear conflict.
7. A verified place is re-confirmed yearly: 12 months after its last verification or confirmation
   its admins are asked once (`remind_due`, run in the background); `spaceConfirm` re-confirms;
   after 13 months without it the place shows TO_RECHECK.
Every claim and decision is in the audit trail of the organizations concerned.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.error_codes import OrganizationErrorCode, SpaceClaimErrorCode, SpaceErrorCode
from core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from core.models import (
    AuditAction,
    ClaimEvidence,
    ClaimState,
    Organization,
    Person,
    Space,
    SpaceClaim,
)
from core.models.base import utcnow
from core.services import space_claim_notices as notices
from core.services.audit import record
from core.services.claim_evidence import strong_evidence
from core.services.coverage import networks_covering
from core.services.principal import Principal, require_admin, require_principal

RECHECK_MONTHS = 12
STALE_MONTHS = 13


class VerificationState(enum.StrEnum):
    UNCLAIMED = "UNCLAIMED"
    """No organization holds the place."""
    UNVERIFIED = "UNVERIFIED"
    """An organization added it or holds it, but no claim verified it."""
    VERIFIED = "VERIFIED"
    """Verified or re-confirmed within the last 13 months."""
    TO_RECHECK = "TO_RECHECK"
    """Verified, but not re-confirmed for 13 months: « à vérifier »."""


class Decision(enum.StrEnum):
    ACCEPT = "ACCEPT"
    REFUSE = "REFUSE"


class ClaimDraft(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    message: str = Field(default="", max_length=2000)


class DecisionDraft(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    decision: Decision
    reason: str = Field(default="", max_length=2000)


async def claim_space(
    session: AsyncSession,
    principal: Principal | None,
    space_id: int,
    organization_id: int,
    draft: ClaimDraft,
) -> SpaceClaim:
    """Verified at once with strong evidence on a place nobody else holds; else to the network."""
    acting = require_admin(principal, organization_id)
    space = await _space(session, space_id)
    organization = await session.get(Organization, organization_id)
    person = await session.get(Person, acting.person_id)
    if organization is None or person is None:
        raise NotFound(OrganizationErrorCode.ORGANIZATION_NOT_FOUND, value=str(organization_id))
    current = await current_claim(session, space)
    if current is not None and current.organization_id == organization_id:
        raise Conflict(SpaceClaimErrorCode.ALREADY_YOURS)
    await _no_pending(session, space_id, organization_id)
    holder = space.organization_id if space.organization_id != organization_id else None
    claim = SpaceClaim(
        space_id=space_id,
        organization_id=organization_id,
        person_id=acting.person_id,
        message=draft.message,
        state=ClaimState.PENDING,
        evidence=strong_evidence(space, organization, person),
        holder_id=holder,
    )
    if claim.evidence is not None and holder is None:
        return await _verify_at_once(session, claim, space)
    claim.network_id = await _deciding_network(session, space, organization_id)
    session.add(claim)
    await session.flush()
    await _audit(session, claim, acting.person_id, AuditAction.SPACE_CLAIMED)
    holder_name = await _name(session, holder) if holder else None
    await notices.to_decide(session, claim, space, organization.name, holder_name)
    if holder is not None:
        await notices.disputed(session, claim, space, organization.name)
    return claim


async def decide_claim(
    session: AsyncSession, principal: Principal | None, claim_id: int, draft: DecisionDraft
) -> SpaceClaim:
    """The deciding network's admin accepts (the place changes hands) or refuses with a reason."""
    acting = require_principal(principal)
    claim = await session.get(SpaceClaim, claim_id)
    if claim is None:
        raise NotFound(SpaceClaimErrorCode.CLAIM_NOT_FOUND, value=str(claim_id))
    if not acting.administers(claim.network_id):
        raise NotAllowed(SpaceClaimErrorCode.NOT_THE_DECIDING_NETWORK)
    accept = draft.decision == Decision.ACCEPT
    if not accept and not draft.reason:
        raise InvalidInput.one("reason", SpaceClaimErrorCode.REASON_REQUIRED)
    now = utcnow()
    values: dict[str, object] = {
        "state": ClaimState.VERIFIED if accept else ClaimState.REFUSED,
        "reason": draft.reason,
        "decided_by_id": acting.person_id,
        "decided_at": now,
    }
    if accept:
        values |= {"evidence": ClaimEvidence.NETWORK, "verified_at": now}
    decide = (
        update(SpaceClaim)
        .where(col(SpaceClaim.id) == claim_id, col(SpaceClaim.state) == ClaimState.PENDING)
        .values(**values)
    )
    if (await session.exec(decide)).rowcount != 1:
        raise Conflict(SpaceClaimErrorCode.CLAIM_DECIDED)
    await session.refresh(claim)
    space = await _space(session, claim.space_id)
    if accept:
        await _hand_over(session, claim, space)
    else:
        await notices.refused(session, claim, space)
    action = AuditAction.SPACE_CLAIM_ACCEPTED if accept else AuditAction.SPACE_CLAIM_REFUSED
    await _audit(session, claim, acting.person_id, action, network=True)
    return claim


async def confirm_space(
    session: AsyncSession, principal: Principal | None, space_id: int, now: datetime | None = None
) -> Space:
    """An admin of the place's organization re-confirms its details: a new year starts."""
    space = await _space(session, space_id)
    acting = require_admin(principal, space.organization_id)
    claim = await current_claim(session, space)
    if claim is None:
        raise Conflict(SpaceClaimErrorCode.NOTHING_TO_CONFIRM)
    claim.verified_at, claim.reminded_at = now or utcnow(), None
    session.add(claim)
    await session.flush()
    await _audit(session, claim, acting.person_id, AuditAction.SPACE_CONFIRMED)
    return space


async def remind_due(session: AsyncSession, now: datetime | None = None) -> int:
    """Ask each place verified 12 months ago, not yet asked, to re-confirm; returns how many."""
    moment = now or utcnow()
    statement = (
        select(SpaceClaim, Space)
        .join(Space, col(Space.id) == col(SpaceClaim.space_id))
        .where(
            col(SpaceClaim.state) == ClaimState.VERIFIED,
            col(SpaceClaim.reminded_at).is_(None),
            col(SpaceClaim.verified_at) <= months_before(moment, RECHECK_MONTHS),
            col(Space.organization_id) == col(SpaceClaim.organization_id),
        )
        .order_by(col(SpaceClaim.id))
        .limit(500)
        .with_for_update(of=SpaceClaim, skip_locked=True)  # several workers: each place once
    )
    rows = (await session.exec(statement)).all()
    for claim, space in rows:
        await notices.recheck(session, claim, space)
        claim.reminded_at = moment
        session.add(claim)
    await session.flush()
    return len(rows)


def verification_state(
    holder_id: int | None, claim: SpaceClaim | None, now: datetime | None = None
) -> VerificationState:
    """What a place shows, from its organization and its verified claim (if any)."""
    if holder_id is None:
        return VerificationState.UNCLAIMED
    if claim is None or claim.verified_at is None or claim.organization_id != holder_id:
        return VerificationState.UNVERIFIED
    if claim.verified_at <= months_before(now or utcnow(), STALE_MONTHS):
        return VerificationState.TO_RECHECK
    return VerificationState.VERIFIED


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` earlier (the month's last day when it has fewer days)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = moment.day
    while True:
        try:
            return moment.replace(year=year, month=month + 1, day=day)
        except ValueError:
            day -= 1


async def current_claim(session: AsyncSession, space: Space) -> SpaceClaim | None:
    """The verified claim of the organization holding the place, if any."""
    if space.organization_id is None:
        return None
    statement = select(SpaceClaim).where(
        SpaceClaim.space_id == space.id,
        SpaceClaim.organization_id == space.organization_id,
        SpaceClaim.state == ClaimState.VERIFIED,
    )
    return (await session.exec(statement.order_by(col(SpaceClaim.id).desc()))).first()


async def verified_claims_of(session: AsyncSession, space_ids: Sequence[int]) -> list[SpaceClaim]:
    """The verified claims of these places (one per place at most), for a loader."""
    statement = select(SpaceClaim).where(
        col(SpaceClaim.space_id).in_(space_ids), SpaceClaim.state == ClaimState.VERIFIED
    )
    return list((await session.exec(statement.order_by(col(SpaceClaim.id)))).all())


async def claims_of_viewer(
    session: AsyncSession, principal: Principal | None, space_id: int | None = None
) -> list[SpaceClaim]:
    """The claims made by the viewer's organizations, newest first; on one place if given."""
    if principal is None or not principal.organization_ids:
        return []
    statement = select(SpaceClaim).where(
        col(SpaceClaim.organization_id).in_(principal.organization_ids)
    )
    if space_id is not None:
        statement = statement.where(SpaceClaim.space_id == space_id)
    return list((await session.exec(statement.order_by(col(SpaceClaim.id).desc()))).all())


async def claims_to_decide(
    session: AsyncSession, principal: Principal | None, network_id: int | None = None
) -> list[SpaceClaim]:
    """Pending claims waiting for the networks the viewer administers, oldest first."""
    if principal is None:
        return []
    networks = [o for o, role in principal.memberships.items() if role.can_administer]
    if network_id is not None:
        networks = [o for o in networks if o == network_id]
    statement = select(SpaceClaim).where(
        col(SpaceClaim.network_id).in_(networks), SpaceClaim.state == ClaimState.PENDING
    )
    return list((await session.exec(statement.order_by(col(SpaceClaim.id)))).all())


async def _verify_at_once(session: AsyncSession, claim: SpaceClaim, space: Space) -> SpaceClaim:
    """The place becomes the claimant's, unless another organization took it a moment ago (two
    claims at once): then nothing is written and the claimant claims again, as a dispute."""
    now = utcnow()
    take = (
        update(Space)
        .where(
            col(Space.id) == space.id,
            or_(
                col(Space.organization_id).is_(None),
                col(Space.organization_id) == claim.organization_id,
            ),
        )
        .values(organization_id=claim.organization_id, updated_at=now)
    )
    if (await session.exec(take)).rowcount != 1:
        raise Conflict(SpaceClaimErrorCode.CLAIMED_MEANWHILE)
    await session.refresh(space)
    claim.state, claim.decided_at, claim.verified_at = ClaimState.VERIFIED, now, now
    session.add(claim)
    await session.flush()
    await _audit(session, claim, claim.person_id, AuditAction.SPACE_CLAIM_VERIFIED)
    await notices.verified(session, claim, space)
    return claim


async def _hand_over(session: AsyncSession, claim: SpaceClaim, space: Space) -> None:
    """The place becomes the claimant's; whoever held it before is told, their claim replaced."""
    previous = space.organization_id
    if previous is not None and previous != claim.organization_id:
        claim.holder_id = previous  # whom the network's decision replaced, even if it came later
        session.add(claim)
    replace = (
        update(SpaceClaim)
        .where(
            col(SpaceClaim.space_id) == space.id,
            col(SpaceClaim.state) == ClaimState.VERIFIED,
            col(SpaceClaim.id) != claim.id,
        )
        .values(state=ClaimState.REPLACED)
    )
    await session.exec(replace)
    space.organization_id, space.updated_at = claim.organization_id, utcnow()
    session.add(space)
    await session.flush()
    await notices.verified(session, claim, space)
    if previous is not None and previous != claim.organization_id:
        await notices.replaced(session, previous, space)


async def _deciding_network(session: AsyncSession, space: Space, claimant_id: int) -> int:
    covering = await networks_covering(session, space.commune_insee)
    deciders = [network for network in covering if network != claimant_id]
    if not deciders:
        raise Conflict(SpaceClaimErrorCode.NO_NETWORK_COVERS)
    return deciders[0]


async def _no_pending(session: AsyncSession, space_id: int, organization_id: int) -> None:
    statement = select(SpaceClaim.id).where(
        SpaceClaim.space_id == space_id,
        SpaceClaim.organization_id == organization_id,
        SpaceClaim.state == ClaimState.PENDING,
    )
    if (await session.exec(statement)).first() is not None:
        raise Conflict(SpaceClaimErrorCode.CLAIM_ALREADY_PENDING)


async def _space(session: AsyncSession, space_id: int) -> Space:
    space = await session.get(Space, space_id)
    if space is None:
        raise NotFound(SpaceErrorCode.SPACE_NOT_FOUND, value=str(space_id))
    return space


async def _name(session: AsyncSession, organization_id: int) -> str:
    organization = await session.get(Organization, organization_id)
    return organization.name if organization else "une autre organisation"


async def _audit(
    session: AsyncSession,
    claim: SpaceClaim,
    actor_id: int | None,
    action: AuditAction,
    *,
    network: bool = False,
) -> None:
    """In the claimant's trail, and the holder's and (for a decision) the network's."""
    details = {
        "claim_id": claim.id,
        "space_id": claim.space_id,
        "claimant_id": claim.organization_id,
        "state": claim.state,
        "evidence": claim.evidence,
        "reason": claim.reason,
    }
    targets = [claim.organization_id, claim.holder_id, claim.network_id if network else None]
    for organization_id in dict.fromkeys(t for t in targets if t is not None):
        await record(session, organization_id, actor_id, action, details)
