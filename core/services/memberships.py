"""Who belongs to an organization: invitations, requests to join, roles, revocations.

Every change writes an audit event in the same transaction. An organization always keeps at
least one OWNER, and only an OWNER makes or unmakes OWNERs.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.error_codes import MembershipErrorCode, OrganizationErrorCode
from core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from core.models import (
    AccessToken,
    AuditAction,
    Invitation,
    Membership,
    MembershipRequest,
    MembershipRequestState,
    Organization,
    Person,
    Role,
)
from core.models.base import utcnow
from core.services.audit import record
from core.services.claim_evidence import email_domain
from core.services.membership_notices import notify_accepted, notify_admins
from core.services.pagination import Page, PageRequest, paginate
from core.services.principal import Principal, require_admin, require_member, require_principal
from core.services.tokens import hash_secret

logger = logging.getLogger("entrelieux.memberships")

INVITATION_PREFIX = "elxi_"
INVITATION_LIFETIME = timedelta(days=7)


class InvitationDraft(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: str = Field(max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    role: Role = Role.MEMBER


class RequestDraft(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    message: str = Field(default="", max_length=2000)


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str
    """Sent to the invited address once; only its SHA-256 is stored."""


async def invite(
    session: AsyncSession, principal: Principal | None, organization_id: int, draft: InvitationDraft
) -> IssuedInvitation:
    """An admin invites an e-mail address; only an OWNER invites another OWNER."""
    acting = require_admin(principal, organization_id)
    if draft.role == Role.OWNER:
        _require_owner(acting, organization_id)
    email = draft.email.lower()
    member = select(Membership.id).join(Person, col(Person.id) == col(Membership.person_id))
    member = member.where(Membership.organization_id == organization_id, Person.email == email)
    if (await session.exec(member)).first() is not None:
        raise Conflict(MembershipErrorCode.EMAIL_ALREADY_MEMBER, value=email)
    token = INVITATION_PREFIX + secrets.token_urlsafe(32)
    invitation = Invitation(
        organization_id=organization_id,
        email=email,
        role=draft.role,
        token_hash=hash_secret(token),
        invited_by_id=acting.person_id,
        expires_at=utcnow() + INVITATION_LIFETIME,
    )
    session.add(invitation)
    await session.flush()
    details = {"invitation_id": invitation.id, "email": email, "role": draft.role}
    await record(session, organization_id, acting.person_id, AuditAction.MEMBER_INVITED, details)
    return IssuedInvitation(invitation=invitation, token=token)


async def accept_invitation(
    session: AsyncSession, principal: Principal | None, token: str
) -> Membership:
    """The signed-in person joins with the role they were invited for; the token is then spent."""
    acting = require_principal(principal)
    statement = select(Invitation).where(Invitation.token_hash == hash_secret(token.strip()))
    invitation = (await session.exec(statement)).first()
    if invitation is None:
        raise NotFound(MembershipErrorCode.INVITATION_NOT_FOUND)
    if invitation.accepted_at is not None:
        raise Conflict(MembershipErrorCode.INVITATION_USED)
    if invitation.expires_at <= utcnow():
        raise Conflict(MembershipErrorCode.INVITATION_EXPIRED)
    await _addressed_to(session, acting.person_id, invitation)
    await _not_yet_member(session, acting.person_id, invitation.organization_id)
    spend = (
        update(Invitation)
        .where(col(Invitation.id) == invitation.id, col(Invitation.accepted_at).is_(None))
        .values(accepted_at=utcnow(), accepted_by_id=acting.person_id)
    )
    if (await session.exec(spend)).rowcount != 1:
        raise Conflict(MembershipErrorCode.INVITATION_USED)
    await session.refresh(invitation)
    source = {"invitation_id": invitation.id}
    organization_id, role = invitation.organization_id, invitation.role
    return await _join(session, acting.person_id, organization_id, role, source, acting.person_id)


async def accept_invitations_to_verified_email(session: AsyncSession, person: Person) -> int:
    """At sign-in, the open invitations addressed to the person's e-mail, when their provider
    verified it (`Person.email_verified`): holding the address is what the token proves, so the
    person joins with the role they were invited for, as if they had followed the link. Returns
    how many they accepted; an invitation to an organization they already belong to stays open."""
    if person.id is None or not person.email or not person.email_verified:
        return 0
    statement = select(Invitation).where(
        Invitation.email == person.email.lower(),
        col(Invitation.accepted_at).is_(None),
        col(Invitation.expires_at) > utcnow(),
    )
    accepted = 0
    for invitation in (await session.exec(statement.order_by(col(Invitation.id)))).all():
        member = select(Membership.id).where(
            Membership.person_id == person.id,
            Membership.organization_id == invitation.organization_id,
        )
        if (await session.exec(member)).first() is not None:
            continue
        spend = (
            update(Invitation)
            .where(col(Invitation.id) == invitation.id, col(Invitation.accepted_at).is_(None))
            .values(accepted_at=utcnow(), accepted_by_id=person.id)
        )
        if (await session.exec(spend)).rowcount != 1:
            continue  # followed by its link meanwhile
        source = {"invitation_id": invitation.id, "by": "verified_email"}
        organization_id, role = invitation.organization_id, invitation.role
        await _join(session, person.id, organization_id, role, source, person.id)
        accepted += 1
    return accepted


async def request_membership(
    session: AsyncSession, principal: Principal | None, organization_id: int, draft: RequestDraft
) -> MembershipRequest:
    """A signed-in person asks to join; the organization's admins accept or refuse."""
    acting = require_principal(principal)
    organization = await session.get(Organization, organization_id)
    if organization is None:
        raise NotFound(OrganizationErrorCode.ORGANIZATION_NOT_FOUND, value=str(organization_id))
    await _not_yet_member(session, acting.person_id, organization_id)
    pending = select(MembershipRequest.id).where(
        MembershipRequest.person_id == acting.person_id,
        MembershipRequest.organization_id == organization_id,
        MembershipRequest.state == MembershipRequestState.PENDING,
    )
    if (await session.exec(pending)).first() is not None:
        raise Conflict(MembershipErrorCode.ALREADY_REQUESTED)
    request = MembershipRequest(
        person_id=acting.person_id, organization_id=organization_id, message=draft.message
    )
    session.add(request)
    await session.flush()
    details = {"request_id": request.id}
    action = AuditAction.MEMBERSHIP_REQUESTED
    await record(session, organization_id, acting.person_id, action, details)
    await notify_admins(session, request, organization)
    return request


async def accept_request(
    session: AsyncSession, principal: Principal | None, request_id: int
) -> Membership:
    """An admin accepts a pending request: the person becomes a MEMBER."""
    request, acting = await _decide(session, principal, request_id, accept=True)
    source = {"request_id": request_id}
    membership = await _join(
        session, request.person_id, request.organization_id, Role.MEMBER, source, acting.person_id
    )
    await notify_accepted(session, request)
    return membership


async def refuse_request(
    session: AsyncSession, principal: Principal | None, request_id: int
) -> MembershipRequest:
    """An admin refuses a pending request."""
    request, acting = await _decide(session, principal, request_id, accept=False)
    details = {"request_id": request_id, "person_id": request.person_id}
    action = AuditAction.MEMBER_REFUSED
    await record(session, request.organization_id, acting.person_id, action, details)
    return request


async def _decide(
    session: AsyncSession, principal: Principal | None, request_id: int, *, accept: bool
) -> tuple[MembershipRequest, Principal]:
    """Move a PENDING request to its decision, once, even with two admins deciding at once."""
    request = await session.get(MembershipRequest, request_id)
    if request is None:
        raise NotFound(MembershipErrorCode.MEMBERSHIP_REQUEST_NOT_FOUND, value=str(request_id))
    acting = require_admin(principal, request.organization_id)
    if accept and request.state == MembershipRequestState.PENDING:
        await _not_yet_member(session, request.person_id, request.organization_id)
    state = MembershipRequestState.ACCEPTED if accept else MembershipRequestState.REFUSED
    decide = (
        update(MembershipRequest)
        .where(
            col(MembershipRequest.id) == request_id,
            col(MembershipRequest.state) == MembershipRequestState.PENDING,
        )
        .values(state=state, decided_by_id=acting.person_id, decided_at=utcnow())
    )
    if (await session.exec(decide)).rowcount != 1:
        raise Conflict(MembershipErrorCode.REQUEST_DECIDED)
    await session.refresh(request)
    return request, acting


async def change_role(
    session: AsyncSession, principal: Principal | None, membership_id: int, role: Role
) -> Membership:
    """An admin changes a member's role; OWNER changes need an OWNER; one OWNER always stays."""
    membership = await _membership(session, membership_id)
    acting = require_admin(principal, membership.organization_id)
    if Role.OWNER in (role, membership.role):
        _require_owner(acting, membership.organization_id)
    if membership.role == role:
        return membership
    if membership.role == Role.OWNER:
        await _keep_an_owner(session, membership)
    previous, membership.role = membership.role, role
    session.add(membership)
    await session.flush()
    details = {
        "membership_id": membership.id,
        "person_id": membership.person_id,
        "from": previous,
        "to": role,
    }
    action = AuditAction.ROLE_CHANGED
    await record(session, membership.organization_id, acting.person_id, action, details)
    return membership


async def revoke(
    session: AsyncSession, principal: Principal | None, membership_id: int
) -> Membership:
    """An admin removes a member, or a member leaves; their tokens for it are revoked too."""
    membership = await _membership(session, membership_id)
    acting = require_principal(principal)
    leaving = membership.person_id == acting.person_id
    if not leaving:
        require_admin(acting, membership.organization_id)
        if membership.role == Role.OWNER:
            _require_owner(acting, membership.organization_id)
    if membership.role == Role.OWNER:
        await _keep_an_owner(session, membership)
    tokens = (
        update(AccessToken)
        .where(
            col(AccessToken.person_id) == membership.person_id,
            col(AccessToken.organization_id) == membership.organization_id,
            col(AccessToken.revoked_at).is_(None),
        )
        .values(revoked_at=utcnow())
    )
    await session.exec(tokens)
    await session.delete(membership)
    await session.flush()
    details = {"membership_id": membership_id, "person_id": membership.person_id, "left": leaving}
    action = AuditAction.MEMBER_REVOKED
    await record(session, membership.organization_id, acting.person_id, action, details)
    return membership


async def browse_members(
    session: AsyncSession, principal: Principal | None, organization_id: int, page: PageRequest
) -> Page[Membership]:
    """An organization's memberships, oldest first: for its members only."""
    require_member(principal, organization_id)
    statement = select(Membership).where(Membership.organization_id == organization_id)
    return await paginate(session, statement, Membership.id, page)


async def pending_requests(
    session: AsyncSession, principal: Principal | None, organization_id: int
) -> list[MembershipRequest]:
    """Requests to join waiting for a decision, oldest first: for the organization's admins."""
    require_admin(principal, organization_id)
    statement = (
        select(MembershipRequest)
        .where(
            MembershipRequest.organization_id == organization_id,
            MembershipRequest.state == MembershipRequestState.PENDING,
        )
        .order_by(col(MembershipRequest.id))
    )
    return list((await session.exec(statement)).all())


async def my_pending_requests(
    session: AsyncSession, principal: Principal | None
) -> list[MembershipRequest]:
    """The signed-in person's own requests to join still waiting, oldest first."""
    acting = require_principal(principal)
    statement = (
        select(MembershipRequest)
        .where(
            MembershipRequest.person_id == acting.person_id,
            MembershipRequest.state == MembershipRequestState.PENDING,
        )
        .order_by(col(MembershipRequest.id))
    )
    return list((await session.exec(statement)).all())


async def open_invitations(
    session: AsyncSession, principal: Principal | None, organization_id: int
) -> list[Invitation]:
    """Invitations neither accepted nor expired, newest first: for the organization's admins."""
    require_admin(principal, organization_id)
    statement = (
        select(Invitation)
        .where(
            Invitation.organization_id == organization_id,
            col(Invitation.accepted_at).is_(None),
            col(Invitation.expires_at) > utcnow(),
        )
        .order_by(col(Invitation.id).desc())
    )
    return list((await session.exec(statement)).all())


async def memberships_of(session: AsyncSession, person_id: int) -> list[Membership]:
    statement = select(Membership).where(Membership.person_id == person_id)
    return list((await session.exec(statement.order_by(col(Membership.id)))).all())


async def people_by_ids(session: AsyncSession, ids: Sequence[int]) -> list[Person]:
    statement = select(Person).where(col(Person.id).in_(ids))
    return list((await session.exec(statement)).all())


async def _join(
    session: AsyncSession,
    person_id: int,
    organization_id: int,
    role: Role,
    source: Mapping[str, object],
    actor_id: int,
) -> Membership:
    membership = Membership(person_id=person_id, organization_id=organization_id, role=role)
    session.add(membership)
    await session.flush()
    details = {**source, "membership_id": membership.id, "person_id": person_id, "role": role}
    await record(session, organization_id, actor_id, AuditAction.MEMBER_ACCEPTED, details)
    return membership


async def _membership(session: AsyncSession, membership_id: int) -> Membership:
    membership = await session.get(Membership, membership_id)
    if membership is None:
        raise NotFound(MembershipErrorCode.MEMBERSHIP_NOT_FOUND, value=str(membership_id))
    return membership


async def _addressed_to(session: AsyncSession, person_id: int, invitation: Invitation) -> None:
    """The token was sent to one address: only the person signed in with it may use it (a
    forwarded or leaked link does not make its holder a member). Addresses match without case.
    Refused as a wrong `invitationToken` (an `InputError`): the union of `membershipAccept` has
    no `NotAllowedError`, whose presence would turn its FORBIDDEN refusals into members."""
    person = await session.get(Person, person_id)
    email = (person.email or "") if person is not None else ""
    if email.lower() != invitation.email.lower():
        logger.warning(
            "invitation %s refused: sent to an address at %s, used by person %s (address at %s)",
            invitation.id,
            email_domain(invitation.email),
            person_id,
            email_domain(email) or "none",
        )
        raise InvalidInput.one(
            "invitation_token", MembershipErrorCode.INVITATION_FOR_ANOTHER_ADDRESS
        )


async def _not_yet_member(session: AsyncSession, person_id: int, organization_id: int) -> None:
    statement = select(Membership.id).where(
        Membership.person_id == person_id, Membership.organization_id == organization_id
    )
    if (await session.exec(statement)).first() is not None:
        raise Conflict(MembershipErrorCode.ALREADY_MEMBER)


async def _keep_an_owner(session: AsyncSession, membership: Membership) -> None:
    """Refuse to remove the last OWNER. The rows are locked so two owners cannot both leave."""
    owners = (
        select(Membership.id)
        .where(
            Membership.organization_id == membership.organization_id,
            Membership.role == Role.OWNER,
        )
        .with_for_update()
    )
    if len((await session.exec(owners)).all()) <= 1:
        raise Conflict(MembershipErrorCode.LAST_OWNER)


def _require_owner(acting: Principal, organization_id: int) -> None:
    if acting.role_in(organization_id) != Role.OWNER:
        raise NotAllowed(MembershipErrorCode.OWNER_ROLE_REQUIRED)
