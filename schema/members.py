"""People and their memberships, as members of an organization see them, and its audit trail.

`OrganizationAccess` adds `members` and `auditEvents` to `Organization`: members see who
belongs; only admins read the audit trail. Anyone else gets a FORBIDDEN top-level error.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Annotated, cast

import strawberry
from strawberry.scalars import JSON

from core import models
from core.errors import DomainError
from core.models import AuditAction
from core.services import audit, memberships
from schema.context import Info
from schema.enums import Role
from schema.errors import top_level
from schema.limits import page_request
from schema.relay import After, Connection, First, to_global_id

if TYPE_CHECKING:
    from schema.memberships import Invitation, MembershipRequest
    from schema.organizations import Organization

strawberry.enum(
    AuditAction,
    description="What happened: a sign-in, a role change, a token created or revoked, a member "
    "invited, accepted, refused or revoked, a request to join, a validation by the network.",
)

LazyOrganization = Annotated["Organization", strawberry.lazy("schema.organizations")]
LazyMembershipRequest = Annotated["MembershipRequest", strawberry.lazy("schema.memberships")]
LazyInvitation = Annotated["Invitation", strawberry.lazy("schema.memberships")]


async def organization_of(info: Info, pk: int) -> Organization:
    from schema.organizations import load_organization

    organization = await load_organization(info, pk)
    assert organization is not None
    return organization


@strawberry.type(description="A person, as the members of their organizations see them.")
class Person:
    pk: strawberry.Private[int]
    id: strawberry.ID = strawberry.field(description="The person's global id.")
    display_name: str = strawberry.field(description="The name they go by.")
    email: str | None = strawberry.field(description="Their e-mail address, if known.")

    @classmethod
    def from_row(cls, row: models.Person) -> Person:
        assert row.id is not None
        return cls(
            pk=row.id,
            id=to_global_id("Person", row.id),
            display_name=row.display_name,
            email=row.email,
        )


@strawberry.type(description="A person's role in an organization.")
class Membership:
    pk: strawberry.Private[int]
    person_pk: strawberry.Private[int]
    organization_pk: strawberry.Private[int]
    id: strawberry.ID = strawberry.field(description="The membership's global id.")
    role: Role = strawberry.field(description="OWNER, ADMIN or MEMBER.")
    created_at: datetime.datetime = strawberry.field(description="When the person joined.")

    @classmethod
    def from_row(cls, row: models.Membership) -> Membership:
        assert row.id is not None
        return cls(
            pk=row.id,
            person_pk=row.person_id,
            organization_pk=row.organization_id,
            id=to_global_id("Membership", row.id),
            role=row.role,
            created_at=row.created_at,
        )

    @strawberry.field(description="The organization.")
    async def organization(self, info: Info) -> LazyOrganization:
        return await organization_of(info, self.organization_pk)

    @strawberry.field(description="The member.")
    async def person(self, info: Info) -> Person:
        row = await info.context.loaders.person_by_id.load(self.person_pk)
        assert row is not None
        return Person.from_row(row)


@strawberry.type(description="Something that happened to an organization, and who did it.")
class AuditEvent:
    pk: strawberry.Private[int]
    actor_pk: strawberry.Private[int | None]
    id: strawberry.ID = strawberry.field(description="The event's global id.")
    action: AuditAction = strawberry.field(description="What happened.")
    details: JSON = strawberry.field(description="Facts about it (ids, roles); never a secret.")
    created_at: datetime.datetime = strawberry.field(description="When it happened.")

    @classmethod
    def from_row(cls, row: models.AuditEvent) -> AuditEvent:
        assert row.id is not None
        return cls(
            pk=row.id,
            actor_pk=row.actor_id,
            id=to_global_id("AuditEvent", row.id),
            action=row.action,
            details=cast(JSON, row.details),
            created_at=row.created_at,
        )

    @strawberry.field(description="Who did it; null for the system or a deleted person.")
    async def actor(self, info: Info) -> Person | None:
        if self.actor_pk is None:
            return None
        row = await info.context.loaders.person_by_id.load(self.actor_pk)
        return Person.from_row(row) if row else None


@strawberry.type
class OrganizationAccess:
    """Fields of `Organization` that only its members (or admins) may read."""

    pk: strawberry.Private[int]

    @strawberry.field(description="Its members, oldest first. For its members only.")
    async def members(
        self, info: Info, first: First = 20, after: After = None
    ) -> Connection[Membership]:
        request = page_request(first, after, info.context.settings)
        try:
            page = await memberships.browse_members(
                info.context.session, info.context.principal, self.pk, request
            )
        except DomainError as error:
            raise top_level(error) from None
        nodes = [Membership.from_row(row) for row in page.items]
        return Connection.of(page, nodes, lambda m: m.pk, after)

    @strawberry.field(
        description="Requests to join waiting for a decision, oldest first. For its OWNERs and "
        "ADMINs."
    )
    async def pending_requests(self, info: Info) -> list[LazyMembershipRequest]:
        from schema.memberships import MembershipRequest

        try:
            rows = await memberships.pending_requests(
                info.context.session, info.context.principal, self.pk
            )
        except DomainError as error:
            raise top_level(error) from None
        return [MembershipRequest.from_row(row) for row in rows]

    @strawberry.field(
        description="Invitations not yet accepted nor expired, newest first. For its OWNERs and "
        "ADMINs."
    )
    async def open_invitations(self, info: Info) -> list[LazyInvitation]:
        from schema.memberships import Invitation

        try:
            rows = await memberships.open_invitations(
                info.context.session, info.context.principal, self.pk
            )
        except DomainError as error:
            raise top_level(error) from None
        return [Invitation.from_row(row) for row in rows]

    @strawberry.field(description="What happened to it, newest first. For its OWNERs and ADMINs.")
    async def audit_events(
        self, info: Info, first: First = 20, after: After = None
    ) -> Connection[AuditEvent]:
        request = page_request(first, after, info.context.settings)
        try:
            page = await audit.browse_audit_events(
                info.context.session, info.context.principal, self.pk, request
            )
        except DomainError as error:
            raise top_level(error) from None
        nodes = [AuditEvent.from_row(row) for row in page.items]
        return Connection.of(page, nodes, lambda e: e.pk, after)
