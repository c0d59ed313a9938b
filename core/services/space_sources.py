"""A place's sources and merges, and undoing a merge (national administrators only).

Undoing a merge splits its record back into a place of its own, composed from that record alone;
the place it left is composed again from its remaining records. The merge row stays, marked
undone: the dedupe rules read it and never join that record to that place again, and a record
already known keeps its place on every later import anyway.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.error_codes import DirectoryErrorCode
from core.errors import Conflict, NotAllowed, NotFound
from core.importers.directory import compose_places
from core.importers.sources import SOURCES
from core.models import Space, SpaceMerge, SpaceSourceRecord
from core.models.base import utcnow
from core.services.coverage import national_administrators
from core.services.principal import Principal, require_principal


async def records_of_spaces(
    session: AsyncSession, space_ids: Sequence[int]
) -> list[SpaceSourceRecord]:
    statement = (
        select(SpaceSourceRecord)
        .where(col(SpaceSourceRecord.space_id).in_(space_ids))
        .order_by(col(SpaceSourceRecord.id))
    )
    return list((await session.exec(statement)).all())


async def merges_of_spaces(session: AsyncSession, space_ids: Sequence[int]) -> list[SpaceMerge]:
    statement = (
        select(SpaceMerge)
        .where(col(SpaceMerge.space_id).in_(space_ids))
        .order_by(col(SpaceMerge.id))
    )
    return list((await session.exec(statement)).all())


async def records_by_ids(
    session: AsyncSession, record_ids: Sequence[int]
) -> list[SpaceSourceRecord]:
    statement = select(SpaceSourceRecord).where(col(SpaceSourceRecord.id).in_(record_ids))
    return list((await session.exec(statement)).all())


async def require_national_administrator(
    session: AsyncSession, principal: Principal | None
) -> Principal:
    acting = require_principal(principal)
    for organization_id in await national_administrators(session):
        if acting.administers(organization_id):
            return acting
    raise NotAllowed(DirectoryErrorCode.NATIONAL_ADMIN_REQUIRED)


async def undo_merge(session: AsyncSession, principal: Principal | None, merge_id: int) -> Space:
    """Split the merge's record into a place of its own; returns that new place."""
    acting = await require_national_administrator(session, principal)
    # Locked: two administrators undoing the same merge at once split it once (PostgreSQL).
    locked = select(SpaceMerge).where(SpaceMerge.id == merge_id).with_for_update()
    merge = (await session.exec(locked)).first()
    if merge is None:
        raise NotFound(DirectoryErrorCode.MERGE_NOT_FOUND, value=str(merge_id))
    if merge.undone_at is not None:
        raise Conflict(DirectoryErrorCode.MERGE_ALREADY_UNDONE, value=str(merge_id))
    record = await session.get(SpaceSourceRecord, merge.record_id)
    left = await session.get(Space, merge.space_id)
    assert record is not None
    assert left is not None
    split = Space(ref=await _free_ref(session, record), name=record.said.get("name", "?"))
    session.add(split)
    await session.flush()
    assert split.id is not None
    record.space_id = split.id
    merge.undone_at = utcnow()
    merge.undone_by_id = acting.person_id
    session.add_all([record, merge])
    await session.flush()
    await compose_places(session, [split, left])
    return split


async def _free_ref(session: AsyncSession, record: SpaceSourceRecord) -> str:
    source = SOURCES.get(record.source)
    base = f"{source.ref_prefix if source else record.source}:{record.key}"[:95]
    ref, n = base, 2
    while (await session.exec(select(Space.id).where(Space.ref == ref))).first() is not None:
        ref, n = f"{base}~{n}", n + 1
    return ref
