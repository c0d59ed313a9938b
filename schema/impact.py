"""`Query.impact`: what completed exchanges achieved, by territory, period or organization."""

from __future__ import annotations

import datetime
from dataclasses import asdict
from typing import Annotated

import strawberry
from graphql import GraphQLError

from core.errors import InvalidInput, NotAllowed, NotAuthenticated
from core.services import impact as impact_service
from core.services.impact import ImpactReport
from schema.context import Info
from schema.enums import ListingKind
from schema.errors import camel_path, top_level
from schema.relay import bad_argument, expect_id


@strawberry.input(description="Which completed exchanges to count; every given filter must hold.")
class ImpactFilter:
    region: str | None = strawberry.field(
        default=None, description="The listing is in this region (INSEE code, e.g. `75`)."
    )
    department: str | None = strawberry.field(
        default=None, description="The listing is in this department (code, e.g. `23`, `2A`)."
    )
    organization: strawberry.ID | None = strawberry.field(
        default=None,
        description="This organization is either party. Only for the people who act for it or "
        "for the network it belongs to; the other filters are open to everyone.",
    )
    from_: datetime.date | None = strawberry.field(
        default=None, name="from", description="Completed on or after this day (UTC)."
    )
    to: datetime.date | None = strawberry.field(
        default=None, description="Completed on or before this day (UTC)."
    )


@strawberry.interface(description="Sums over a set of completed exchanges.")
class ImpactFigures:
    exchanges_completed: int = strawberry.field(description="How many exchanges completed.")
    kg_reused: float = strawberry.field(
        description="Kilograms of material reused: quantity × unit weight, where the weight is "
        "known (donations without a known weight add nothing)."
    )
    km_between_places: float = strawberry.field(
        description="Sum of the distances between the two organizations' places, in km. An "
        "indicator of how local exchanges are, not a measured saving of travel."
    )
    skill_hours: float = strawberry.field(description="Hours of skills shared.")
    equipment_days: float = strawberry.field(description="Days of equipment lent.")
    premises_days: float = strawberry.field(description="Days of premises occupied.")


@strawberry.type(description="The impact of the completed exchanges of one kind of listing.")
class ImpactByKind(ImpactFigures):
    kind: ListingKind = strawberry.field(description="The kind of listing exchanged.")


@strawberry.type(description="The impact of the exchanges completed in one calendar month (UTC).")
class ImpactByMonth(ImpactFigures):
    month: str = strawberry.field(description="The month, as `YYYY-MM`.")


@strawberry.type(
    description="What completed exchanges achieved. Only COMPLETED exchanges count; a measure "
    "that was not known when the exchange completed counts as zero."
)
class Impact(ImpactFigures):
    organizations_involved: int = strawberry.field(
        description="How many distinct organizations took part, on either side."
    )
    by_kind: list[ImpactByKind] = strawberry.field(
        description="The same figures for each kind of listing, every kind listed."
    )
    by_month: list[ImpactByMonth] = strawberry.field(
        description="The same figures for each month with at least one completed exchange, "
        "oldest first: enough for a chart."
    )


def impact_of(report: ImpactReport) -> Impact:
    return Impact(
        **asdict(report.totals),
        organizations_involved=report.organizations_involved,
        by_kind=[ImpactByKind(kind=k, **asdict(f)) for k, f in report.by_kind.items()],
        by_month=[
            ImpactByMonth(month=m.strftime("%Y-%m"), **asdict(f))
            for m, f in report.by_month.items()
        ],
    )


def _service_filter(given: ImpactFilter) -> impact_service.ImpactFilter:
    organization_id = None
    if given.organization is not None:
        organization_id = expect_id(given.organization, "Organization")
        if organization_id is None:
            raise bad_argument("organization", "not the id of an Organization")
    return impact_service.ImpactFilter(
        region=given.region,
        department=given.department,
        organization_id=organization_id,
        from_=given.from_,
        to=given.to,
    )


def _graphql_error(error: InvalidInput | NotAllowed | NotAuthenticated) -> GraphQLError:
    if isinstance(error, InvalidInput):
        problem = error.problems[0]
        return bad_argument(camel_path(problem.field), problem.message)
    return top_level(error)


@strawberry.type
class ImpactQuery:
    @strawberry.field(
        description="The impact of completed exchanges: open totals by territory and period; "
        "one organization's figures for its members and its network."
    )
    async def impact(
        self,
        info: Info,
        filter: Annotated[
            ImpactFilter | None, strawberry.argument(description="Which exchanges to count.")
        ] = None,
    ) -> Impact:
        given = _service_filter(filter or ImpactFilter())
        try:
            report = await impact_service.impact(
                info.context.session, info.context.principal, given
            )
        except (InvalidInput, NotAllowed, NotAuthenticated) as error:
            raise _graphql_error(error) from None
        return impact_of(report)
