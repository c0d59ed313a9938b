"""Photos: the type, and how a listing, a place, an organization or an exchange finds its own
(loaders)."""

from __future__ import annotations

import strawberry

from core import models
from core.media.images import EXTENSION
from core.models import PhotoStage
from schema.context import Info
from schema.relay import to_global_id

strawberry.enum(
    PhotoStage,
    description="When an exchange's photo shows its object: HANDOVER (as it was handed over) or "
    "RETURN (as it came back).",
)


@strawberry.type(description="One file of a photo, at one width.")
class PhotoSource:
    url: str = strawberry.field(description="Where to fetch it; the file never changes.")
    width: int = strawberry.field(description="Its width in pixels.")
    height: int = strawberry.field(description="Its height in pixels.")


@strawberry.type(
    description="A photo, re-encoded as WebP at a few widths (never wider than uploaded), "
    "without any metadata (no EXIF, GPS position included). Show it with "
    '`<img src="{url}" srcset="{srcset}" sizes="…" alt="{alt}" width="{width}" '
    'height="{height}">`.'
)
class Photo:
    pk: strawberry.Private[int]
    created_by_id: strawberry.Private[int | None]
    id: strawberry.ID = strawberry.field(description="The photo's global id.")
    alt: str = strawberry.field(description="What it shows, for people who cannot see it.")
    position: int = strawberry.field(
        description="Its place among its listing's photos, 0 for the first (the cover); or "
        "among its exchange's photos of the same stage."
    )
    stage: PhotoStage | None = strawberry.field(
        description="An exchange's photo: at handover or at return; null for any other photo."
    )
    width: int = strawberry.field(description="The width of its largest file, in pixels.")
    height: int = strawberry.field(description="The height of its largest file, in pixels.")
    url: str = strawberry.field(description="Its largest file.")
    srcset: str = strawberry.field(
        description="Every file with its width, for `<img srcset>`: `…/320.webp 320w, …`."
    )
    content_type: str = strawberry.field(description="The files' media type (image/webp).")
    sources: list[PhotoSource] = strawberry.field(description="Every file, narrowest first.")

    @strawberry.field(
        description="The viewer added it: only they describe or delete an exchange's photo."
    )
    def mine(self, info: Info) -> bool:
        principal = info.context.principal
        return principal is not None and principal.person_id == self.created_by_id

    @classmethod
    def from_row(cls, row: models.Photo, media_url: str) -> Photo:
        assert row.id is not None
        sources = [
            PhotoSource(
                url=f"{media_url}/{row.key}/{width}.{EXTENSION}",
                width=width,
                height=max(1, round(row.height * width / row.width)),
            )
            for width in row.widths
        ]
        return cls(
            pk=row.id,
            created_by_id=row.created_by_id,
            id=to_global_id("Photo", row.id),
            alt=row.alt,
            position=row.position,
            stage=row.stage,
            width=row.width,
            height=row.height,
            url=sources[-1].url,
            srcset=", ".join(f"{source.url} {source.width}w" for source in sources),
            content_type=row.media_type,
            sources=sources,
        )


def photo_of(info: Info, row: models.Photo) -> Photo:
    return Photo.from_row(row, info.context.settings.media_url)


async def listing_photos(info: Info, listing_pk: int) -> list[Photo]:
    rows = await info.context.loaders.photos_by_listing_id.load(listing_pk)
    return [photo_of(info, row) for row in rows]


async def space_photo(info: Info, space_pk: int) -> Photo | None:
    row = await info.context.loaders.photo_by_space_id.load(space_pk)
    return photo_of(info, row) if row else None


async def organization_photo(info: Info, organization_pk: int) -> Photo | None:
    row = await info.context.loaders.photo_by_organization_id.load(organization_pk)
    return photo_of(info, row) if row else None


async def exchange_photos(info: Info, exchange_pk: int, stage: PhotoStage | None) -> list[Photo]:
    """The exchange's photos, by stage then position; only this stage's when one is given."""
    rows = await info.context.loaders.photos_by_exchange_id.load(exchange_pk)
    return [photo_of(info, row) for row in rows if stage is None or row.stage == stage]
