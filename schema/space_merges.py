"""`spaceMergeUndo`: a national administrator splits a merged source record back into a place of
its own (`core/services/space_sources.py`)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from core import models
from core.services import space_sources as service
from schema.context import Info
from schema.errors import ConflictError, InputError, NotFoundError, run_mutation
from schema.relay import input_id
from schema.spaces import Space


@strawberry.type(description="The merge was undone: the record has a place of its own again.")
class SpaceMergeUndoSuccess:
    space: Space = strawberry.field(description="The new place made of the record alone.")


SpaceMergeUndoResult = Annotated[
    SpaceMergeUndoSuccess | InputError | NotFoundError | ConflictError,
    strawberry.union(
        "SpaceMergeUndoResult", description="The split-off place, or why nothing changed."
    ),
]


@strawberry.type
class SpaceMergeMutation:
    @strawberry.mutation(
        description="Undo a merge of two sources' records (national administrators: ADMIN or "
        "OWNER of a network whose area is the whole country). The record gets a place of its "
        "own, and later imports never merge it into that place again."
    )
    async def space_merge_undo(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The `SpaceMerge` id.")],
    ) -> SpaceMergeUndoResult:
        async def undo() -> models.Space:
            merge_id = input_id(id, "SpaceMerge", "id")
            assert merge_id is not None
            return await service.undo_merge(info.context.session, info.context.principal, merge_id)

        return await run_mutation(
            info, undo, lambda r: SpaceMergeUndoSuccess(space=Space.from_row(r))
        )
