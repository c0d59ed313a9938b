"""`Query.categories`: the open taxonomy, with French and English labels."""

from __future__ import annotations

from typing import Annotated

import strawberry

from core.services.taxonomy import categories
from schema.enums import ListingKind


@strawberry.type(description="A category of the open taxonomy (data/taxonomy.csv).")
class Category:
    code: str = strawberry.field(description="Its code, used in `Listing.category`.")
    kind: ListingKind = strawberry.field(description="The kind of listing it classifies.")
    label_fr: str = strawberry.field(description="Its French label.")
    label_en: str = strawberry.field(description="Its English label.")


@strawberry.type
class CategoryQuery:
    @strawberry.field(description="The categories, for one kind or all.")
    def categories(
        self,
        kind: Annotated[
            ListingKind | None, strawberry.argument(description="Only those of this kind.")
        ] = None,
    ) -> list[Category]:
        return [
            Category(code=c.code, kind=c.kind, label_fr=c.label_fr, label_en=c.label_en)
            for c in categories().values()
            if kind is None or c.kind == kind
        ]
