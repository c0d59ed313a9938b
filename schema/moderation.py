"""Reporting listings, and the decisions of the networks covering them: `listingReport`,
`listingHide`, `listingUnhide`, `listingReportDismiss`, and `organizationRefuse` beside
`organizationValidate`. Each calls one service of `core/services/moderation.py` or
`network_desk.py` through `run_mutation` (one commit)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

import strawberry
from sqlmodel.ext.asyncio.session import AsyncSession

from core import models
from core.error_codes import ModerationErrorCode
from core.errors import NotFound
from core.models import ReportReason, ReportState
from core.services import moderation, network_desk
from core.services.principal import Principal
from core.services.validation import parse
from schema.context import Info
from schema.errors import (
    ConflictError,
    InputError,
    NotAllowedError,
    NotFoundError,
    run_mutation,
)
from schema.listings import Listing
from schema.organizations import Organization, organization_of
from schema.people import Person, person_of
from schema.relay import expect_id, input_id, to_global_id

strawberry.enum(
    ReportReason,
    description="Why a listing is reported: SPAM (advertising, repeated or off-topic), NOT_REAL "
    "(it does not exist or is not what it says), OFFENSIVE (offensive, hateful or illegal).",
)
strawberry.enum(
    ReportState,
    description="OPEN until the network decides: DISMISSED (the listing stays, with a reason) or "
    "UPHELD (the network hid the listing).",
)


@strawberry.type(description="A person's report of a listing, sent to the network covering it.")
class ListingReport:
    pk: strawberry.Private[int]
    listing_pk: strawberry.Private[int]
    person_pk: strawberry.Private[int]
    network_pk: strawberry.Private[int]
    id: strawberry.ID = strawberry.field(description="The report's global id.")
    reason: ReportReason = strawberry.field(description="Why it was reported.")
    message: str = strawberry.field(description="What the person added, if anything.")
    state: ReportState = strawberry.field(description="Where the report stands.")
    created_at: datetime.datetime = strawberry.field(description="When it was made.")
    decided_at: datetime.datetime | None = strawberry.field(description="When it was decided.")
    decision_reason: str = strawberry.field(description="The network's reason, once decided.")

    @classmethod
    def from_row(cls, row: models.ListingReport) -> ListingReport:
        assert row.id is not None
        return cls(
            pk=row.id,
            listing_pk=row.listing_id,
            person_pk=row.person_id,
            network_pk=row.network_id,
            id=to_global_id("ListingReport", row.id),
            reason=row.reason,
            message=row.message,
            state=row.state,
            created_at=row.created_at,
            decided_at=row.decided_at,
            decision_reason=row.decision_reason,
        )

    @strawberry.field(
        description="The listing reported, whatever its visibility: the report is read by the "
        "network's admins and by the person who saw the listing to report it."
    )
    async def listing(self, info: Info) -> Listing | None:
        row = await info.context.loaders.reported_listing_by_id.load(self.listing_pk)
        return Listing.from_row(row) if row else None

    @strawberry.field(description="Who reported it.")
    async def reporter(self, info: Info) -> Person:
        return await person_of(info, self.person_pk)

    @strawberry.field(description="The network the report went to.")
    async def network(self, info: Info) -> Organization:
        return await organization_of(info, self.network_pk)


@strawberry.input(description="Report a listing to the network covering it.")
class ListingReportInput:
    listing_id: strawberry.ID = strawberry.field(description="The listing to report.")
    reason: ReportReason = strawberry.field(description="Why.")
    message: str = strawberry.field(
        default="", description="Anything to add, up to 2000 characters."
    )


@strawberry.input(description="A network's decision on a listing, with its reason.")
class ListingDecisionInput:
    listing_id: strawberry.ID = strawberry.field(description="The listing.")
    reason: str = strawberry.field(
        description="Why (1 to 2000 characters); the listing's organization reads it."
    )


@strawberry.input(description="Keep a reported listing: close the report with a reason.")
class ListingReportDismissInput:
    report_id: strawberry.ID = strawberry.field(description="The open report.")
    reason: str = strawberry.field(description="Why the listing stays (1 to 2000 characters).")


@strawberry.input(description="Refuse to validate an organization that named your network.")
class OrganizationRefuseInput:
    organization_id: strawberry.ID = strawberry.field(description="The organization waiting.")
    reason: str = strawberry.field(description="Why (1 to 2000 characters); its admins read it.")


@strawberry.type(description="The report was sent to the network covering the listing.")
class ListingReportSuccess:
    report: ListingReport = strawberry.field(description="The open report.")


@strawberry.type(description="The listing's new state; `hidden` says why it is hidden, if it is.")
class ListingModerationSuccess:
    listing: Listing = strawberry.field(description="The listing.")


@strawberry.type(description="The report is closed and the listing stays.")
class ListingReportDismissSuccess:
    report: ListingReport = strawberry.field(description="The dismissed report.")


@strawberry.type(description="The organization left the network's queue; its admins read why.")
class OrganizationRefuseSuccess:
    organization: Organization = strawberry.field(description="The refused organization.")


ListingReportResult = Annotated[
    ListingReportSuccess | InputError | NotFoundError | ConflictError,
    strawberry.union("ListingReportResult", description="The report, or why it was not sent."),
]
ListingModerationResult = Annotated[
    ListingModerationSuccess | InputError | NotFoundError | ConflictError | NotAllowedError,
    strawberry.union(
        "ListingModerationResult", description="The listing after the decision, or why not."
    ),
]
ListingReportDismissResult = Annotated[
    ListingReportDismissSuccess | InputError | NotFoundError | ConflictError,
    strawberry.union("ListingReportDismissResult", description="The dismissed report, or why not."),
]
OrganizationRefuseResult = Annotated[
    OrganizationRefuseSuccess | InputError | NotFoundError | ConflictError,
    strawberry.union(
        "OrganizationRefuseResult", description="The refused organization, or why not."
    ),
]


ListingDecision = Callable[
    [AsyncSession, Principal | None, int, str], Coroutine[Any, Any, models.Listing]
]
"""A network's decision on a listing (`moderation.hide_listing`, `unhide_listing`)."""


def _listing_pk(global_id: str) -> int:
    pk = input_id(global_id, "Listing", "listing_id")
    assert pk is not None
    return pk


def _moderated(row: models.Listing) -> ListingModerationSuccess:
    return ListingModerationSuccess(listing=Listing.from_row(row))


async def _decide_on_listing(
    info: Info, input: ListingDecisionInput, decide: ListingDecision
) -> ListingModerationResult:
    """Hide or show again: one commit of the network's decision on the listing."""

    async def run() -> models.Listing:
        listing_pk = _listing_pk(input.listing_id)
        return await decide(info.context.session, info.context.principal, listing_pk, input.reason)

    return await run_mutation(info, run, _moderated)


@strawberry.type
class ModerationMutation:
    @strawberry.mutation(
        description="Report a listing you can see (spam, not real, offensive) to the network "
        "covering its commune (the national administrators where none does); its admins are "
        "told. One open report per person and listing."
    )
    async def listing_report(
        self,
        info: Info,
        input: Annotated[ListingReportInput, strawberry.argument(description="The report.")],
    ) -> ListingReportResult:
        async def report() -> models.ListingReport:
            listing_id = _listing_pk(input.listing_id)
            draft = parse(
                moderation.ReportDraft, {"reason": input.reason, "message": input.message}
            )
            return await moderation.report_listing(
                info.context.session, info.context.principal, listing_id, draft
            )

        return await run_mutation(
            info, report, lambda row: ListingReportSuccess(report=ListingReport.from_row(row))
        )

    @strawberry.mutation(
        description="As an OWNER or ADMIN of a network covering the listing's commune, hide it "
        "with a reason: it leaves search, matching, alerts and every read but its "
        "organization's (which reads the reason) and your network's. Its open reports are "
        "upheld."
    )
    async def listing_hide(
        self,
        info: Info,
        input: Annotated[ListingDecisionInput, strawberry.argument(description="The decision.")],
    ) -> ListingModerationResult:
        return await _decide_on_listing(info, input, moderation.hide_listing)

    @strawberry.mutation(
        description="As an OWNER or ADMIN of a network covering it, show a hidden listing again, "
        "with a reason its organization reads."
    )
    async def listing_unhide(
        self,
        info: Info,
        input: Annotated[ListingDecisionInput, strawberry.argument(description="The decision.")],
    ) -> ListingModerationResult:
        return await _decide_on_listing(info, input, moderation.unhide_listing)

    @strawberry.mutation(
        description="As an OWNER or ADMIN of a network covering the listing, dismiss an open "
        "report with a reason: the listing stays."
    )
    async def listing_report_dismiss(
        self,
        info: Info,
        input: Annotated[
            ListingReportDismissInput, strawberry.argument(description="The decision.")
        ],
    ) -> ListingReportDismissResult:
        async def dismiss() -> models.ListingReport:
            pk = expect_id(input.report_id, "ListingReport")
            if pk is None:
                code = ModerationErrorCode.REPORT_NOT_FOUND
                raise NotFound(code, value=input.report_id)
            return await moderation.dismiss_report(
                info.context.session, info.context.principal, pk, input.reason
            )

        return await run_mutation(
            info,
            dismiss,
            lambda row: ListingReportDismissSuccess(report=ListingReport.from_row(row)),
        )

    @strawberry.mutation(
        description="As an OWNER or ADMIN of the network an organization named, refuse to "
        "validate it, with a reason its admins read; it leaves the network's queue."
    )
    async def organization_refuse(
        self,
        info: Info,
        input: Annotated[OrganizationRefuseInput, strawberry.argument(description="The decision.")],
    ) -> OrganizationRefuseResult:
        async def refuse() -> models.Organization:
            pk = input_id(input.organization_id, "Organization", "organization_id")
            assert pk is not None
            return await network_desk.refuse_member(
                info.context.session, info.context.principal, pk, input.reason
            )

        return await run_mutation(
            info,
            refuse,
            lambda row: OrganizationRefuseSuccess(organization=Organization.from_row(row)),
        )
