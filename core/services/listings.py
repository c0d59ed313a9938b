"""Publishing, changing, withdrawing and browsing listings."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any, cast

from sqlalchemy import ColumnElement, Row
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core import time_zones
from core.error_codes import ListingErrorCode
from core.errors import Conflict, InvalidInput, NotFound
from core.models import (
    Direction,
    Listing,
    ListingKind,
    ListingOrigin,
    ListingStatus,
    Organization,
    Space,
    Visibility,
)
from core.models.base import utcnow
from core.services.listing_commands import (
    ListingDraft,
    ListingPatch,
    category_problems,
    checked_details,
    date_problems,
    past_problems,
)
from core.services.listing_counts import public_total
from core.services.locations import Location, locate
from core.services.pagination import Page, PageRequest, paginate
from core.services.principal import Principal, require_member, require_principal
from core.services.training_checks import check_training_labs
from core.services.visibility import sees_only_public, visible_listings


@dataclass(frozen=True)
class ListingFilter:
    kind: ListingKind | None = None
    direction: Direction | None = None
    status: ListingStatus | None = None
    organization_id: int | None = None
    space_id: int | None = None
    visibility: Visibility | None = None
    department: str | None = None
    """A department's code (`69`, `2A`, `971`): `Listing.department_code`."""


ListingRow = Row[Any]
"""A listing's columns as read for display (`Row`, attribute access by column name): no ORM
object, no identity map, for reads that change nothing. A service that changes a listing reads
the `Listing` model instead."""


async def publish_listing(
    session: AsyncSession, principal: Principal | None, draft: ListingDraft
) -> Listing:
    acting = require_member(principal, principal.organization_id if principal else None)
    assert acting.organization_id is not None
    if problems := past_problems(draft.available_until, time_zones.today()):
        raise InvalidInput(problems)
    if draft.ref is not None:
        await _ensure_ref_free(session, draft.ref)
    return await add_listing(session, acting.organization_id, draft, created_by_id=acting.person_id)


async def add_listing(
    session: AsyncSession,
    organization_id: int,
    draft: ListingDraft,
    *,
    created_by_id: int | None = None,
) -> Listing:
    """Insert a listing for an organization; the caller checked who acts and that the ref is free.

    Bulk imports call this directly: they have no principal, and already know which refs exist.
    """
    await check_training_labs(session, draft.details)
    listing = Listing(
        ref=draft.ref,
        organization_id=organization_id,
        status=draft.status,
        created_by_id=created_by_id,
        published_at=None if draft.draft else utcnow(),
        **_draft_fields(draft),
    )
    _apply_location(listing, await _location(session, organization_id, draft.space_id, draft))
    session.add(listing)
    await session.flush()
    return listing


async def replace_listing(session: AsyncSession, listing: Listing, draft: ListingDraft) -> Listing:
    """Overwrite what a draft describes, keeping id, ref, status and dates of the listing's life.

    A bulk import's update: the file's row is the whole truth about the listing.
    """
    await check_training_labs(session, draft.details)
    location = await _location(session, listing.organization_id, draft.space_id, draft)
    fields = _draft_fields(draft)
    if listing.origin == ListingOrigin.OWNER:  # once its owner has published it, it stays theirs
        fields |= {"origin": ListingOrigin.OWNER, "source": listing.source}
    for key, value in fields.items():
        setattr(listing, key, value)
    _apply_location(listing, location)
    listing.updated_at = utcnow()
    await session.flush()
    return listing


def _draft_fields(draft: ListingDraft) -> dict[str, Any]:
    return {
        "space_id": draft.space_id,
        "direction": draft.direction,
        "kind": draft.kind,
        "category": draft.category,
        "title": draft.title,
        "description": draft.description,
        "tags": draft.tags,
        "address": draft.address,
        "available_from": draft.available_from,
        "available_until": draft.available_until,
        "terms": draft.terms,
        "price_eur": draft.price_eur,
        "visibility": draft.visibility,
        "details": draft.details,
        "origin": draft.origin,
        "source": draft.source,
    }


async def update_listing(
    session: AsyncSession, principal: Principal | None, listing_id: int, patch: ListingPatch
) -> Listing:
    listing = await _own_listing(session, principal, listing_id)
    changes = patch.model_dump(exclude_unset=True)
    location_keys = {"space_id", "latitude", "longitude", "commune"}
    if location_keys & changes.keys():
        location = await _location(
            session, listing.organization_id, changes.get("space_id", listing.space_id), patch
        )
        listing.space_id = changes.get("space_id", listing.space_id)
        _apply_location(listing, location)
    if "category" in changes and (problems := category_problems(listing.kind, changes["category"])):
        raise InvalidInput(problems)
    if "details" in changes:
        details, problems = checked_details(listing.kind, changes["details"], listing.direction)
        if problems:
            raise InvalidInput(problems)
        await check_training_labs(session, details)
        _keep_remaining_in_step(listing, details)
        listing.details = details
    for key in changes.keys() - location_keys - {"details", "status"}:
        setattr(listing, key, changes[key])
    if problems := date_problems(listing.available_from, listing.available_until):
        raise InvalidInput(problems)
    if "available_until" in changes and (
        problems := past_problems(listing.available_until, time_zones.today())
    ):
        raise InvalidInput(problems)
    if patch.status is not None:
        _change_status(listing, patch.status)
    listing.updated_at = utcnow()
    await session.flush()
    return listing


def _keep_remaining_in_step(listing: Listing, details: dict[str, Any]) -> None:
    """A material's quantity changed after donations were accepted: what is left moves with it
    (never below zero)."""
    if listing.kind != ListingKind.MATERIAL or listing.quantity_remaining is None:
        return
    before, after = listing.details.get("quantity"), details.get("quantity")
    if before is None or after is None or before == after:
        return
    delta = Decimal(str(after)) - Decimal(str(before))
    listing.quantity_remaining = max(Decimal(0), Decimal(listing.quantity_remaining) + delta)


async def withdraw_listing(
    session: AsyncSession, principal: Principal | None, listing_id: int
) -> Listing:
    listing = await _own_listing(session, principal, listing_id)
    _change_status(listing, ListingStatus.WITHDRAWN)
    listing.updated_at = utcnow()
    await session.flush()
    return listing


async def get_listing(
    session: AsyncSession,
    principal: Principal | None,
    *,
    listing_id: int | None = None,
    ref: str | None = None,
) -> Listing | None:
    """A listing the viewer may see, by id or ref; None when absent or not visible."""
    statement = select(Listing).where(_visible(principal))
    if listing_id is not None:
        statement = statement.where(Listing.id == listing_id)
    if ref is not None:
        statement = statement.where(Listing.ref == ref)
    return (await session.exec(statement.limit(1))).first()


async def read_listing(
    session: AsyncSession,
    principal: Principal | None,
    *,
    listing_id: int | None = None,
    ref: str | None = None,
) -> ListingRow | None:
    """`get_listing`, as a row for display (`ListingRow`)."""
    statement = select(*_COLUMNS).where(_visible(principal))
    if listing_id is not None:
        statement = statement.where(col(Listing.id) == listing_id)
    if ref is not None:
        statement = statement.where(col(Listing.ref) == ref)
    return cast("ListingRow | None", (await session.exec(statement.limit(1))).first())


async def browse_listings(
    session: AsyncSession, principal: Principal | None, where: ListingFilter, page: PageRequest
) -> Page[ListingRow]:
    """Newest first, filtered, among what the viewer may see; rows for display (`ListingRow`)."""
    statement = select(*_COLUMNS).where(_visible(principal))
    for column, value in (
        (Listing.kind, where.kind),
        (Listing.direction, where.direction),
        (Listing.status, where.status),
        (Listing.organization_id, where.organization_id),
        (Listing.space_id, where.space_id),
        (Listing.visibility, where.visibility),
        (Listing.department_code, where.department),
    ):
        if value is not None:
            statement = statement.where(col(column) == value)
    count = _counted_total(session, principal, where)
    return await paginate(
        session, cast("Any", statement), Listing.id, page, descending=True, count=count
    )


def _counted_total(
    session: AsyncSession, principal: Principal | None, where: ListingFilter
) -> Callable[[], Awaitable[int]] | None:
    """`totalCount` from the count table when it knows it (`core/services/listing_counts.py`):
    a viewer who sees only what anyone sees, filtering on department, kind or direction only.
    None otherwise: the page counts its own statement, exactly."""
    if not sees_only_public(principal):
        return None
    if where.organization_id is not None or where.space_id is not None:
        return None
    if where.status not in (None, ListingStatus.PUBLISHED):
        return None
    if where.visibility not in (None, Visibility.PUBLIC):
        return None
    return public_total(
        session, department=where.department, kind=where.kind, direction=where.direction
    )


async def listings_by_ids(
    session: AsyncSession, principal: Principal | None, ids: Sequence[int]
) -> list[Listing]:
    statement = select(Listing).where(col(Listing.id).in_(ids), _visible(principal))
    return list((await session.exec(statement)).all())


async def space_rows(session: AsyncSession, ids: Sequence[int]) -> list[Row[Any]]:
    """The places of a page of listings, as rows for display (one statement)."""
    statement = select(*_SPACE_COLUMNS).where(col(Space.id).in_(ids))
    return list((await session.exec(statement)).all())


async def organization_rows(session: AsyncSession, ids: Sequence[int]) -> list[Row[Any]]:
    """The organizations of a page of listings, as rows for display (one statement)."""
    statement = select(*_ORGANIZATION_COLUMNS).where(col(Organization.id).in_(ids))
    return list((await session.exec(statement)).all())


_COLUMNS = tuple(Listing.__table__.columns)  # type: ignore[attr-defined]
_SPACE_COLUMNS = tuple(Space.__table__.columns)  # type: ignore[attr-defined]
_ORGANIZATION_COLUMNS = tuple(Organization.__table__.columns)  # type: ignore[attr-defined]


@cache
def _anonymous() -> ColumnElement[bool]:
    return visible_listings(None)


def _visible(principal: Principal | None) -> ColumnElement[bool]:
    """`visible_listings`; an anonymous viewer's condition is built once (it never changes)."""
    return _anonymous() if principal is None else visible_listings(principal)


# Status changes an owner may make by hand; FULFILLED comes from exchanges as well.
_ALLOWED_STATUS_CHANGES: dict[ListingStatus, set[ListingStatus]] = {
    ListingStatus.DRAFT: {ListingStatus.PUBLISHED, ListingStatus.WITHDRAWN},
    ListingStatus.PUBLISHED: {
        ListingStatus.PAUSED,
        ListingStatus.WITHDRAWN,
        ListingStatus.FULFILLED,
    },
    ListingStatus.PAUSED: {ListingStatus.PUBLISHED, ListingStatus.WITHDRAWN},
    ListingStatus.WITHDRAWN: {ListingStatus.DRAFT, ListingStatus.PUBLISHED},
    ListingStatus.FULFILLED: set(),
}


def _change_status(listing: Listing, status: ListingStatus) -> None:
    if status == listing.status:
        return
    if status not in _ALLOWED_STATUS_CHANGES[listing.status]:
        raise Conflict(
            ListingErrorCode.STATUS_CHANGE_REFUSED,
            f"A {listing.status.value} listing cannot become {status.value}.",
            value=status.value,
        )
    if status == ListingStatus.PUBLISHED and listing.published_at is None:
        listing.published_at = utcnow()
    listing.status = status


async def _own_listing(
    session: AsyncSession, principal: Principal | None, listing_id: int
) -> Listing:
    require_principal(principal)
    listing = await get_listing(session, principal, listing_id=listing_id)
    if listing is None:
        raise NotFound(ListingErrorCode.LISTING_NOT_FOUND, value=str(listing_id))
    require_member(principal, listing.organization_id)
    return listing


async def _ensure_ref_free(session: AsyncSession, ref: str) -> None:
    taken = await session.exec(select(Listing.id).where(Listing.ref == ref))
    if taken.first() is not None:
        raise Conflict(
            ListingErrorCode.LISTING_REF_TAKEN,
            f"A listing with ref {ref!r} already exists.",
            value=ref,
        )


async def _location(
    session: AsyncSession, organization_id: int, space_id: int | None, command: Any
) -> Location | None:
    """The command's own coordinates or commune, else its space's, else nowhere."""
    location = await locate(
        session,
        latitude=command.latitude,
        longitude=command.longitude,
        commune=command.commune,
    )
    if space_id is None:
        return location
    space = await session.get(Space, space_id)
    if space is None or space.organization_id not in (None, organization_id):
        raise InvalidInput.one("space_id", ListingErrorCode.NOT_A_PLACE_OF_YOURS)
    return location or Location(
        latitude=space.latitude,
        longitude=space.longitude,
        commune_insee=space.commune_insee,
        commune_name=space.commune_name,
        department_code=space.department_code,
        region_code=space.region_code,
    )


def _apply_location(listing: Listing, location: Location | None) -> None:
    found = location or Location()
    listing.latitude = found.latitude
    listing.longitude = found.longitude
    listing.commune_insee = found.commune_insee
    listing.department_code = found.department_code
    listing.region_code = found.region_code
