"""Calendar feeds: `calendarFeedCreate` (its secret URL shown once), `calendarFeedRevoke`, and
`Query.calendarFeeds` listing an organization's feeds without their secrets."""

from __future__ import annotations

import datetime
from typing import Annotated

import strawberry

from core import models
from core.error_codes import CalendarErrorCode
from core.errors import NotAllowed, NotAuthenticated, NotFound
from core.services import calendar_feeds
from core.services.calendar_feeds import IssuedFeed, ListedFeed
from core.services.validation import parse
from schema.context import Info
from schema.errors import InputError, NotFoundError, run_mutation, top_level
from schema.organizations import Organization, organization_of
from schema.relay import NodeId, bad_argument, expect_id, input_id, to_global_id


@strawberry.type(
    description="A private iCalendar URL of an organization's exchanges that are ACCEPTED, "
    "IN_PROGRESS or COMPLETED and have a period. Its secret is shown once, at creation. A feed "
    "stops working when revoked, or when its creator leaves the organization."
)
class CalendarFeed:
    organization_pk: strawberry.Private[int]
    id: strawberry.ID = strawberry.field(description="The feed's global id, for revoking it.")
    name: str = strawberry.field(description="Its creator's name for it.")
    prefix: str = strawberry.field(description="The first characters of its secret.")
    created_at: datetime.datetime = strawberry.field(description="When it was created.")
    revoked_at: datetime.datetime | None = strawberry.field(description="When it was revoked.")
    active: bool = strawberry.field(
        description="It answers: not revoked, and its creator is still a member."
    )
    created_by_viewer: bool = strawberry.field(description="The viewer created it.")

    @classmethod
    def from_row(cls, row: models.CalendarFeed, active: bool, viewer: int | None) -> CalendarFeed:
        assert row.id is not None
        return cls(
            organization_pk=row.organization_id,
            id=to_global_id("CalendarFeed", row.id),
            name=row.name,
            prefix=row.prefix,
            created_at=row.created_at,
            revoked_at=row.revoked_at,
            active=active,
            created_by_viewer=viewer is not None and row.created_by_id == viewer,
        )

    @strawberry.field(description="The organization whose exchanges it shows.")
    async def organization(self, info: Info) -> Organization:
        return await organization_of(info, self.organization_pk)


@strawberry.input(description="A new calendar feed of one of your organizations.")
class CalendarFeedCreateInput:
    organization_id: strawberry.ID = strawberry.field(
        description="The organization whose exchanges it shows."
    )
    name: str = strawberry.field(
        default="", description="Your name for it, up to 100 characters; also the calendar's."
    )


@strawberry.type(description="The feed was created. Copy its URL now: it is never shown again.")
class CalendarFeedCreateSuccess:
    feed: CalendarFeed = strawberry.field(description="The new feed.")
    url: str = strawberry.field(
        description="The secret iCalendar URL to subscribe to, shown this once. Anyone who has "
        "it reads the organization's exchange calendar: share it like a password."
    )


@strawberry.type(description="The feed was revoked; its URL answers 404 from now on.")
class CalendarFeedRevokeSuccess:
    feed: CalendarFeed = strawberry.field(description="The revoked feed.")


CalendarFeedCreateResult = Annotated[
    CalendarFeedCreateSuccess | InputError | NotFoundError,
    strawberry.union("CalendarFeedCreateResult", description="The new feed, or why not."),
]
CalendarFeedRevokeResult = Annotated[
    CalendarFeedRevokeSuccess | NotFoundError,
    strawberry.union("CalendarFeedRevokeResult", description="The revoked feed, or why not."),
]


def _viewer(info: Info) -> int | None:
    principal = info.context.principal
    return principal.person_id if principal else None


@strawberry.type
class CalendarFeedQuery:
    @strawberry.field(
        description="An organization's calendar feeds, newest first, revoked ones included, "
        "without their secrets. For its members."
    )
    async def calendar_feeds(
        self,
        info: Info,
        organization_id: Annotated[
            strawberry.ID, strawberry.argument(description="The organization's global id.")
        ],
    ) -> list[CalendarFeed]:
        pk = expect_id(organization_id, "Organization")
        if pk is None:
            raise bad_argument("organizationId", "not the id of an Organization")
        try:
            rows = await calendar_feeds.feeds_of(info.context.session, info.context.principal, pk)
        except (NotAuthenticated, NotAllowed) as error:
            raise top_level(error) from None
        return [CalendarFeed.from_row(row.feed, row.active, _viewer(info)) for row in rows]


@strawberry.type
class CalendarFeedMutation:
    @strawberry.mutation(
        description="Create a private iCalendar feed of one of your organizations' exchanges."
    )
    async def calendar_feed_create(
        self,
        info: Info,
        input: Annotated[CalendarFeedCreateInput, strawberry.argument(description="The feed.")],
    ) -> CalendarFeedCreateResult:
        async def create() -> IssuedFeed:
            organization_id = input_id(input.organization_id, "Organization", "organization_id")
            assert organization_id is not None
            draft = parse(calendar_feeds.FeedDraft, {"name": input.name})
            return await calendar_feeds.create_feed(
                info.context.session, info.context.principal, organization_id, draft
            )

        def success(issued: IssuedFeed) -> CalendarFeedCreateSuccess:
            url = info.context.settings.base_url + calendar_feeds.feed_path(issued.secret)
            feed = CalendarFeed.from_row(issued.feed, True, _viewer(info))
            return CalendarFeedCreateSuccess(feed=feed, url=url)

        return await run_mutation(info, create, success)

    @strawberry.mutation(
        description="Revoke a calendar feed: its creator, or an admin of its organization."
    )
    async def calendar_feed_revoke(self, info: Info, id: NodeId) -> CalendarFeedRevokeResult:
        async def revoke() -> ListedFeed:
            pk = expect_id(id, "CalendarFeed")
            if pk is None:
                raise NotFound(CalendarErrorCode.FEED_NOT_FOUND, value=id)
            row = await calendar_feeds.revoke_feed(info.context.session, info.context.principal, pk)
            return ListedFeed(feed=row, active=False)

        return await run_mutation(
            info,
            revoke,
            lambda row: CalendarFeedRevokeSuccess(
                feed=CalendarFeed.from_row(row.feed, row.active, _viewer(info))
            ),
        )
