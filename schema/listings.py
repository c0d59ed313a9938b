"""Listings: the type, `listings`, `listing`, and publish / update / withdraw."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Annotated, Any, cast

import strawberry

from core import models
from core.services import listings as service
from core.services.listing_commands import ListingDraft, ListingPatch
from core.services.listings import ListingRow
from core.services.stock import remaining
from core.services.validation import parse
from schema import fast_fields, limits
from schema.availability import (
    AvailabilitySlot,
    CalendarEntry,
    FromDay,
    ToDay,
    availability_of,
    calendar_of,
)
from schema.context import Info
from schema.enums import Direction, ListingKind, ListingOrigin, ListingStatus, Terms, Visibility
from schema.errors import (
    ConflictError,
    InputError,
    NotFoundError,
    creation,
    idempotency_key_field,
    run_mutation,
    without_key,
)
from schema.fast_fields import RowBacked, column
from schema.inputs import given
from schema.limits import page_request
from schema.listing_details import ListingDetails, ListingDetailsInput, details_input, details_of
from schema.listing_hidden import HiddenFacts, ListingHidden, hidden_facts, hidden_of
from schema.locations import Location
from schema.organizations import Organization, load_organization
from schema.photos import Photo, listing_photos
from schema.relay import (
    After,
    Connection,
    First,
    Node,
    NodeId,
    bad_argument,
    expect_id,
    input_id,
    selected_names,
    to_global_id,
)
from schema.search_engine import run_batched_search
from schema.spaces import Space, load_space
from search.matching import match_query, reasons


@strawberry.type(description="A listing that could answer another, and why.")
class Match:
    listing: Listing = strawberry.field(description="The matching listing.")
    score: float = strawberry.field(description="Relevance, 0 to 1.")
    distance_km: float | None = strawberry.field(description="Distance between the two.")
    reasons: list[str] = strawberry.field(
        description="Why it matches: shared terms, distance, overlapping dates."
    )


@strawberry.type(description="An offer or a request of equipment, premises, a skill or material.")
class Listing(RowBacked, Node):
    row: strawberry.Private[Any]
    """Its row (`ListingRow`, or the `Listing` model a mutation returns)."""
    pk: strawberry.Private[int]
    organization_pk: strawberry.Private[int]
    space_pk: strawberry.Private[int | None]
    hidden_facts: strawberry.Private[HiddenFacts | None]
    ref: str | None = strawberry.field(description="External id, unique; the key for imports.")
    direction: Direction = strawberry.field(description="Offer or request.")
    kind: ListingKind = strawberry.field(description="What is shared.")
    category: str | None = strawberry.field(description="A code of the open taxonomy.")
    title: str = strawberry.field(description="Short title, up to 200 characters.")
    description: str = strawberry.field(description="Free text.")
    tags: list[str] = strawberry.field(description="Lower-case keywords.")
    address: str = strawberry.field(description="Street address, when not at a place.")
    location: Location = strawberry.field(description="Coordinates, commune and region.")
    available_from: datetime.date | None = strawberry.field(description="First day available.")
    available_until: datetime.date | None = strawberry.field(description="Last day available.")
    terms: Terms | None = strawberry.field(description="Loan, rent, donation...")
    price_eur: Decimal | None = strawberry.field(description="Price in euros, when any.")
    status: ListingStatus = strawberry.field(description="Where it stands in its life.")
    visibility: Visibility = strawberry.field(description="Who may see it.")
    origin: ListingOrigin = strawberry.field(
        description="Published by its organization, or a census record shown under its name."
    )
    source: str | None = strawberry.field(
        description="For a census record: where it comes from, e.g. "
        "`Cerema – Cartofriches, mise à jour du 07/02/2024, site 01004_27423`."
    )
    details: ListingDetails = strawberry.field(description="The typed details of its kind.")
    created_at: datetime.datetime = strawberry.field(description="When it was created.")
    updated_at: datetime.datetime = strawberry.field(description="When it last changed.")
    remaining_quantity: float | None = strawberry.field(
        description="Materials: what is left to give (accepted donations take from it)."
    )

    @classmethod
    def from_row(cls, row: ListingRow | models.Listing) -> Listing:
        """The listing over its row: fields are read from it when a query selects them."""
        listing: Listing = cls.new(
            row,
            pk=row.id,
            organization_pk=row.organization_id,
            space_pk=row.space_id,
            hidden_facts=hidden_facts(cast("models.Listing", row)),
        )
        return listing

    @strawberry.field(
        description="When it is free within a window: periods with at least one unit free, "
        "within its own dates."
    )
    async def availability(self, info: Info, from_: FromDay, to: ToDay) -> list[AvailabilitySlot]:
        return await availability_of(info, self.pk, from_, to)

    @strawberry.field(
        description="When it is taken within a window: accepted exchanges and the owner's blocks."
    )
    async def calendar(self, info: Info, from_: FromDay, to: ToDay) -> list[CalendarEntry]:
        return await calendar_of(info, self.pk, from_, to)

    @strawberry.field(description="The place it is at, if any.")
    def space(self, info: Info) -> Space | None:
        # Plain (not async) on purpose: a page's places are usually prefetched, and an awaitable
        # returned for the others is awaited by graphql-core all the same.
        if self.space_pk is None:
            return None
        key = ("Space", self.space_pk)
        if key in info.context.prefetched:
            return cast("Space | None", info.context.prefetched[key])
        return cast("Space | None", load_space(info, self.space_pk))

    @strawberry.field(
        description="Listings that could answer this one: the opposite direction, the same kind, "
        "overlapping dates, within a radius; best first, each saying why."
    )
    async def matches(
        self,
        info: Info,
        first: Annotated[int, strawberry.argument(description="How many, 1 to 100.")] = 10,
        radius_km: Annotated[
            float | None,
            strawberry.argument(description="Within this distance, 0 to 1000 km; default 50."),
        ] = None,
    ) -> list[Match]:
        limits.page_size(first, info.context.settings)
        limits.radius(radius_km, info.context.settings)
        source = await info.context.loaders.listing_by_id.load(self.pk)
        query = None if source is None else match_query(source, radius_km, first)
        if source is None or query is None:
            return []
        page = await run_batched_search(info, query)
        rows = await info.context.loaders.listing_by_id.load_many([hit.id for hit in page.hits])
        return [
            Match(
                listing=Listing.from_row(row),
                score=hit.score,
                distance_km=hit.distance_km,
                reasons=reasons(source, row, hit.distance_km),
            )
            for hit, row in zip(page.hits, rows, strict=True)
            if row is not None
        ]

    @strawberry.field(
        description="Why a network hid it, for its organization's members and that network's "
        "admins (null when it is not hidden)."
    )
    def hidden(self, info: Info) -> ListingHidden | None:
        return hidden_of(info, self.hidden_facts)

    @strawberry.field(description="Its photos, in order: at most 8, the first is its cover.")
    async def photos(self, info: Info) -> list[Photo]:
        return await listing_photos(info, self.pk)

    @strawberry.field(description="Its first photo, for lists and thumbnails; null without any.")
    async def cover_photo(self, info: Info) -> Photo | None:
        photos = await listing_photos(info, self.pk)
        return photos[0] if photos else None

    @strawberry.field(description="The organization that publishes it.")
    def organization(self, info: Info) -> Organization:
        key = ("Organization", self.organization_pk)
        if key in info.context.prefetched:
            return cast("Organization", info.context.prefetched[key])
        return cast("Organization", load_organization(info, self.organization_pk))


def _location(row: Any) -> Location:
    return Location(
        lat=row.latitude,
        lon=row.longitude,
        commune_insee=row.commune_insee,
        department=row.department_code,
        region=row.region_code,
    )


def _remaining(row: Any) -> float | None:
    left = remaining(row)
    return None if left is None else float(left)


_LISTING_READS: dict[str, Callable[[Any], Any]] = {
    "id": lambda row: to_global_id("Listing", row.id),
    **{
        name: column(name)
        for name in (
            "ref",
            "direction",
            "kind",
            "category",
            "title",
            "description",
            "tags",
            "address",
            "available_from",
            "available_until",
            "terms",
            "price_eur",
            "status",
            "visibility",
            "origin",
            "created_at",
            "updated_at",
        )
    },
    "source": lambda row: row.source or None,
    "location": _location,
    "details": lambda row: details_of(row.kind, row.details),
    "remaining_quantity": _remaining,
}
fast_fields.rows(Listing, "Listing", _LISTING_READS)


def _space_of(listing: Listing, info: Any) -> Any:
    """`Listing.space` for graphql-core: the page's prefetched place, else its loader."""
    if listing.space_pk is None:
        return None
    prefetched = info.context.prefetched
    key = ("Space", listing.space_pk)
    return prefetched[key] if key in prefetched else load_space(info, listing.space_pk)


def _organization_of(listing: Listing, info: Any) -> Any:
    """`Listing.organization` for graphql-core: the page's prefetched one, else its loader."""
    prefetched = info.context.prefetched
    key = ("Organization", listing.organization_pk)
    if key in prefetched:
        return prefetched[key]
    return load_organization(info, listing.organization_pk)


fast_fields.register("Listing", {"space": _space_of, "organization": _organization_of})


async def prefetch_relations(info: Info, rows: Sequence[ListingRow]) -> None:
    """Read the places and organizations of a page once, if the query asks for them: one
    statement per relationship, as rows (no ORM object), and no coroutine per edge."""
    wanted = selected_names(info, ("edges", "node"))
    prefetched = info.context.prefetched
    session = info.context.session
    if "space" in wanted:
        space_ids = {r.space_id for r in rows if r.space_id is not None} - _known(info, "Space")
        for space_id in space_ids:
            prefetched["Space", space_id] = None
        if space_ids:
            for space_row in await service.space_rows(session, sorted(space_ids)):
                prefetched["Space", space_row.id] = Space.from_row(space_row)
    if "organization" in wanted:
        organization_ids = {r.organization_id for r in rows} - _known(info, "Organization")
        for organization_id in organization_ids:
            prefetched["Organization", organization_id] = None
        if organization_ids:
            for row in await service.organization_rows(session, sorted(organization_ids)):
                prefetched["Organization", row.id] = Organization.from_row(row)


def _known(info: Info, type_name: str) -> set[int]:
    return {pk for (name, pk) in info.context.prefetched if name == type_name}


_DEPARTMENT = re.compile(r"0[1-9]|1[0-9]|2[1-9AB]|[3-8][0-9]|9[0-5]|97[1-6]")


def department_code(code: str | None) -> str | None:
    """A department's code as the listings store it; a code that names none is a bad argument
    naming `filter.department`."""
    if code is None:
        return None
    if not _DEPARTMENT.fullmatch(code.upper()):
        raise bad_argument(
            "filter.department", "a department's code: 01 to 95, 2A, 2B, or 971 to 976"
        )
    return code.upper()


async def load_listings(info: Info, ids: list[int]) -> list[Listing | None]:
    rows = await info.context.loaders.listing_by_id.load_many(ids)
    return [Listing.from_row(row) if row else None for row in rows]


@strawberry.input(description="Filters on listings; all given filters must match.")
class ListingFilter:
    kind: ListingKind | None = strawberry.field(default=None, description="Of this kind.")
    direction: Direction | None = strawberry.field(default=None, description="Offers or requests.")
    status: ListingStatus | None = strawberry.field(
        default=None, description="Others' listings are only seen PUBLISHED."
    )
    organization_id: strawberry.ID | None = strawberry.field(
        default=None, description="Published by this organization."
    )
    space_id: strawberry.ID | None = strawberry.field(default=None, description="At this place.")
    department: str | None = strawberry.field(
        default=None,
        description="Located in this department, by its code: `69`, `2A`, `971`.",
    )


@strawberry.input(description="A new listing, published at once unless `draft` is true.")
class ListingPublishInput:
    direction: Direction = strawberry.field(description="An offer or a request.")
    kind: ListingKind = strawberry.field(description="What is shared.")
    title: str = strawberry.field(description="3 to 200 characters.")
    ref: str | None = strawberry.field(default=None, description="Your own unique id for it.")
    description: str = strawberry.field(
        default="", description="Free text, up to 10,000 characters."
    )
    category: str | None = strawberry.field(default=None, description="A code of the taxonomy.")
    tags: list[str] = strawberry.field(default_factory=list, description="Up to 30 keywords.")
    space_id: strawberry.ID | None = strawberry.field(
        default=None, description="The place it is at; gives its location."
    )
    latitude: float | None = strawberry.field(default=None, description="Latitude, -90 to 90.")
    longitude: float | None = strawberry.field(default=None, description="Longitude, -180 to 180.")
    commune: str | None = strawberry.field(
        default=None, description="INSEE code, postcode or name; located at its centre."
    )
    address: str = strawberry.field(default="", description="Street address.")
    available_from: datetime.date | None = strawberry.field(
        default=None, description="First day available."
    )
    available_until: datetime.date | None = strawberry.field(
        default=None, description="Last day available; not before `availableFrom`."
    )
    terms: Terms | None = strawberry.field(default=None, description="On what terms.")
    price_eur: Decimal | None = strawberry.field(default=None, description="Price in euros.")
    visibility: Visibility = strawberry.field(
        default=Visibility.PUBLIC, description="Who may see it."
    )
    draft: bool = strawberry.field(default=False, description="Save without publishing.")
    details: ListingDetailsInput | None = strawberry.field(
        default=None, description="The typed details of its kind."
    )
    idempotency_key: str | None = idempotency_key_field()


@strawberry.input(description="Changes to a listing; only the fields given change.")
class ListingUpdateInput:
    title: str | None = strawberry.field(default=strawberry.UNSET, description="New title.")
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="New description."
    )
    category: str | None = strawberry.field(default=strawberry.UNSET, description="New category.")
    tags: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="New tags (replace the old ones)."
    )
    space_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Move it to this place."
    )
    latitude: float | None = strawberry.field(default=strawberry.UNSET, description="New latitude.")
    longitude: float | None = strawberry.field(
        default=strawberry.UNSET, description="New longitude."
    )
    commune: str | None = strawberry.field(
        default=strawberry.UNSET, description="New commune: INSEE code, postcode or name."
    )
    address: str | None = strawberry.field(default=strawberry.UNSET, description="New address.")
    available_from: datetime.date | None = strawberry.field(
        default=strawberry.UNSET, description="New first day; null clears it."
    )
    available_until: datetime.date | None = strawberry.field(
        default=strawberry.UNSET, description="New last day; null clears it."
    )
    terms: Terms | None = strawberry.field(default=strawberry.UNSET, description="New terms.")
    price_eur: Decimal | None = strawberry.field(
        default=strawberry.UNSET, description="New price in euros."
    )
    visibility: Visibility | None = strawberry.field(
        default=strawberry.UNSET, description="New visibility."
    )
    status: ListingStatus | None = strawberry.field(
        default=strawberry.UNSET,
        description="Publish a draft, pause, resume; WITHDRAWN is `listingWithdraw`.",
    )
    details: ListingDetailsInput | None = strawberry.field(
        default=strawberry.UNSET, description="New details of its kind (replace the old ones)."
    )


@strawberry.type(description="The listing was saved.")
class ListingSuccess:
    listing: Listing = strawberry.field(description="The listing as saved.")


ListingResult = Annotated[
    ListingSuccess | InputError | NotFoundError | ConflictError,
    strawberry.union("ListingResult", description="The listing, or why it was not saved."),
]


def _success(row: models.Listing) -> ListingSuccess:
    return ListingSuccess(listing=Listing.from_row(row))


@strawberry.type
class ListingQuery:
    @strawberry.field(description="Listings you may see, newest first.")
    async def listings(
        self,
        info: Info,
        filter: Annotated[
            ListingFilter | None, strawberry.argument(description="Only the items that match.")
        ] = None,
        first: First = 20,
        after: After = None,
    ) -> Connection[Listing]:
        request = page_request(first, after, info.context.settings)
        f = filter or ListingFilter()
        where = service.ListingFilter(
            kind=f.kind,
            direction=f.direction,
            status=f.status,
            organization_id=expect_id(f.organization_id, "Organization")
            if f.organization_id
            else None,
            space_id=expect_id(f.space_id, "Space") if f.space_id else None,
            department=department_code(f.department),
        )
        page = await service.browse_listings(
            info.context.session, info.context.principal, where, request
        )
        await prefetch_relations(info, page.items)
        nodes = [Listing.from_row(row) for row in page.items]
        return Connection.of(page, nodes, lambda n: n.pk, after)

    @strawberry.field(description="One listing by its id or its ref.")
    async def listing(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Its global id.")
        ] = None,
        ref: Annotated[str | None, strawberry.argument(description="Its external ref.")] = None,
    ) -> Listing | None:
        if (id is None) == (ref is None):
            raise bad_argument("id", "give exactly one of `id` and `ref`")
        pk = expect_id(id, "Listing") if id is not None else None
        if id is not None and pk is None:
            return None
        row = await service.read_listing(
            info.context.session, info.context.principal, listing_id=pk, ref=ref
        )
        return Listing.from_row(row) if row else None


@strawberry.type
class ListingMutation:
    @strawberry.mutation(description="Publish an offer or a request for your organization.")
    async def listing_publish(
        self,
        info: Info,
        input: Annotated[ListingPublishInput, strawberry.argument(description="The listing.")],
    ) -> ListingResult:
        async def publish() -> models.Listing:
            data = {k: v for k, v in without_key(input).items() if k != "details"}
            data["space_id"] = input_id(input.space_id, "Space", "space_id")
            data["details"] = details_input(input.kind, input.details)
            draft = parse(ListingDraft, data)
            return await service.publish_listing(
                info.context.session, info.context.principal, draft
            )

        return await run_mutation(
            info,
            publish,
            _success,
            idempotent=creation(info, "listingPublish", input, models.Listing),
        )

    @strawberry.mutation(description="Change one of your organization's listings.")
    async def listing_update(
        self,
        info: Info,
        id: NodeId,
        input: Annotated[ListingUpdateInput, strawberry.argument(description="The changes.")],
    ) -> ListingResult:
        async def update() -> models.Listing:
            listing_id = input_id(id, "Listing", "id")
            assert listing_id is not None
            data = given(input)
            if "space_id" in data:
                data["space_id"] = input_id(input.space_id, "Space", "space_id")
            if isinstance(input.details, ListingDetailsInput):
                current = await service.get_listing(
                    info.context.session, info.context.principal, listing_id=listing_id
                )
                kind = current.kind if current else models.ListingKind.EQUIPMENT
                data["details"] = details_input(kind, input.details)
            patch = parse(ListingPatch, data)
            return await service.update_listing(
                info.context.session, info.context.principal, listing_id, patch
            )

        return await run_mutation(info, update, _success)

    @strawberry.mutation(description="Withdraw a listing: it leaves search and browsing.")
    async def listing_withdraw(self, info: Info, id: NodeId) -> ListingResult:
        async def withdraw() -> models.Listing:
            listing_id = input_id(id, "Listing", "id")
            assert listing_id is not None
            return await service.withdraw_listing(
                info.context.session, info.context.principal, listing_id
            )

        return await run_mutation(info, withdraw, _success)
