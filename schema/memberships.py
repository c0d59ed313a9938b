"""Joining and leaving organizations: invitations, requests, roles, revocations, validation.

Each mutation calls one service through `run_mutation` (one commit); the services check roles
and write the audit events.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from core import models
from core.error_codes import MembershipErrorCode, OrganizationErrorCode
from core.errors import ErrorCode, InvalidInput, NotFound
from core.services import memberships as service
from core.services.networks import validate_member
from core.services.validation import parse
from schema.context import Info
from schema.enums import Role
from schema.errors import ConflictError, InputError, NotFoundError, run_mutation
from schema.organizations import Invitation, Membership, MembershipRequest, Organization
from schema.relay import NodeId, expect_id, input_id, required_id


@strawberry.input(description="Invite someone by e-mail; only an OWNER invites an OWNER.")
class OrganizationInviteInput:
    organization_id: strawberry.ID = strawberry.field(description="The organization to join.")
    email: str = strawberry.field(description="The address to invite.")
    role: Role = strawberry.field(default=Role.MEMBER, description="The role to give.")


@strawberry.input(description="Ask to join an organization.")
class MembershipRequestInput:
    organization_id: strawberry.ID = strawberry.field(description="The organization to join.")
    message: str = strawberry.field(default="", description="A word for its admins.")


@strawberry.input(
    description="Accept an invitation (its token, as the invited person) or a request to join "
    "(its id, as an admin of the organization). Give exactly one."
)
class MembershipAcceptInput:
    invitation_token: str | None = strawberry.field(
        default=None, description="The one-time token of an invitation sent to you."
    )
    request_id: strawberry.ID | None = strawberry.field(
        default=None, description="A pending request to join your organization."
    )


@strawberry.input(description="Give a member another role.")
class MembershipRoleChangeInput:
    membership_id: strawberry.ID = strawberry.field(description="The membership to change.")
    role: Role = strawberry.field(description="The new role.")


@strawberry.type(description="The invitation was created; send its token to the address.")
class OrganizationInviteSuccess:
    invitation: Invitation = strawberry.field(description="The invitation.")
    token: str = strawberry.field(
        description="The one-time token that accepts it. Shown once, never again."
    )


@strawberry.type(description="The request was sent to the organization's admins.")
class MembershipRequestSuccess:
    request: MembershipRequest = strawberry.field(description="The pending request.")


@strawberry.type(description="The membership that was created or changed.")
class MembershipSuccess:
    membership: Membership = strawberry.field(description="The membership.")


@strawberry.type(description="The request was refused.")
class MembershipRefuseSuccess:
    request: MembershipRequest = strawberry.field(description="The refused request.")


@strawberry.type(description="The membership was removed, and its person's tokens for it revoked.")
class MembershipRevokeSuccess:
    revoked_id: strawberry.ID = strawberry.field(description="The id the membership had.")


@strawberry.type(description="The organization is verified by its network.")
class OrganizationValidateSuccess:
    organization: Organization = strawberry.field(description="The verified organization.")


OrganizationInviteResult = Annotated[
    OrganizationInviteSuccess | InputError | ConflictError,
    strawberry.union(
        "OrganizationInviteResult",
        description="The invitation and its token, or why it was not created.",
    ),
]
MembershipRequestResult = Annotated[
    MembershipRequestSuccess | InputError | NotFoundError | ConflictError,
    strawberry.union(
        "MembershipRequestResult", description="The pending request, or why it was not made."
    ),
]
MembershipAcceptResult = Annotated[
    MembershipSuccess | InputError | NotFoundError | ConflictError,
    strawberry.union(
        "MembershipAcceptResult", description="The new membership, or why it was not created."
    ),
]
MembershipRefuseResult = Annotated[
    MembershipRefuseSuccess | NotFoundError | ConflictError,
    strawberry.union(
        "MembershipRefuseResult", description="The refused request, or why it was not refused."
    ),
]
MembershipRoleChangeResult = Annotated[
    MembershipSuccess | InputError | NotFoundError | ConflictError,
    strawberry.union(
        "MembershipRoleChangeResult",
        description="The changed membership, or why it was not changed.",
    ),
]
MembershipRevokeResult = Annotated[
    MembershipRevokeSuccess | NotFoundError | ConflictError,
    strawberry.union(
        "MembershipRevokeResult", description="The removed membership's id, or why it stays."
    ),
]
OrganizationValidateResult = Annotated[
    OrganizationValidateSuccess | NotFoundError,
    strawberry.union(
        "OrganizationValidateResult", description="The verified organization, or why not."
    ),
]


_NOT_FOUND: dict[str, ErrorCode] = {
    "MembershipRequest": MembershipErrorCode.MEMBERSHIP_REQUEST_NOT_FOUND,
    "Membership": MembershipErrorCode.MEMBERSHIP_NOT_FOUND,
    "Organization": OrganizationErrorCode.ORGANIZATION_NOT_FOUND,
}


def _pk(global_id: str, type_name: str) -> int:
    """The primary key of a `type_name` id; any other id names nothing here."""
    pk = expect_id(global_id, type_name)
    if pk is None:
        message = f"No {type_name} with id {global_id}."
        raise NotFound(_NOT_FOUND[type_name], message, value=global_id)
    return pk


def _membership_success(row: models.Membership) -> MembershipSuccess:
    return MembershipSuccess(membership=Membership.from_row(row))


@strawberry.type
class MembershipMutation:
    @strawberry.mutation(
        description="Invite someone by e-mail to join an organization you administer."
    )
    async def organization_invite(
        self,
        info: Info,
        input: Annotated[OrganizationInviteInput, strawberry.argument(description="Who and how.")],
    ) -> OrganizationInviteResult:
        async def invite() -> service.IssuedInvitation:
            organization_id = required_id(input.organization_id, "Organization", "organization_id")
            draft = parse(service.InvitationDraft, {"email": input.email, "role": input.role})
            return await service.invite(
                info.context.session, info.context.principal, organization_id, draft
            )

        return await run_mutation(
            info,
            invite,
            lambda issued: OrganizationInviteSuccess(
                invitation=Invitation.from_row(issued.invitation), token=issued.token
            ),
        )

    @strawberry.mutation(description="Ask to join an organization; its admins accept or refuse.")
    async def membership_request(
        self,
        info: Info,
        input: Annotated[MembershipRequestInput, strawberry.argument(description="The request.")],
    ) -> MembershipRequestResult:
        async def ask() -> models.MembershipRequest:
            organization_id = required_id(input.organization_id, "Organization", "organization_id")
            draft = parse(service.RequestDraft, {"message": input.message})
            return await service.request_membership(
                info.context.session, info.context.principal, organization_id, draft
            )

        return await run_mutation(
            info, ask, lambda row: MembershipRequestSuccess(request=MembershipRequest.from_row(row))
        )

    @strawberry.mutation(
        description="Join with an invitation's token, or, as an admin, accept a request to join."
    )
    async def membership_accept(
        self,
        info: Info,
        input: Annotated[MembershipAcceptInput, strawberry.argument(description="What to accept.")],
    ) -> MembershipAcceptResult:
        async def accept() -> models.Membership:
            session, principal = info.context.session, info.context.principal
            if (input.invitation_token is None) == (input.request_id is None):
                raise InvalidInput.one("input", MembershipErrorCode.TOKEN_OR_REQUEST)
            if input.invitation_token is not None:
                return await service.accept_invitation(session, principal, input.invitation_token)
            request_id = input_id(input.request_id, "MembershipRequest", "request_id")
            assert request_id is not None
            return await service.accept_request(session, principal, request_id)

        return await run_mutation(info, accept, _membership_success)

    @strawberry.mutation(description="Refuse a pending request to join your organization.")
    async def membership_refuse(self, info: Info, id: NodeId) -> MembershipRefuseResult:
        async def refuse() -> models.MembershipRequest:
            return await service.refuse_request(
                info.context.session, info.context.principal, _pk(id, "MembershipRequest")
            )

        return await run_mutation(
            info,
            refuse,
            lambda row: MembershipRefuseSuccess(request=MembershipRequest.from_row(row)),
        )

    @strawberry.mutation(
        description="Change a member's role (ADMIN or OWNER). Only an OWNER makes or unmakes "
        "OWNERs; the last OWNER stays."
    )
    async def membership_role_change(
        self,
        info: Info,
        input: Annotated[MembershipRoleChangeInput, strawberry.argument(description="The change.")],
    ) -> MembershipRoleChangeResult:
        async def change() -> models.Membership:
            membership_id = input_id(input.membership_id, "Membership", "membership_id")
            assert membership_id is not None
            return await service.change_role(
                info.context.session, info.context.principal, membership_id, input.role
            )

        return await run_mutation(info, change, _membership_success)

    @strawberry.mutation(
        description="Remove a member (ADMIN or OWNER), or leave an organization yourself. "
        "The last OWNER stays."
    )
    async def membership_revoke(self, info: Info, id: NodeId) -> MembershipRevokeResult:
        async def remove() -> models.Membership:
            return await service.revoke(
                info.context.session, info.context.principal, _pk(id, "Membership")
            )

        return await run_mutation(info, remove, lambda _: MembershipRevokeSuccess(revoked_id=id))

    @strawberry.mutation(
        description="As an admin of a network (RESEAU), mark one of its member organizations "
        "verified."
    )
    async def organization_validate(self, info: Info, id: NodeId) -> OrganizationValidateResult:
        async def validate() -> models.Organization:
            return await validate_member(
                info.context.session, info.context.principal, _pk(id, "Organization")
            )

        return await run_mutation(
            info,
            validate,
            lambda row: OrganizationValidateSuccess(organization=Organization.from_row(row)),
        )
