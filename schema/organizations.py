"""Organizations: the type, its queries and `organizationCreate`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from core import models
from core.services import organizations as service
from core.services.validation import parse
from schema.context import Info
from schema.enums import OrganizationKind, Sector, VerificationMethod
from schema.errors import ConflictError, InputError, NotFoundError, run_mutation
from schema.limits import page_request
from schema.members import OrganizationAccess
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


@strawberry.type(description="A tiers-lieu, a public or private partner, or a network.")
class Organization(OrganizationAccess, Node):
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

    @classmethod
    def from_row(cls, row: models.Organization) -> Organization:
        assert row.id is not None
        return cls(
            id=to_global_id("Organization", row.id),
            pk=row.id,
            parent_pk=row.parent_id,
            name=row.name,
            kind=row.kind,
            sector=row.sector,
            siret=row.siret,
            siren=row.siren,
            insee_code=row.insee_code,
            website=row.website,
            description=row.description,
            verified=row.verified,
            verified_by=row.verified_by,
        )

    @strawberry.field(description="The network this organization belongs to.")
    async def parent(self, info: Info) -> Organization | None:
        return await load_organization(info, self.parent_pk)


async def load_organization(info: Info, pk: int | None) -> Organization | None:
    if pk is None:
        return None
    row = await info.context.loaders.organization_by_id.load(pk)
    return Organization.from_row(row) if row else None


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


@strawberry.input(description="A new organization. Whoever creates it becomes its OWNER.")
class OrganizationCreateInput:
    name: str = strawberry.field(description="Its name, 2 to 200 characters.")
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


OrganizationCreateResult = Annotated[
    OrganizationCreateSuccess | InputError | ConflictError | NotFoundError,
    strawberry.union(
        "OrganizationCreateResult", description="The new organization, or why it was not created."
    ),
]


@strawberry.type
class OrganizationQuery:
    @strawberry.field(description="Organizations, in the order they joined.")
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
        )
        page = await service.browse_organizations(info.context.session, where, request)
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

        return await run_mutation(  # type: ignore[return-value]
            info,
            create,
            lambda row: OrganizationCreateSuccess(organization=Organization.from_row(row)),
        )
