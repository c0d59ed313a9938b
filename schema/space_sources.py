"""Where a place comes from: `Space.sources` and `Space.merges` (the types; `Space` adds the
fields). Public: what open sources said is public, and so is why two of them were merged."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON

from core import models
from core.importers.sources import SOURCES
from schema.context import Info
from schema.relay import to_global_id


@strawberry.type(description="What one open source says of a place, and when it last said it.")
class SpaceSource:
    source: str = strawberry.field(
        description="The source adapter's name (`mission_coworking`, `fablabs_io`, ...): the "
        "NAME of `entrelieux import spaces --source NAME`."
    )
    title: str = strawberry.field(description="The source's title, in French.")
    attribution: str = strawberry.field(description="Who made the data: show it with the data.")
    licence: str = strawberry.field(description="Under which licence the source publishes it.")
    external_id: str = strawberry.field(description="The source's own id of the place.")
    url: str | None = strawberry.field(description="The place's page at the source, if any.")
    said_at: datetime = strawberry.field(
        description="When the source last said it: the date of its file (or of the import)."
    )
    seen_at: datetime = strawberry.field(description="When it was last imported.")
    located: bool = strawberry.field(
        description="False when the source gave no position of its own (the commune's centre)."
    )
    said: JSON = strawberry.field(
        description="What it said, normalized: name, typologies, address, postcode, commune, "
        "coordinates, website."
    )

    @classmethod
    def from_row(cls, row: models.SpaceSourceRecord) -> SpaceSource:
        adapter = SOURCES.get(row.source)
        return cls(
            source=row.source,
            title=adapter.title if adapter else row.source,
            attribution=adapter.attribution if adapter else "",
            licence=adapter.licence if adapter else "",
            external_id=row.key,
            url=row.url,
            said_at=row.said_at,
            seen_at=row.seen_at,
            located=row.located,
            said=cast(JSON, dict(row.said)),
        )


@strawberry.type(
    description="A source's record joined to a place another source had made, by a dedupe rule."
)
class SpaceMerge:
    id: strawberry.ID = strawberry.field(description="Its id, for `spaceMergeUndo`.")
    record_pk: strawberry.Private[int]
    rule: str = strawberry.field(description="SIRET, FABLABS_IO, WEBSITE or NAME.")
    reason: str = strawberry.field(
        description="Why, in French, with the figures: « nom similaire à 0,93, à 40 m, même "
        "commune »."
    )
    merged_at: datetime = strawberry.field(description="When it was merged.")
    undone_at: datetime | None = strawberry.field(
        description="When an administrator undid it (the record then has a place of its own)."
    )

    @classmethod
    def from_row(cls, row: models.SpaceMerge) -> SpaceMerge:
        assert row.id is not None
        return cls(
            id=to_global_id("SpaceMerge", row.id),
            record_pk=row.record_id,
            rule=row.rule,
            reason=row.reason,
            merged_at=row.merged_at,
            undone_at=row.undone_at,
        )

    @strawberry.field(description="The source record that was merged.")
    async def record(self, info: Info) -> SpaceSource | None:
        row = await info.context.loaders.space_source_record_by_id.load(self.record_pk)
        return SpaceSource.from_row(row) if row else None


async def space_sources(info: Info, space_pk: int) -> list[SpaceSource]:
    rows = await info.context.loaders.space_sources_by_space_id.load(space_pk)
    return [SpaceSource.from_row(row) for row in rows]


async def space_merges(info: Info, space_pk: int) -> list[SpaceMerge]:
    rows = await info.context.loaders.space_merges_by_space_id.load(space_pk)
    return [SpaceMerge.from_row(row) for row in rows]
