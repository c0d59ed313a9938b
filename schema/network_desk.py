"""A network's desk (`Query.networkDesk`): the areas it covers (public), and for its OWNERs and
ADMINs its members with their activity, the organizations waiting for its validation and the
reports waiting for its decision. Every list is a fixed number of statements (loaders and
GROUP BY counts), whatever the number of members."""

from __future__ import annotations

import strawberry

from core import models
from core.models import AreaLevel
from core.services import network_desk as service
from schema.context import Info
from schema.errors import read_or_refuse
from schema.moderation import ListingReport
from schema.organizations import Organization, organization_of
from schema.relay import NodeId, expect_id
from schema.spaces import Space

strawberry.enum(
    AreaLevel,
    description="A network's area: a COMMUNE (INSEE code), an EPCI (SIREN), a DEPARTMENT, a "
    "REGION (their codes), or the COUNTRY (`FR`: the national administrators).",
)

TERRITORY_LEVELS = (AreaLevel.COMMUNE, AreaLevel.EPCI)
"""Areas with a territory page at `/territoires/<code>` (INSEE code, SIREN)."""


@strawberry.type(description="A territory a network covers.")
class NetworkArea:
    level: AreaLevel = strawberry.field(description="What kind of territory.")
    code: str = strawberry.field(description="Its code: INSEE, SIREN, department, region, FR.")
    name: str | None = strawberry.field(description="Its name, when known.")
    territory_path: str | None = strawberry.field(
        description="The web app's page of its figures (`/territoires/<code>`), for a commune or "
        "an EPCI."
    )


@strawberry.type(description="An organization the network validated, and what it does here.")
class NetworkMember:
    pk: strawberry.Private[int]
    listings_published: int = strawberry.field(
        description="Its published listings (hidden ones aside)."
    )
    exchanges_completed: int = strawberry.field(
        description="Exchanges it completed, as owner or as requester."
    )

    @strawberry.field(description="The member organization.")
    async def organization(self, info: Info) -> Organization:
        return await organization_of(info, self.pk)

    @strawberry.field(description="Its places, by name.")
    async def places(self, info: Info) -> list[Space]:
        rows = await info.context.loaders.spaces_by_organization_id.load(self.pk)
        return [Space.from_row(row) for row in rows]


@strawberry.type(
    description="What a network (RESEAU) sees of its work. `areas` is public; the rest is for "
    "its OWNERs and ADMINs (anyone else reads null and a FORBIDDEN top-level error)."
)
class NetworkDesk:
    pk: strawberry.Private[int]

    @strawberry.field(description="The network.")
    async def network(self, info: Info) -> Organization:
        return await organization_of(info, self.pk)

    @strawberry.field(description="Whether the viewer is an OWNER or ADMIN of the network.")
    def viewer_is_admin(self, info: Info) -> bool:
        principal = info.context.principal
        return principal is not None and principal.administers(self.pk)

    @strawberry.field(description="The territories it covers, most specific first.")
    async def areas(self, info: Info) -> list[NetworkArea]:
        rows = await info.context.loaders.areas_by_network_id.load(self.pk)
        names = await service.area_names(info.context.session, rows)
        return [_area(row, names.get((row.level, row.code))) for row in rows]

    @strawberry.field(
        description="The organizations it validated, by name, with their places and activity."
    )
    async def members(self, info: Info) -> list[NetworkMember] | None:
        rows = await read_or_refuse(
            service.members_with_activity(info.context.session, info.context.principal, self.pk)
        )
        loader = info.context.loaders.organization_by_id
        for row in rows:  # the members are read already: prime the loader for `organization`
            loader.prime(row.organization.id or 0, row.organization)
        return [
            NetworkMember(
                pk=row.organization.id or 0,
                listings_published=row.listings_published,
                exchanges_completed=row.exchanges_completed,
            )
            for row in rows
        ]

    @strawberry.field(
        description="Organizations that named it as their network and wait for its validation "
        "(`organizationValidate` or `organizationRefuse`), oldest first."
    )
    async def members_to_validate(self, info: Info) -> list[Organization] | None:
        rows = await read_or_refuse(
            service.members_to_validate(info.context.session, info.context.principal, self.pk)
        )
        return [Organization.from_row(row) for row in rows]

    @strawberry.field(
        description="Open reports of listings sent to it (`listingHide` or "
        "`listingReportDismiss`), oldest first."
    )
    async def reports_to_review(self, info: Info) -> list[ListingReport] | None:
        rows = await read_or_refuse(
            service.reports_to_review(info.context.session, info.context.principal, self.pk)
        )
        return [ListingReport.from_row(row) for row in rows]


def _area(row: models.NetworkArea, name: str | None) -> NetworkArea:
    path = f"/territoires/{row.code}" if row.level in TERRITORY_LEVELS else None
    return NetworkArea(level=row.level, code=row.code, name=name, territory_path=path)


@strawberry.type
class NetworkDeskQuery:
    @strawberry.field(
        description="A network's desk, by the network's id; null when the id names no network "
        "(RESEAU)."
    )
    async def network_desk(self, info: Info, id: NodeId) -> NetworkDesk | None:
        pk = expect_id(id, "Organization")
        row = await info.context.loaders.organization_by_id.load(pk) if pk is not None else None
        if row is None or row.kind != models.OrganizationKind.RESEAU or row.id is None:
            return None
        return NetworkDesk(pk=row.id)
