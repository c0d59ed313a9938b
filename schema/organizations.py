"""Organizations: the type and who belongs to it (memberships, requests to join, invitations), its
queries and `organizationCreate`.

`Organization.members`, `auditEvents`, `pendingRequests` and `openInvitations` are for its members
(or admins) only: anyone else gets a FORBIDDEN top-level error. These types refer to each other, so
they live in one module.
"""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import Callable
from typing import Annotated, Any

import strawberry
from sqlalchemy import Row

from core import models
from core.models import MembershipRequestState
from core.services import audit, memberships, trainings
from core.services import organizations as service
from core.services.validation import parse
from schema.context import Info
from schema.enums import OrganizationKind, Role, Sector, VerificationMethod
from schema.errors import (
    ConflictError,
    InputError,
    NotFoundError,
    read_or_refuse,
    run_mutation,
)
from schema.fast_fields import RowBacked, column, rows
from schema.limits import page_request
from schema.people import AuditEvent, Person, Training, person_of
from schema.photos import Photo, organization_photo
from schema.relay import (
    After,
    Connection,
    First,
    Node,
    NodeId,
    expect_id,
    input_id,
    to_global_id,
)

strawberry.enum(
    MembershipRequestState,
    description="PENDING until an admin ACCEPTED or REFUSED the request.",
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
    async def organization(self, info: Info) -> Organization:
        return await organization_of(info, self.organization_pk)

    @strawberry.field(description="The member.")
    async def person(self, info: Info) -> Person:
        return await person_of(info, self.person_pk)


@strawberry.type(description="An invitation to join an organization, sent to an e-mail address.")
class Invitation:
    organization_pk: strawberry.Private[int]
    id: strawberry.ID = strawberry.field(description="The invitation's global id.")
    email: str = strawberry.field(description="The address invited.")
    role: Role = strawberry.field(description="The role given on acceptance.")
    expires_at: datetime.datetime = strawberry.field(description="It cannot be used after this.")

    @classmethod
    def from_row(cls, row: models.Invitation) -> Invitation:
        assert row.id is not None
        return cls(
            organization_pk=row.organization_id,
            id=to_global_id("Invitation", row.id),
            email=row.email,
            role=row.role,
            expires_at=row.expires_at,
        )

    @strawberry.field(description="The organization to join.")
    async def organization(self, info: Info) -> Organization:
        return await organization_of(info, self.organization_pk)


@strawberry.type(description="A person's request to join an organization.")
class MembershipRequest:
    person_pk: strawberry.Private[int]
    organization_pk: strawberry.Private[int]
    id: strawberry.ID = strawberry.field(description="The request's global id.")
    message: str = strawberry.field(description="What the person wrote to the admins.")
    state: MembershipRequestState = strawberry.field(description="Where the request stands.")
    created_at: datetime.datetime = strawberry.field(description="When it was made.")

    @classmethod
    def from_row(cls, row: models.MembershipRequest) -> MembershipRequest:
        assert row.id is not None
        return cls(
            person_pk=row.person_id,
            organization_pk=row.organization_id,
            id=to_global_id("MembershipRequest", row.id),
            message=row.message,
            state=row.state,
            created_at=row.created_at,
        )

    @strawberry.field(description="The organization asked.")
    async def organization(self, info: Info) -> Organization:
        return await organization_of(info, self.organization_pk)

    @strawberry.field(description="Who asks to join.")
    async def person(self, info: Info) -> Person:
        return await person_of(info, self.person_pk)


@strawberry.type
class OrganizationAccess:
    """Fields of `Organization` that only its members (or admins) may read."""

    pk: strawberry.Private[int]

    @strawberry.field(description="Its members, oldest first. For its members only.")
    async def members(
        self, info: Info, first: First = 20, after: After = None
    ) -> Connection[Membership]:
        request = page_request(first, after, info.context.settings)
        page = await read_or_refuse(
            memberships.browse_members(
                info.context.session, info.context.principal, self.pk, request
            )
        )
        nodes = [Membership.from_row(row) for row in page.items]
        return Connection.of(page, nodes, lambda m: m.pk, after)

    @strawberry.field(
        description="Requests to join waiting for a decision, oldest first. For its OWNERs and "
        "ADMINs."
    )
    async def pending_requests(self, info: Info) -> list[MembershipRequest]:
        rows = await read_or_refuse(
            memberships.pending_requests(info.context.session, info.context.principal, self.pk)
        )
        return [MembershipRequest.from_row(row) for row in rows]

    @strawberry.field(
        description="Invitations not yet accepted nor expired, newest first. For its OWNERs and "
        "ADMINs."
    )
    async def open_invitations(self, info: Info) -> list[Invitation]:
        rows = await read_or_refuse(
            memberships.open_invitations(info.context.session, info.context.principal, self.pk)
        )
        return [Invitation.from_row(row) for row in rows]

    @strawberry.field(
        description="The trainings it recorded as a lab, revoked and expired included, newest "
        "first. For its OWNERs and ADMINs."
    )
    async def trainings(self, info: Info) -> list[Training]:
        rows = await read_or_refuse(
            trainings.trainings_recorded_by(info.context.session, info.context.principal, self.pk)
        )
        return [Training.from_row(row) for row in rows]

    @strawberry.field(
        description="The labs whose trainings it recognizes (`labRecognitionSet`), beside its "
        "network's labs, which count by default. For its OWNERs and ADMINs."
    )
    async def recognized_labs(self, info: Info) -> list[Organization]:
        ids = await read_or_refuse(
            trainings.recognized_labs_for(info.context.session, info.context.principal, self.pk)
        )
        return list(await asyncio.gather(*(organization_of(info, pk) for pk in ids)))

    @strawberry.field(description="What happened to it, newest first. For its OWNERs and ADMINs.")
    async def audit_events(
        self, info: Info, first: First = 20, after: After = None
    ) -> Connection[AuditEvent]:
        request = page_request(first, after, info.context.settings)
        page = await read_or_refuse(
            audit.browse_audit_events(
                info.context.session, info.context.principal, self.pk, request
            )
        )
        nodes = [AuditEvent.from_row(row) for row in page.items]
        return Connection.of(page, nodes, lambda e: e.pk, after)


@strawberry.type(description="A tiers-lieu, a public or private partner, or a network.")
class Organization(RowBacked, OrganizationAccess, Node):
    row: strawberry.Private[Any]
    """Its row (an `Organization` model or a row of its columns)."""
    pk: strawberry.Private[int]
    parent_pk: strawberry.Private[int | None]
    name: str = strawberry.field(description="The organization's name.")
    kind: OrganizationKind = strawberry.field(description="What kind of organization it is.")
    sector: Sector = strawberry.field(description="Public or private partner.")
    siret: str | None = strawberry.field(description="SIRET of its establishment (14 digits).")
    siren: str | None = strawberry.field(description="SIREN (9 digits), from the SIRET.")
    insee_code: str | None = strawberry.field(description="For a commune: its INSEE code.")
    website: str | None = strawberry.field(description="Its website.")
    description: str = strawberry.field(description="What it does, in its own words.")
    verified: bool = strawberry.field(description="Its identity has been verified.")
    verified_by: VerificationMethod | None = strawberry.field(description="How it was verified.")
    name_confirmed: bool = strawberry.field(
        description="False while its name is provisional (it was created from a SIRET alone): "
        "its OWNER is asked to name it (`organizationRename`)."
    )

    @classmethod
    def from_row(cls, row: models.Organization | Row[Any]) -> Organization:
        """The organization over its row: fields are read from it when a query selects them."""
        organization: Organization = cls.new(row, pk=row.id, parent_pk=row.parent_id)
        return organization

    @strawberry.field(description="The network this organization belongs to.")
    async def parent(self, info: Info) -> Organization | None:
        return await load_organization(info, self.parent_pk)

    @strawberry.field(description="Its photo or logo, if it has one.")
    async def photo(self, info: Info) -> Photo | None:
        return await organization_photo(info, self.pk)


_ORGANIZATION_READS: dict[str, Callable[[Any], Any]] = {
    "id": lambda row: to_global_id("Organization", row.id),
    **{
        name: column(name)
        for name in (
            "name",
            "kind",
            "sector",
            "siret",
            "siren",
            "insee_code",
            "website",
            "description",
            "verified",
            "verified_by",
            "name_confirmed",
        )
    },
}
rows(Organization, "Organization", _ORGANIZATION_READS)


async def load_organization(info: Info, pk: int | None) -> Organization | None:
    if pk is None:
        return None
    row = await info.context.loaders.organization_by_id.load(pk)
    return Organization.from_row(row) if row else None


async def organization_of(info: Info, pk: int) -> Organization:
    organization = await load_organization(info, pk)
    assert organization is not None
    return organization


@strawberry.input(description="Filters on organizations; all given filters must match.")
class OrganizationFilter:
    kind: OrganizationKind | None = strawberry.field(default=None, description="Of this kind.")
    sector: Sector | None = strawberry.field(default=None, description="Of this sector.")
    name_contains: str | None = strawberry.field(
        default=None, description="Part of the name, case-insensitive."
    )
    network_id: strawberry.ID | None = strawberry.field(
        default=None, description="Members of this network."
    )
    query: str | None = strawberry.field(
        default=None,
        description="What a person knows of an organization they want to join: part of its name, "
        "its SIRET or SIREN (9 to 14 digits, from the start), or a commune (name, INSEE code or "
        "postcode) where it is or has a place. At least 2 characters.",
    )


@strawberry.input(description="A new organization. Whoever creates it becomes its OWNER.")
class OrganizationCreateInput:
    name: str = strawberry.field(
        description="Its name, 2 to 200 characters. An INDEPENDANT organization may leave it "
        "empty: it then goes by your name."
    )
    kind: OrganizationKind = strawberry.field(description="What kind of organization.")
    sector: Sector | None = strawberry.field(
        default=None, description="Derived from the kind when not given (COLLECTIVITE is public)."
    )
    siret: str | None = strawberry.field(default=None, description="14 digits, Luhn-checked.")
    insee_code: str | None = strawberry.field(default=None, description="For a commune.")
    network_id: strawberry.ID | None = strawberry.field(
        default=None, description="The network (RESEAU) it belongs to."
    )
    website: str | None = strawberry.field(default=None, description="Its website.")
    description: str = strawberry.field(default="", description="What it does.")


@strawberry.type(description="The organization was created.")
class OrganizationCreateSuccess:
    organization: Organization = strawberry.field(description="The new organization.")


@strawberry.input(description="Give an organization its name (confirms a provisional one).")
class OrganizationRenameInput:
    organization_id: strawberry.ID = strawberry.field(description="An organization you administer.")
    name: str = strawberry.field(description="Its name, 2 to 200 characters.")


@strawberry.type(description="The organization has its new name.")
class OrganizationRenameSuccess:
    organization: Organization = strawberry.field(description="The renamed organization.")


OrganizationCreateResult = Annotated[
    OrganizationCreateSuccess | InputError | ConflictError,
    strawberry.union(
        "OrganizationCreateResult", description="The new organization, or why it was not created."
    ),
]

OrganizationRenameResult = Annotated[
    OrganizationRenameSuccess | InputError | NotFoundError,
    strawberry.union(
        "OrganizationRenameResult", description="The renamed organization, or why not."
    ),
]


@strawberry.type
class OrganizationQuery:
    @strawberry.field(
        description="Organizations, in the order they joined. With `filter.query`, the ones to "
        "ask to join (`membershipRequest`)."
    )
    async def organizations(
        self,
        info: Info,
        filter: Annotated[
            OrganizationFilter | None, strawberry.argument(description="Only the items that match.")
        ] = None,
        first: First = 20,
        after: After = None,
    ) -> Connection[Organization]:
        request = page_request(first, after, info.context.settings)
        given = filter or OrganizationFilter()
        where = service.OrganizationFilter(
            kind=given.kind,
            sector=given.sector,
            name_contains=given.name_contains,
            parent_id=expect_id(given.network_id, "Organization") if given.network_id else None,
            query=given.query,
        )
        page = await read_or_refuse(
            service.browse_organizations(info.context.session, where, request)
        )
        nodes = [Organization.from_row(row) for row in page.items]
        return Connection.of(page, nodes, lambda o: o.pk, after)

    @strawberry.field(description="One organization by its id.")
    async def organization(self, info: Info, id: NodeId) -> Organization | None:
        return await load_organization(info, expect_id(id, "Organization"))


@strawberry.type
class OrganizationMutation:
    @strawberry.mutation(description="Create an organization; you become its OWNER.")
    async def organization_create(
        self,
        info: Info,
        input: Annotated[
            OrganizationCreateInput, strawberry.argument(description="The organization.")
        ],
    ) -> OrganizationCreateResult:
        async def create() -> models.Organization:
            data = strawberry.asdict(input)
            del data["network_id"]
            data["parent_id"] = input_id(input.network_id, "Organization", "network_id")
            draft = parse(service.OrganizationDraft, data)
            return await service.create_organization(
                info.context.session, info.context.principal, draft
            )

        return await run_mutation(
            info,
            create,
            lambda row: OrganizationCreateSuccess(organization=Organization.from_row(row)),
        )

    @strawberry.mutation(
        description="Rename an organization you administer; a provisional name is then confirmed."
    )
    async def organization_rename(
        self,
        info: Info,
        input: Annotated[OrganizationRenameInput, strawberry.argument(description="The name.")],
    ) -> OrganizationRenameResult:
        async def rename() -> models.Organization:
            organization_id = input_id(input.organization_id, "Organization", "organization_id")
            assert organization_id is not None
            return await service.rename_organization(
                info.context.session, info.context.principal, organization_id, input.name
            )

        return await run_mutation(
            info,
            rename,
            lambda row: OrganizationRenameSuccess(organization=Organization.from_row(row)),
        )
