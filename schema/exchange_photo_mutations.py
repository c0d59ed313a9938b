"""Photos of an exchange's object at handover and at return: add, describe, delete.

Uploaded as a listing's photos are (multipart, `photo_mutations.read_upload`), and their files
removed unless the mutation commits (`run_with_files`). The rules are
`core/services/exchange_photos.py`'s.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import strawberry

from core import models
from core.media.files import FileChanges
from core.models import PhotoStage
from core.services import exchange_photos as service
from schema.context import Info
from schema.errors import ConflictError, InputError, NotAllowedError, NotFoundError
from schema.exchanges import Exchange
from schema.photo_mutations import Alt, File, photo_store, read_upload, run_with_files
from schema.photos import Photo, photo_of
from schema.relay import NodeId, required_id

Changed = tuple[models.Exchange, models.Photo | None]


@strawberry.type(description="An exchange's photos changed.")
class ExchangePhotoSuccess:
    exchange: Exchange = strawberry.field(description="The exchange, with its photos.")
    photo: Photo | None = strawberry.field(
        description="The photo added or described; null after a deletion."
    )


ExchangePhotoResult = Annotated[
    ExchangePhotoSuccess | InputError | NotFoundError | ConflictError | NotAllowedError,
    strawberry.union("ExchangePhotoResult", description="The exchange's photos, or why not."),
]


def _success(info: Info) -> Callable[[Changed], ExchangePhotoSuccess]:
    return lambda changed: ExchangePhotoSuccess(
        exchange=Exchange.from_row(changed[0]),
        photo=photo_of(info, changed[1]) if changed[1] else None,
    )


@strawberry.type
class ExchangePhotoMutation:
    @strawberry.mutation(
        description="Add a photo of the object's condition to an exchange you take part in: at "
        "HANDOVER once it is ACCEPTED, at RETURN once it is IN_PROGRESS (at most 8 a stage). "
        "Send it as a multipart request."
    )
    async def exchange_photo_add(
        self,
        info: Info,
        exchange_id: NodeId,
        stage: Annotated[PhotoStage, strawberry.argument(description="What it shows: when.")],
        file: File,
        alt: Alt,
    ) -> ExchangePhotoResult:
        async def add(files: FileChanges) -> Changed:
            pk = required_id(exchange_id, "Exchange", "exchange_id")
            upload = await read_upload(info, file, alt)
            return await service.add_exchange_photo(
                info.context.session,
                info.context.principal,
                photo_store(info, files),
                pk,
                stage,
                upload,
            )

        return await run_with_files(info, add, _success(info))

    @strawberry.mutation(description="Change what an exchange's photo you added is said to show.")
    async def exchange_photo_update(self, info: Info, id: NodeId, alt: Alt) -> ExchangePhotoResult:
        async def describe(_files: FileChanges) -> Changed:
            return await service.describe_exchange_photo(
                info.context.session, info.context.principal, required_id(id, "Photo", "id"), alt
            )

        return await run_with_files(info, describe, _success(info))

    @strawberry.mutation(description="Delete an exchange's photo you added; its files go with it.")
    async def exchange_photo_delete(self, info: Info, id: NodeId) -> ExchangePhotoResult:
        async def delete(files: FileChanges) -> Changed:
            exchange = await service.delete_exchange_photo(
                info.context.session, info.context.principal, files, required_id(id, "Photo", "id")
            )
            return exchange, None

        return await run_with_files(info, delete, _success(info))
