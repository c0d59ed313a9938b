"""Alerts and notifications: `alertCreate`, `alertDelete`, `alerts`, `notifications`."""

from __future__ import annotations

import datetime
from collections.abc import Awaitable, Callable
from typing import Annotated

import strawberry

from core import models
from core.error_codes import AccountErrorCode, AlertErrorCode
from core.errors import NotAuthenticated, NotFound
from core.services import alerts as service
from core.services.alert_commands import AlertDraft, AlertSearch
from core.services.principal import Principal
from core.services.validation import parse
from schema.context import Info
from schema.enums import Direction, ListingKind, NotificationKind
from schema.errors import (
    ConflictError,
    InputError,
    NotFoundError,
    creation,
    idempotency_key_field,
    run_mutation,
    top_level,
)
from schema.exchanges import Exchange, load_exchange
from schema.geo import GeoInput
from schema.limits import page_request
from schema.listings import Listing, load_listings
from schema.organizations import Organization, load_organization
from schema.relay import (
    After,
    Connection,
    First,
    Node,
    NodeId,
    expect_id,
    to_global_id,
)


@strawberry.type(description="A point (WGS 84).")
class Coordinates:
    lat: float = strawberry.field(description="Latitude.")
    lon: float = strawberry.field(description="Longitude.")


@strawberry.type(description="The criteria of a saved search; every given criterion must hold.")
class SavedSearch:
    text: str = strawberry.field(description="Free text; every word must match (or a synonym).")
    kinds: list[ListingKind] = strawberry.field(description="Any of these kinds; empty for any.")
    direction: Direction | None = strawberry.field(description="Offers or requests; null for both.")
    categories: list[str] = strawberry.field(description="Any of these category codes.")
    departments: list[str] = strawberry.field(description="Any of these department codes.")
    regions: list[str] = strawberry.field(description="Any of these region codes.")
    commune: str | None = strawberry.field(description="The commune as it was given, if any.")
    near: Coordinates | None = strawberry.field(description="The centre of the search's circle.")
    radius_km: float | None = strawberry.field(description="The circle's radius, with `near`.")
    available_from: datetime.date | None = strawberry.field(
        description="Available at some point of the window from this day."
    )
    available_until: datetime.date | None = strawberry.field(description="... to this day.")

    @classmethod
    def of(cls, search: AlertSearch) -> SavedSearch:
        return cls(
            text=search.text,
            kinds=list(search.kinds),
            direction=search.direction,
            categories=list(search.categories),
            departments=list(search.departments),
            regions=list(search.regions),
            commune=search.commune,
            near=Coordinates(lat=search.near.lat, lon=search.near.lon) if search.near else None,
            radius_km=search.radius_km,
            available_from=search.available_from,
            available_until=search.available_until,
        )


@strawberry.type(
    description="A saved search: when a listing is published or changed and matches it, its "
    "owner is notified. Listings of the owner's own organizations never notify."
)
class Alert(Node):
    pk: strawberry.Private[int]
    name: str = strawberry.field(description="The owner's name for it.")
    search: SavedSearch = strawberry.field(description="What it looks for.")
    created_at: datetime.datetime = strawberry.field(description="When it was saved.")

    @classmethod
    def from_row(cls, row: models.Alert) -> Alert:
        assert row.id is not None
        return cls(
            id=to_global_id("Alert", row.id),
            pk=row.id,
            name=row.name,
            search=SavedSearch.of(AlertSearch.model_validate(row.search)),
            created_at=row.created_at,
        )


@strawberry.type(description="Something the viewer is told, e.g. a new listing matching an alert.")
class Notification(Node):
    pk: strawberry.Private[int]
    alert_pk: strawberry.Private[int | None]
    listing_pk: strawberry.Private[int | None]
    exchange_pk: strawberry.Private[int | None]
    organization_pk: strawberry.Private[int | None]
    kind: NotificationKind = strawberry.field(description="What it is about.")
    title: str = strawberry.field(description="A short line, e.g. the listing's title.")
    body: str = strawberry.field(description="A sentence saying why.")
    note: str = strawberry.field(
        description="What the other side wrote (a message, a reason), if anything: with `kind` "
        "and the exchange, what a client needs to word the notification in its own language."
    )
    created_at: datetime.datetime = strawberry.field(description="When it was sent.")
    read_at: datetime.datetime | None = strawberry.field(description="When it was marked read.")

    @classmethod
    def from_row(cls, row: models.Notification) -> Notification:
        assert row.id is not None
        return cls(
            id=to_global_id("Notification", row.id),
            pk=row.id,
            alert_pk=row.alert_id,
            listing_pk=row.listing_id,
            exchange_pk=row.exchange_id,
            organization_pk=row.organization_id,
            kind=row.kind,
            title=row.title,
            body=row.body,
            note=row.note,
            created_at=row.created_at,
            read_at=row.read_at,
        )

    @strawberry.field(description="It was marked read.")
    def read(self) -> bool:
        return self.read_at is not None

    @strawberry.field(description="The listing, as the viewer may see it now; null if no longer.")
    async def listing(self, info: Info) -> Listing | None:
        if self.listing_pk is None:
            return None
        return (await load_listings(info, [self.listing_pk]))[0]

    @strawberry.field(description="The exchange it is about, for EXCHANGE_* notifications.")
    async def exchange(self, info: Info) -> Exchange | None:
        return None if self.exchange_pk is None else await load_exchange(info, self.exchange_pk)

    @strawberry.field(
        description="The organization it is about, for MEMBERSHIP_* notifications (a request to "
        "join it, or its acceptance)."
    )
    async def organization(self, info: Info) -> Organization | None:
        return await load_organization(info, self.organization_pk)

    @strawberry.field(description="The alert that matched; null once deleted.")
    async def alert(self, info: Info) -> Alert | None:
        return await load_alert(info, self.alert_pk)


async def load_alert(info: Info, pk: int | None) -> Alert | None:
    if pk is None:
        return None
    row = await info.context.loaders.alert_by_id.load(pk)
    return Alert.from_row(row) if row else None


async def load_notification(info: Info, pk: int) -> Notification | None:
    row = await service.get_notification(info.context.session, info.context.principal, pk)
    return Notification.from_row(row) if row else None


@strawberry.type(description="A page of the viewer's notifications, newest first.")
class NotificationConnection(Connection[Notification]):
    _unread: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many of the viewer's notifications are unread, in all.")
    async def unread_count(self) -> int:
        return await self._unread()


@strawberry.input(description="What to look for: the criteria of `SearchInput`, without paging.")
class AlertSearchInput:
    text: str = strawberry.field(
        default="", description="Free text; every word must match, allowing typos and synonyms."
    )
    kinds: list[ListingKind] | None = strawberry.field(default=None, description="Any of these.")
    direction: Direction | None = strawberry.field(default=None, description="Offers or requests.")
    categories: list[str] | None = strawberry.field(
        default=None, description="Any of these category codes."
    )
    departments: list[str] | None = strawberry.field(
        default=None, description="Any of these department codes."
    )
    regions: list[str] | None = strawberry.field(
        default=None, description="Any of these region codes."
    )
    near: GeoInput | None = strawberry.field(default=None, description="Around this point.")
    commune: str | None = strawberry.field(
        default=None, description="Around this commune: INSEE code, postcode or name."
    )
    radius_km: float | None = strawberry.field(
        default=None,
        description="Within this distance of `near` or `commune`, 0 to 1000 km; 50 by default.",
    )
    available_from: datetime.date | None = strawberry.field(
        default=None, description="Available at some point of the window from this day."
    )
    available_until: datetime.date | None = strawberry.field(
        default=None, description="... to this day."
    )


@strawberry.input(description="A search to save as an alert (at most 50 per person).")
class AlertCreateInput:
    name: str = strawberry.field(description="Your name for it, 1 to 100 characters.")
    search: AlertSearchInput = strawberry.field(
        description="What to look for: text or at least one filter."
    )
    idempotency_key: str | None = idempotency_key_field()


@strawberry.type(description="The alert was saved.")
class AlertCreateSuccess:
    alert: Alert = strawberry.field(description="The new alert.")


@strawberry.type(description="The alert was deleted; its notifications stay.")
class AlertDeleteSuccess:
    deleted_id: strawberry.ID = strawberry.field(description="The id the alert had.")


@strawberry.type(description="The notification was marked read.")
class NotificationMarkReadSuccess:
    notification: Notification = strawberry.field(description="The notification.")


AlertCreateResult = Annotated[
    AlertCreateSuccess | InputError | ConflictError,
    strawberry.union("AlertCreateResult", description="The new alert, or why it was not saved."),
]
AlertDeleteResult = Annotated[
    AlertDeleteSuccess | NotFoundError,
    strawberry.union("AlertDeleteResult", description="The deleted id, or no such alert of yours."),
]
NotificationMarkReadResult = Annotated[
    NotificationMarkReadSuccess | NotFoundError,
    strawberry.union(
        "NotificationMarkReadResult", description="The notification, or no such one of yours."
    ),
]


def _viewer(info: Info) -> Principal:
    if info.context.principal is None:
        raise top_level(NotAuthenticated(AccountErrorCode.SIGN_IN_REQUIRED))
    return info.context.principal


def _draft(input: AlertCreateInput) -> AlertDraft:
    search = {k: v for k, v in strawberry.asdict(input.search).items() if v is not None}
    return parse(AlertDraft, {"name": input.name, "search": search})


@strawberry.type
class AlertQuery:
    @strawberry.field(description="The viewer's alerts, newest first.")
    async def alerts(self, info: Info, first: First = 20, after: After = None) -> Connection[Alert]:
        viewer = _viewer(info)
        request = page_request(first, after, info.context.settings)
        page = await service.browse_alerts(info.context.session, viewer, request)
        return Connection.of(page, [Alert.from_row(r) for r in page.items], lambda a: a.pk, after)

    @strawberry.field(description="The viewer's notifications, newest first.")
    async def notifications(
        self,
        info: Info,
        first: First = 20,
        after: After = None,
        unread_only: Annotated[
            bool, strawberry.argument(description="Only those not marked read.")
        ] = False,
    ) -> NotificationConnection:
        viewer, session = _viewer(info), info.context.session
        request = page_request(first, after, info.context.settings)
        page = await service.browse_notifications(session, viewer, request, unread_only=unread_only)
        nodes = [Notification.from_row(row) for row in page.items]
        base = Connection.of(page, nodes, lambda n: n.pk, after)
        return NotificationConnection(
            edges=base.edges,
            page_info=base.page_info,
            _count=page.count,
            _unread=lambda: service.count_unread(session, viewer),
        )


@strawberry.type
class AlertMutation:
    @strawberry.mutation(description="Save a search as an alert: be told when a listing matches.")
    async def alert_create(
        self,
        info: Info,
        input: Annotated[AlertCreateInput, strawberry.argument(description="The alert.")],
    ) -> AlertCreateResult:
        async def create() -> models.Alert:
            return await service.create_alert(
                info.context.session, info.context.principal, _draft(input)
            )

        return await run_mutation(
            info,
            create,
            lambda row: AlertCreateSuccess(alert=Alert.from_row(row)),
            idempotent=creation(info, "alertCreate", input, models.Alert),
        )

    @strawberry.mutation(description="Delete one of your alerts.")
    async def alert_delete(self, info: Info, id: NodeId) -> AlertDeleteResult:
        async def delete() -> int:
            pk = expect_id(id, "Alert")
            if pk is None:
                raise NotFound(AlertErrorCode.ALERT_NOT_FOUND, value=id)
            return await service.delete_alert(info.context.session, info.context.principal, pk)

        return await run_mutation(
            info, delete, lambda pk: AlertDeleteSuccess(deleted_id=to_global_id("Alert", pk))
        )

    @strawberry.mutation(description="Mark one of your notifications read.")
    async def notification_mark_read(self, info: Info, id: NodeId) -> NotificationMarkReadResult:
        async def mark() -> models.Notification:
            pk = expect_id(id, "Notification")
            if pk is None:
                raise NotFound(AlertErrorCode.NOTIFICATION_NOT_FOUND, value=id)
            return await service.mark_notification_read(
                info.context.session, info.context.principal, pk
            )

        return await run_mutation(
            info,
            mark,
            lambda row: NotificationMarkReadSuccess(notification=Notification.from_row(row)),
        )
