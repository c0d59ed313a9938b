"""The condition of an exchange's object in photos: at handover, and at return.

Either party's members add them; to anyone else the exchange does not exist (`NotFound`, through
`exchange_reads.get_exchange`, as for its thread). Handover photos once the exchange is ACCEPTED,
return photos once it is IN_PROGRESS, both after it is COMPLETED too (a dispute may need them);
none on a REQUESTED, DECLINED or CANCELLED exchange (`STAGES_OPEN`). Up to `PHOTOS_PER_STAGE`
per stage, in order. Only the person who added a photo describes or deletes it: one side never
removes the other side's record of the object's condition.

The upload is checked, re-encoded and stored by the same path as a listing's photos
(`core.services.photos`); an exchange's photos are never public, but their files are served as
every photo's are: by their random key, to whoever the API gives it (`api/media_route.py`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.error_codes import ExchangeErrorCode, PhotoErrorCode
from core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from core.media.files import FileChanges
from core.media.images import prepare_photo
from core.models import Exchange, ExchangeState, Photo, PhotoStage
from core.services.exchange_reads import get_exchange
from core.services.photos import (
    PhotoStore,
    PhotoUpload,
    checked_alt,
    describe_photo,
    remove_photo,
    renumber_photos,
    stored_photo,
)
from core.services.principal import Principal, require_principal

PHOTOS_PER_STAGE = 8

STAGES_OPEN: dict[ExchangeState, frozenset[PhotoStage]] = {
    ExchangeState.ACCEPTED: frozenset({PhotoStage.HANDOVER}),
    ExchangeState.IN_PROGRESS: frozenset({PhotoStage.HANDOVER, PhotoStage.RETURN}),
    ExchangeState.COMPLETED: frozenset({PhotoStage.HANDOVER, PhotoStage.RETURN}),
}
"""The stages whose photos may be added, described or deleted, by the exchange's state."""


async def add_exchange_photo(
    session: AsyncSession,
    principal: Principal | None,
    store: PhotoStore,
    exchange_id: int,
    stage: PhotoStage,
    upload: PhotoUpload,
) -> tuple[Exchange, Photo]:
    """Add a photo after the stage's others; the exchange and the photo."""
    acting = require_principal(principal)
    exchange = await _party_exchange(session, acting, exchange_id)
    _check_open(exchange, stage)
    alt = checked_alt(upload.alt)
    await _room_for_one_more(session, exchange, stage)  # before decoding anything
    prepared = await asyncio.to_thread(prepare_photo, upload.data, store.rules)
    # Under a lock of the exchange's row (PostgreSQL) until the commit: two uploads at once
    # cannot pass the limit together, nor one slip past a cancellation.
    locked = select(Exchange).where(col(Exchange.id) == exchange.id).with_for_update()
    exchange = (await session.exec(locked.execution_options(populate_existing=True))).one()
    _check_open(exchange, stage)
    count = await _room_for_one_more(session, exchange, stage)
    photo = await stored_photo(store, prepared, alt, acting.person_id)
    photo.exchange_id, photo.stage, photo.position = exchange.id, stage, count
    session.add(photo)
    await session.flush()
    return exchange, photo


async def describe_exchange_photo(
    session: AsyncSession, principal: Principal | None, photo_id: int, alt: str
) -> tuple[Exchange, Photo]:
    exchange, photo = await _own_photo(session, principal, photo_id)
    return exchange, await describe_photo(session, photo, alt)


async def delete_exchange_photo(
    session: AsyncSession, principal: Principal | None, files: FileChanges, photo_id: int
) -> Exchange:
    """Delete the photo (its files once that is committed); the stage's others close up."""
    exchange, photo = await _own_photo(session, principal, photo_id)
    stage = photo.stage
    await remove_photo(session, files, photo)
    assert exchange.id is not None
    rest = await photos_of_exchanges(session, [exchange.id])
    renumber_photos([each for each in rest if each.stage == stage])
    await session.flush()
    return exchange


async def photos_of_exchanges(session: AsyncSession, ids: Sequence[int]) -> list[Photo]:
    """The photos of these exchanges, each's by stage then position (the caller checked that
    the viewer is a party)."""
    statement = (
        select(Photo)
        .where(col(Photo.exchange_id).in_(ids))
        .order_by(col(Photo.exchange_id), col(Photo.stage), col(Photo.position), col(Photo.id))
    )
    return list((await session.exec(statement)).all())


async def _party_exchange(
    session: AsyncSession, principal: Principal, exchange_id: int
) -> Exchange:
    exchange = await get_exchange(session, principal, exchange_id)
    if exchange is None:
        raise NotFound(ExchangeErrorCode.EXCHANGE_NOT_FOUND)
    return exchange


def _check_open(exchange: Exchange, stage: PhotoStage) -> None:
    if stage not in STAGES_OPEN.get(exchange.state, frozenset()):
        raise Conflict(PhotoErrorCode.STAGE_NOT_OPEN, value=exchange.state.value)


async def _room_for_one_more(session: AsyncSession, exchange: Exchange, stage: PhotoStage) -> int:
    """How many photos the stage has, when it may have one more."""
    statement = (
        select(func.count())
        .select_from(Photo)
        .where(Photo.exchange_id == exchange.id, Photo.stage == stage)
    )
    count = int((await session.exec(statement)).one())
    if count >= PHOTOS_PER_STAGE:
        raise InvalidInput.one(
            "stage", PhotoErrorCode.TOO_MANY_STAGE_PHOTOS, value=str(PHOTOS_PER_STAGE)
        )
    return count


async def _own_photo(
    session: AsyncSession, principal: Principal | None, photo_id: int
) -> tuple[Exchange, Photo]:
    """An exchange's photo the viewer added, with its exchange; a photo of an exchange they are
    no party to is not found, as the exchange is."""
    acting = require_principal(principal)
    photo = await session.get(Photo, photo_id)
    exchange = None
    if photo is not None and photo.exchange_id is not None:
        exchange = await get_exchange(session, acting, photo.exchange_id)
    if photo is None or exchange is None or photo.stage is None:
        raise NotFound(PhotoErrorCode.PHOTO_NOT_FOUND, value=str(photo_id))
    _check_open(exchange, photo.stage)
    if photo.created_by_id != acting.person_id:
        raise NotAllowed(PhotoErrorCode.NOT_THE_PHOTOS_AUTHOR)
    return exchange, photo
