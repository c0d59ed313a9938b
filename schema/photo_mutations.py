"""Adding, describing, ordering and removing photos: of a listing (several, in order), of a place
and of an organization (one each).

The file comes in a multipart request (the GraphQL multipart request spec: `operations`, `map`,
then the file); it is read here, at most one byte over the limit, and judged by the service. The
files a mutation writes are removed again unless it commits (`run_with_files`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

import strawberry
from strawberry.file_uploads import Upload

from core import models
from core.error_codes import PhotoErrorCode
from core.errors import InvalidInput
from core.media.files import FileChanges
from core.services import photos as service
from schema.context import Info
from schema.errors import InputError, NotFoundError, run_mutation
from schema.listings import Listing
from schema.organizations import Organization
from schema.photos import Photo, photo_of
from schema.relay import NodeId, required_id
from schema.spaces import Space

S = TypeVar("S")
R = TypeVar("R")

File = Annotated[
    Upload,
    strawberry.argument(description="The image: JPEG, PNG or WebP, at most 10 MiB (multipart)."),
]
Alt = Annotated[
    str,
    strawberry.argument(description="What it shows, for people who cannot see it (required)."),
]


@dataclass(frozen=True)
class _Changed(Generic[S]):
    subject: S
    photo: models.Photo | None


async def run_with_files(
    info: Info,
    change: Callable[[FileChanges], Awaitable[S]],
    success: Callable[[S], R],
) -> R:
    """`run_mutation`, with the files it writes removed unless it commits, and the files it
    deletes removed only once it has."""
    assert info.context.media is not None
    files = FileChanges(info.context.media)
    committed = False

    def committed_then(result: S) -> R:  # `run_mutation` calls it after the commit only
        nonlocal committed
        committed = True
        return success(result)

    try:
        return await run_mutation(info, lambda: change(files), committed_then)
    finally:
        await files.settle(committed=committed)


async def read_upload(info: Info, file: object, alt: str) -> service.PhotoUpload:
    """The upload's bytes, read up to one byte over the limit (the service refuses more)."""
    read: Any = getattr(file, "read", None)
    if read is None or isinstance(file, str | bytes):
        raise InvalidInput.one("file", PhotoErrorCode.NOT_A_FILE)
    data = await read(info.context.settings.photo_max_bytes + 1)
    return service.PhotoUpload(data=bytes(data), alt=alt)


def photo_store(info: Info, files: FileChanges) -> service.PhotoStore:
    return service.PhotoStore.of(info.context.settings, files)


@strawberry.type(description="A listing's photos changed.")
class ListingPhotoSuccess:
    listing: Listing = strawberry.field(description="The listing, with its photos in order.")
    photo: Photo | None = strawberry.field(
        description="The photo added, described or moved; null after a deletion."
    )


@strawberry.type(description="A place's photo changed.")
class SpacePhotoSuccess:
    space: Space = strawberry.field(description="The place.")
    photo: Photo | None = strawberry.field(description="Its photo now; null after a deletion.")


@strawberry.type(description="An organization's photo changed.")
class OrganizationPhotoSuccess:
    organization: Organization = strawberry.field(description="The organization.")
    photo: Photo | None = strawberry.field(description="Its photo now; null after a deletion.")


ListingPhotoResult = Annotated[
    ListingPhotoSuccess | InputError | NotFoundError,
    strawberry.union("ListingPhotoResult", description="The listing's photos, or why not."),
]
SpacePhotoResult = Annotated[
    SpacePhotoSuccess | InputError | NotFoundError,
    strawberry.union("SpacePhotoResult", description="The place's photo, or why not."),
]
OrganizationPhotoResult = Annotated[
    OrganizationPhotoSuccess | InputError | NotFoundError,
    strawberry.union("OrganizationPhotoResult", description="The photo, or why not."),
]


def _listing_success(info: Info) -> Callable[[_Changed[models.Listing]], ListingPhotoSuccess]:
    return lambda changed: ListingPhotoSuccess(
        listing=Listing.from_row(changed.subject),
        photo=photo_of(info, changed.photo) if changed.photo else None,
    )


def _space_success(info: Info) -> Callable[[_Changed[models.Space]], SpacePhotoSuccess]:
    return lambda changed: SpacePhotoSuccess(
        space=Space.from_row(changed.subject),
        photo=photo_of(info, changed.photo) if changed.photo else None,
    )


def _organization_success(
    info: Info,
) -> Callable[[_Changed[models.Organization]], OrganizationPhotoSuccess]:
    return lambda changed: OrganizationPhotoSuccess(
        organization=Organization.from_row(changed.subject),
        photo=photo_of(info, changed.photo) if changed.photo else None,
    )


async def _with_listing(info: Info, photo: models.Photo) -> _Changed[models.Listing]:
    assert photo.listing_id is not None
    listing = await info.context.session.get(models.Listing, photo.listing_id)
    assert listing is not None
    return _Changed(listing, photo)


@strawberry.type
class PhotoMutation:
    @strawberry.mutation(
        description="Add a photo to one of your organization's listings, after its others "
        "(at most 8). Send it as a multipart request."
    )
    async def listing_photo_add(
        self, info: Info, listing_id: NodeId, file: File, alt: Alt
    ) -> ListingPhotoResult:
        async def add(files: FileChanges) -> _Changed[models.Listing]:
            pk = required_id(listing_id, "Listing", "listing_id")
            upload = await read_upload(info, file, alt)
            photo = await service.add_listing_photo(
                info.context.session, info.context.principal, photo_store(info, files), pk, upload
            )
            return await _with_listing(info, photo)

        return await run_with_files(info, add, _listing_success(info))

    @strawberry.mutation(description="Change what a listing's photo is said to show.")
    async def listing_photo_update(self, info: Info, id: NodeId, alt: Alt) -> ListingPhotoResult:
        async def describe(_files: FileChanges) -> _Changed[models.Listing]:
            photo = await service.describe_listing_photo(
                info.context.session, info.context.principal, required_id(id, "Photo", "id"), alt
            )
            return await _with_listing(info, photo)

        return await run_with_files(info, describe, _listing_success(info))

    @strawberry.mutation(
        description="Move a listing's photo to another place in its order; 0 makes it the cover."
    )
    async def listing_photo_move(
        self,
        info: Info,
        id: NodeId,
        position: Annotated[
            int, strawberry.argument(description="Its new place, 0 for the first.")
        ],
    ) -> ListingPhotoResult:
        async def move(_files: FileChanges) -> _Changed[models.Listing]:
            photo = await service.move_listing_photo(
                info.context.session,
                info.context.principal,
                required_id(id, "Photo", "id"),
                position,
            )
            return await _with_listing(info, photo)

        return await run_with_files(info, move, _listing_success(info))

    @strawberry.mutation(description="Delete a listing's photo; its files go with it.")
    async def listing_photo_delete(self, info: Info, id: NodeId) -> ListingPhotoResult:
        async def delete(files: FileChanges) -> _Changed[models.Listing]:
            listing = await service.delete_listing_photo(
                info.context.session, info.context.principal, files, required_id(id, "Photo", "id")
            )
            return _Changed(listing, None)

        return await run_with_files(info, delete, _listing_success(info))

    @strawberry.mutation(
        description="Give a place its photo, replacing the one it had (ADMIN or OWNER of its "
        "organization). Send it as a multipart request."
    )
    async def space_photo_set(
        self, info: Info, space_id: NodeId, file: File, alt: Alt
    ) -> SpacePhotoResult:
        async def put(files: FileChanges) -> _Changed[models.Space]:
            pk = required_id(space_id, "Space", "space_id")
            upload = await read_upload(info, file, alt)
            photo = await service.set_space_photo(
                info.context.session, info.context.principal, photo_store(info, files), pk, upload
            )
            return _Changed(await _row(info, models.Space, pk), photo)

        return await run_with_files(info, put, _space_success(info))

    @strawberry.mutation(description="Change what a place's photo is said to show.")
    async def space_photo_update(self, info: Info, space_id: NodeId, alt: Alt) -> SpacePhotoResult:
        async def describe(_files: FileChanges) -> _Changed[models.Space]:
            pk = required_id(space_id, "Space", "space_id")
            photo = await service.describe_space_photo(
                info.context.session, info.context.principal, pk, alt
            )
            return _Changed(await _row(info, models.Space, pk), photo)

        return await run_with_files(info, describe, _space_success(info))

    @strawberry.mutation(description="Delete a place's photo; its files go with it.")
    async def space_photo_delete(self, info: Info, space_id: NodeId) -> SpacePhotoResult:
        async def delete(files: FileChanges) -> _Changed[models.Space]:
            space = await service.delete_space_photo(
                info.context.session,
                info.context.principal,
                files,
                required_id(space_id, "Space", "space_id"),
            )
            return _Changed(space, None)

        return await run_with_files(info, delete, _space_success(info))

    @strawberry.mutation(
        description="Give an organization its photo or logo, replacing the one it had (ADMIN "
        "or OWNER). Send it as a multipart request."
    )
    async def organization_photo_set(
        self, info: Info, organization_id: NodeId, file: File, alt: Alt
    ) -> OrganizationPhotoResult:
        async def put(files: FileChanges) -> _Changed[models.Organization]:
            pk = required_id(organization_id, "Organization", "organization_id")
            upload = await read_upload(info, file, alt)
            photo = await service.set_organization_photo(
                info.context.session, info.context.principal, photo_store(info, files), pk, upload
            )
            return _Changed(await _row(info, models.Organization, pk), photo)

        return await run_with_files(info, put, _organization_success(info))

    @strawberry.mutation(description="Change what an organization's photo is said to show.")
    async def organization_photo_update(
        self, info: Info, organization_id: NodeId, alt: Alt
    ) -> OrganizationPhotoResult:
        async def describe(_files: FileChanges) -> _Changed[models.Organization]:
            pk = required_id(organization_id, "Organization", "organization_id")
            photo = await service.describe_organization_photo(
                info.context.session, info.context.principal, pk, alt
            )
            return _Changed(await _row(info, models.Organization, pk), photo)

        return await run_with_files(info, describe, _organization_success(info))

    @strawberry.mutation(description="Delete an organization's photo; its files go with it.")
    async def organization_photo_delete(
        self, info: Info, organization_id: NodeId
    ) -> OrganizationPhotoResult:
        async def delete(files: FileChanges) -> _Changed[models.Organization]:
            organization = await service.delete_organization_photo(
                info.context.session,
                info.context.principal,
                files,
                required_id(organization_id, "Organization", "organization_id"),
            )
            return _Changed(organization, None)

        return await run_with_files(info, delete, _organization_success(info))


T = TypeVar("T", models.Space, models.Organization)


async def _row(info: Info, model: type[T], pk: int) -> T:
    row = await info.context.session.get(model, pk)
    assert row is not None  # the service found it a moment ago, in this transaction
    return row
