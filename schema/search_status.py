"""`Query.searchStatus`: has the search index caught up? A client can say so and ask again."""

from __future__ import annotations

import strawberry

from core.services.search_status import search_status
from schema.context import Info


@strawberry.type(description="Whether the search index has caught up with the latest changes.")
class SearchStatus:
    indexing: bool = strawberry.field(
        description="The index is catching up (after a start or a bulk load): a search may miss "
        "listings not indexed yet; ask again in a moment."
    )
    pending: int = strawberry.field(description="Changes not in the index yet.")


@strawberry.type
class SearchStatusQuery:
    @strawberry.field(description="Whether search has caught up with the latest changes.")
    async def search_status(self, info: Info) -> SearchStatus:
        settings = info.context.settings
        status = await search_status(info.context.session, enabled=settings.search_enabled)
        return SearchStatus(indexing=status.indexing, pending=status.pending)
