"""`listingPublishRecord`: an organization publishes, in one step, the census record (a
Cartofriches vacant site) shown under its name, which then becomes its own offer."""

from __future__ import annotations

import strawberry

from core import models
from core.services.listing_records import publish_record
from schema.context import Info
from schema.errors import run_mutation
from schema.listings import Listing as ListingType
from schema.listings import ListingResult, ListingSuccess
from schema.relay import NodeId, input_id


def _success(row: models.Listing) -> ListingSuccess:
    return ListingSuccess(listing=ListingType.from_row(row))


@strawberry.type
class ListingRecordMutation:
    @strawberry.mutation(
        description="Publish a census record shown under your organization's name (a vacant "
        "site recorded by Cartofriches) as your own offer: it can then be requested. Members of "
        "the organization only."
    )
    async def listing_publish_record(self, info: Info, id: NodeId) -> ListingResult:
        async def publish() -> models.Listing:
            listing_id = input_id(id, "Listing", "id")
            assert listing_id is not None
            return await publish_record(info.context.session, info.context.principal, listing_id)

        return await run_mutation(info, publish, _success)
