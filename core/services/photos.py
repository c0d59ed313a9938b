"""Adding, describing, ordering and removing the photos of listings, places and organizations.

A listing has up to `photos_per_listing` photos in order (its first is its cover); a place and
an organization have one each, which a new one replaces. Any member of a listing's organization
manages its photos, as its other fields; a place's and an organization's photo are changed by the
organization's OWNERs and ADMINs, as the rest of them. Every photo has an alt text: what it shows,
for people who cannot see it.

The image is decoded and re-encoded (`core.media.images`) before anything is written; its files
are written through the mutation's `FileChanges`, which removes them again if the transaction
rolls back, and removes a deleted photo's files only once its deletion is committed.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.error_codes import ListingErrorCode, OrganizationErrorCode, PhotoErrorCode, SpaceErrorCode
from core.errors import InputErrorCode, InvalidInput, NotFound
from core.media.files import FileChanges
from core.media.images import EXTENSION, PhotoRules, PreparedPhoto, prepare_photo
from core.models import Listing, Organization, Photo, Space
from core.models.base import utcnow
from core.services.listings import get_listing
from core.services.principal import Principal, require_admin, require_member, require_principal
from core.settings import Settings

ALT_MAX = 300


@dataclass(frozen=True)
class PhotoUpload:
    data: bytes
    alt: str


@dataclass(frozen=True)
class PhotoStore:
    """What writing photos needs besides the session: this mutation's files, and the rules."""

    files: FileChanges
    rules: PhotoRules
    per_listing: int

    @classmethod
    def of(cls, settings: Settings, files: FileChanges) -> PhotoStore:
        return cls(files, PhotoRules.of(settings), settings.photos_per_listing)


def file_keys(photo: Photo) -> list[str]:
    return [f"{photo.key}/{width}.{EXTENSION}" for width in photo.widths]


async def add_listing_photo(
    session: AsyncSession,
    principal: Principal | None,
    store: PhotoStore,
    listing_id: int,
    upload: PhotoUpload,
) -> Photo:
    listing = await _own_listing(session, principal, listing_id)
    assert principal is not None
    return await attach_listing_photo(
        session, store, listing, upload, created_by_id=principal.person_id
    )


async def attach_listing_photo(
    session: AsyncSession,
    store: PhotoStore,
    listing: Listing,
    upload: PhotoUpload,
    *,
    created_by_id: int | None = None,
) -> Photo:
    """Add a photo after the listing's others; the caller checked who acts.

    Bulk imports and the demo loader call this directly (they have no principal), with
    `PhotoStore.of(settings, FileChanges(media_storage(settings)))`, and settle the files once
    their transaction has committed or rolled back (`FileChanges.settle`).
    """
    assert listing.id is not None
    alt = checked_alt(upload.alt)
    await _room_for_one_more(session, store, listing.id)  # before decoding anything
    prepared = await asyncio.to_thread(prepare_photo, upload.data, store.rules)
    # Then under a lock of the listing's row (PostgreSQL), held only from here to the commit: two
    # uploads at once cannot pass the limit together.
    await session.exec(select(Listing.id).where(Listing.id == listing.id).with_for_update())
    count = await _room_for_one_more(session, store, listing.id)
    photo = await stored_photo(store, prepared, alt, created_by_id)
    photo.listing_id, photo.position = listing.id, count
    session.add(photo)
    await session.flush()
    return photo


async def set_space_photo(
    session: AsyncSession,
    principal: Principal | None,
    store: PhotoStore,
    space_id: int,
    upload: PhotoUpload,
) -> Photo:
    space = await _own_space(session, principal, space_id)
    alt = checked_alt(upload.alt)
    prepared = await asyncio.to_thread(prepare_photo, upload.data, store.rules)
    await remove_photo(session, store.files, await _photo_of(session, Photo.space_id, space.id))
    photo = await stored_photo(store, prepared, alt, _person(principal))
    photo.space_id = space.id
    session.add(photo)
    await session.flush()
    return photo


async def set_organization_photo(
    session: AsyncSession,
    principal: Principal | None,
    store: PhotoStore,
    organization_id: int,
    upload: PhotoUpload,
) -> Photo:
    organization = await _own_organization(session, principal, organization_id)
    alt = checked_alt(upload.alt)
    prepared = await asyncio.to_thread(prepare_photo, upload.data, store.rules)
    old = await _photo_of(session, Photo.organization_id, organization.id)
    await remove_photo(session, store.files, old)
    photo = await stored_photo(store, prepared, alt, _person(principal))
    photo.organization_id = organization.id
    session.add(photo)
    await session.flush()
    return photo


async def describe_listing_photo(
    session: AsyncSession, principal: Principal | None, photo_id: int, alt: str
) -> Photo:
    photo = await _own_listing_photo(session, principal, photo_id)
    return await describe_photo(session, photo, alt)


async def describe_space_photo(
    session: AsyncSession, principal: Principal | None, space_id: int, alt: str
) -> Photo:
    space = await _own_space(session, principal, space_id)
    return await describe_photo(session, await _existing(session, Photo.space_id, space.id), alt)


async def describe_organization_photo(
    session: AsyncSession, principal: Principal | None, organization_id: int, alt: str
) -> Photo:
    organization = await _own_organization(session, principal, organization_id)
    photo = await _existing(session, Photo.organization_id, organization.id)
    return await describe_photo(session, photo, alt)


async def move_listing_photo(
    session: AsyncSession, principal: Principal | None, photo_id: int, position: int
) -> Photo:
    """Put the photo at `position` (0 is first; beyond the last, last); the others shift."""
    photo = await _own_listing_photo(session, principal, photo_id)
    assert photo.listing_id is not None
    others = [p for p in await photos_of_listings(session, [photo.listing_id]) if p is not photo]
    others.insert(max(0, min(position, len(others))), photo)
    renumber_photos(others)
    await session.flush()
    return photo


async def delete_listing_photo(
    session: AsyncSession, principal: Principal | None, files: FileChanges, photo_id: int
) -> Listing:
    photo = await _own_listing_photo(session, principal, photo_id)
    assert photo.listing_id is not None
    listing = await session.get(Listing, photo.listing_id)
    assert listing is not None
    await remove_photo(session, files, photo)
    renumber_photos(await photos_of_listings(session, [photo.listing_id]))
    await session.flush()
    return listing


async def delete_space_photo(
    session: AsyncSession, principal: Principal | None, files: FileChanges, space_id: int
) -> Space:
    space = await _own_space(session, principal, space_id)
    await remove_photo(session, files, await _existing(session, Photo.space_id, space.id))
    return space


async def delete_organization_photo(
    session: AsyncSession, principal: Principal | None, files: FileChanges, organization_id: int
) -> Organization:
    organization = await _own_organization(session, principal, organization_id)
    photo = await _existing(session, Photo.organization_id, organization.id)
    await remove_photo(session, files, photo)
    return organization


async def photos_of_listings(session: AsyncSession, ids: Sequence[int]) -> list[Photo]:
    """The photos of these listings, each listing's in order (the caller checked visibility)."""
    statement = (
        select(Photo)
        .where(col(Photo.listing_id).in_(ids))
        .order_by(col(Photo.listing_id), col(Photo.position), col(Photo.id))
    )
    return list((await session.exec(statement)).all())


async def photos_of_spaces(session: AsyncSession, ids: Sequence[int]) -> list[Photo]:
    return list((await session.exec(select(Photo).where(col(Photo.space_id).in_(ids)))).all())


async def photos_of_organizations(session: AsyncSession, ids: Sequence[int]) -> list[Photo]:
    statement = select(Photo).where(col(Photo.organization_id).in_(ids))
    return list((await session.exec(statement)).all())


def checked_alt(alt: str) -> str:
    text = " ".join(alt.split())
    if not text:
        raise InvalidInput.one("alt", PhotoErrorCode.ALT_REQUIRED)
    if len(text) > ALT_MAX:
        raise InvalidInput.one("alt", InputErrorCode.TOO_LONG, value=str(ALT_MAX))
    return text


def _person(principal: Principal | None) -> int | None:
    return principal.person_id if principal else None


async def stored_photo(
    store: PhotoStore, prepared: PreparedPhoto, alt: str, created_by_id: int | None
) -> Photo:
    """A new photo row (not yet added) whose files are written."""
    photo = Photo(
        alt=alt,
        key=f"photos/{secrets.token_hex(16)}",
        width=prepared.largest.width,
        height=prepared.largest.height,
        widths=[rendition.width for rendition in prepared.renditions],
        media_type=prepared.media_type,
        source_format=prepared.source_format,
        created_by_id=created_by_id,
    )
    for key, rendition in zip(file_keys(photo), prepared.renditions, strict=True):
        await store.files.put(key, rendition.data, prepared.media_type)
    return photo


async def remove_photo(session: AsyncSession, files: FileChanges, photo: Photo | None) -> None:
    """Delete a photo's row now, and its files once that is committed."""
    if photo is None:
        return
    files.remove_after_commit(file_keys(photo))
    await session.delete(photo)
    await session.flush()


async def describe_photo(session: AsyncSession, photo: Photo, alt: str) -> Photo:
    photo.alt = checked_alt(alt)
    photo.updated_at = utcnow()
    await session.flush()
    return photo


def renumber_photos(photos: Sequence[Photo]) -> None:
    for position, photo in enumerate(photos):
        if photo.position != position:
            photo.position = position
            photo.updated_at = utcnow()


async def _room_for_one_more(session: AsyncSession, store: PhotoStore, listing_id: int) -> int:
    """How many photos the listing has, when it may have one more."""
    statement = select(func.count()).select_from(Photo).where(Photo.listing_id == listing_id)
    count = int((await session.exec(statement)).one())
    if count >= store.per_listing:
        raise InvalidInput.one(
            "listing_id", PhotoErrorCode.TOO_MANY_PHOTOS, value=str(store.per_listing)
        )
    return count


async def _photo_of(session: AsyncSession, column: Any, subject_id: int | None) -> Photo | None:
    statement = select(Photo).where(column == subject_id)
    return (await session.exec(statement)).first()


async def _existing(session: AsyncSession, column: Any, subject_id: int | None) -> Photo:
    photo = await _photo_of(session, column, subject_id)
    if photo is None:
        raise NotFound(PhotoErrorCode.PHOTO_NOT_FOUND, value=str(subject_id))
    return photo


async def _own_listing(
    session: AsyncSession, principal: Principal | None, listing_id: int
) -> Listing:
    require_principal(principal)
    listing = await get_listing(session, principal, listing_id=listing_id)
    if listing is None:
        raise NotFound(ListingErrorCode.LISTING_NOT_FOUND, value=str(listing_id))
    require_member(principal, listing.organization_id)
    return listing


async def _own_listing_photo(
    session: AsyncSession, principal: Principal | None, photo_id: int
) -> Photo:
    """A listing's photo the principal may change; a photo of a listing they may not see is
    not found, as the listing is."""
    require_principal(principal)
    photo = await session.get(Photo, photo_id)
    listing = None
    if photo is not None and photo.listing_id is not None:
        listing = await get_listing(session, principal, listing_id=photo.listing_id)
    if photo is None or listing is None:
        raise NotFound(PhotoErrorCode.PHOTO_NOT_FOUND, value=str(photo_id))
    require_member(principal, listing.organization_id)
    return photo


async def _own_space(session: AsyncSession, principal: Principal | None, space_id: int) -> Space:
    require_principal(principal)
    space = await session.get(Space, space_id)
    if space is None:
        raise NotFound(SpaceErrorCode.SPACE_NOT_FOUND, value=str(space_id))
    require_admin(principal, space.organization_id)
    return space


async def _own_organization(
    session: AsyncSession, principal: Principal | None, organization_id: int
) -> Organization:
    require_principal(principal)
    organization = await session.get(Organization, organization_id)
    if organization is None:
        raise NotFound(OrganizationErrorCode.ORGANIZATION_NOT_FOUND, value=str(organization_id))
    require_admin(principal, organization.id)
    return organization
