"""A listing's calendar: free slots, bookings and blocks, and `listingBlock` / `listingUnblock`."""

from __future__ import annotations

import datetime
from typing import Annotated

import strawberry

from core import models
from core.error_codes import CalendarErrorCode
from core.errors import InvalidInput, NotFound
from core.services import bookings as service
from core.services.exchange_commands import Block
from core.services.validation import parse
from schema.context import Info
from schema.errors import ConflictError, InputError, NotFoundError, run_mutation
from schema.relay import bad_argument, expect_id, input_id, to_global_id

FromDay = Annotated[
    datetime.date, strawberry.argument(name="from", description="The first day of the window.")
]
ToDay = Annotated[
    datetime.date,
    strawberry.argument(description="The last day of the window (included); at most 366 days."),
]


@strawberry.type(description="A period when at least one unit of the listing is free.")
class AvailabilitySlot:
    starts_at: datetime.datetime = strawberry.field(description="Free from (UTC).")
    ends_at: datetime.datetime = strawberry.field(description="Free until (UTC, excluded).")
    free_units: int = strawberry.field(description="How many units are free all along it.")


@strawberry.type(description="A period when a unit of the listing is taken.")
class CalendarEntry:
    id: strawberry.ID = strawberry.field(description="Its global id (to unblock a block).")
    starts_at: datetime.datetime = strawberry.field(description="Taken from (UTC).")
    ends_at: datetime.datetime = strawberry.field(description="Taken until (UTC, excluded).")
    unit: int = strawberry.field(description="Which unit (1 when the listing has one).")
    blocked: bool = strawberry.field(
        description="Blocked by the owner (true) or booked by an accepted exchange (false)."
    )
    reason: str | None = strawberry.field(
        description="Why it is blocked; only the listing's organization reads it."
    )
    exchange_id: strawberry.ID | None = strawberry.field(
        description="The exchange that booked it, for the two organizations taking part."
    )


def _window(from_day: datetime.date, to_day: datetime.date) -> tuple[datetime.datetime, ...]:
    """The service's window, its refusal as a top-level error on the argument (a query field
    has no result union to carry an `InputError`)."""
    try:
        return service.window(from_day, to_day)
    except InvalidInput as error:
        problem = error.problems[0]
        raise bad_argument(problem.field, problem.message) from None


async def _row(info: Info, pk: int) -> models.Listing:
    """The listing this field hangs on: already loaded for the page, or one batched query."""
    row = await info.context.loaders.listing_by_id.load(pk)
    assert row is not None
    return row


async def availability_of(
    info: Info, pk: int, from_day: datetime.date, to_day: datetime.date
) -> list[AvailabilitySlot]:
    starts_at, ends_at = _window(from_day, to_day)
    listing = await _row(info, pk)
    taken = await service.bookings_between(info.context.session, [pk], starts_at, ends_at)
    return [
        AvailabilitySlot(starts_at=s.starts_at, ends_at=s.ends_at, free_units=s.free_units)
        for s in service.free_slots(listing, taken, starts_at, ends_at)
    ]


async def calendar_of(
    info: Info, pk: int, from_day: datetime.date, to_day: datetime.date
) -> list[CalendarEntry]:
    starts_at, ends_at = _window(from_day, to_day)
    listing = await _row(info, pk)
    principal = info.context.principal
    owner = principal is not None and principal.acts_for(listing.organization_id)
    taken = await service.bookings_between(info.context.session, [pk], starts_at, ends_at)
    exchange_ids = [b.exchange_id for b in taken if b.exchange_id is not None]
    visible = await info.context.loaders.exchange_by_id.load_many(exchange_ids)
    party_of = {e.id for e in visible if e is not None}
    return [
        CalendarEntry(
            id=to_global_id("Booking", b.id or 0),
            starts_at=b.starts_at,
            ends_at=b.ends_at,
            unit=b.unit,
            blocked=b.exchange_id is None,
            reason=b.reason if owner and b.exchange_id is None else None,
            exchange_id=_exchange_id(b.exchange_id, party_of),
        )
        for b in taken
    ]


def _exchange_id(pk: int | None, party_of: set[int | None]) -> strawberry.ID | None:
    return to_global_id("Exchange", pk) if pk is not None and pk in party_of else None


@strawberry.input(description="A period to take off a listing's calendar, on every unit.")
class ListingBlockInput:
    listing_id: strawberry.ID = strawberry.field(description="One of your listings.")
    starts_at: datetime.datetime = strawberry.field(description="From, with a time zone offset.")
    ends_at: datetime.datetime = strawberry.field(description="Until (excluded).")
    reason: str = strawberry.field(
        default="",
        description="Why (maintenance, own use), up to 300 characters; only your "
        "organization reads it.",
    )


@strawberry.type(description="The period is blocked.")
class ListingBlockSuccess:
    entry: CalendarEntry = strawberry.field(description="The blocked period (its first unit).")


@strawberry.type(description="The block was removed; the period is free again.")
class ListingUnblockSuccess:
    deleted_id: strawberry.ID = strawberry.field(description="The id the block had.")


ListingBlockResult = Annotated[
    ListingBlockSuccess | InputError | ConflictError,
    strawberry.union("ListingBlockResult", description="The block, or why not (nothing written)."),
]
ListingUnblockResult = Annotated[
    ListingUnblockSuccess | NotFoundError,
    strawberry.union("ListingUnblockResult", description="The removed id, or no such block."),
]


@strawberry.type
class AvailabilityMutation:
    @strawberry.mutation(
        description="Block a period of one of your listings (maintenance, own use): no exchange "
        "can book it."
    )
    async def listing_block(
        self,
        info: Info,
        input: Annotated[ListingBlockInput, strawberry.argument(description="The period.")],
    ) -> ListingBlockResult:
        async def block() -> models.Booking:
            data = {
                "listing_id": input_id(input.listing_id, "Listing", "listing_id"),
                "starts_at": input.starts_at,
                "ends_at": input.ends_at,
                "reason": input.reason,
            }
            return await service.block_period(
                info.context.session, info.context.principal, parse(Block, data)
            )

        def success(row: models.Booking) -> ListingBlockSuccess:
            entry = CalendarEntry(
                id=to_global_id("Booking", row.id or 0),
                starts_at=row.starts_at,
                ends_at=row.ends_at,
                unit=row.unit,
                blocked=True,
                reason=row.reason,
                exchange_id=None,
            )
            return ListingBlockSuccess(entry=entry)

        return await run_mutation(info, block, success)

    @strawberry.mutation(description="Remove a block from one of your listings' calendars.")
    async def listing_unblock(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The block's id.")],
    ) -> ListingUnblockResult:
        async def unblock() -> int:
            pk = expect_id(id, "Booking")
            if pk is None:
                message = f"No blocked period with id {id}."
                raise NotFound(CalendarErrorCode.BLOCK_NOT_FOUND, message, value=id)
            return await service.unblock_period(info.context.session, info.context.principal, pk)

        return await run_mutation(
            info, unblock, lambda pk: ListingUnblockSuccess(deleted_id=to_global_id("Booking", pk))
        )
