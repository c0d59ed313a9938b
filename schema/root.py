"""The root types, merged from each domain, and `node(id:)`."""

from __future__ import annotations

import strawberry

from core.services.listings import read_listing
from schema.agreement_mutations import AgreementMutation
from schema.agreements import load_agreement
from schema.alerts import (
    Alert,
    AlertMutation,
    AlertQuery,
    Notification,
    load_alert,
    load_notification,
)
from schema.availability import AvailabilityMutation
from schema.calendar_feeds import CalendarFeedMutation, CalendarFeedQuery
from schema.categories import CategoryQuery
from schema.communes import CommuneQuery
from schema.context import Info
from schema.epcis import EpciQuery
from schema.exchanges import Exchange, ExchangeMutation, ExchangeQuery, load_exchange
from schema.impact import ImpactQuery
from schema.listing_records import ListingRecordMutation
from schema.listings import Listing, ListingMutation, ListingQuery
from schema.me import MeQuery, TokenMutation
from schema.memberships import MembershipMutation
from schema.moderation import ModerationMutation
from schema.network_desk import NetworkDeskQuery
from schema.organizations import (
    Organization,
    OrganizationMutation,
    OrganizationQuery,
    load_organization,
)
from schema.photo_mutations import PhotoMutation
from schema.profiles import ProfileMutation
from schema.relay import Node, NodeId, from_global_id
from schema.search import SearchQuery
from schema.search_status import SearchStatusQuery
from schema.space_claims import SpaceClaimMutation
from schema.space_merges import SpaceMergeMutation
from schema.space_search import SpaceQuery
from schema.spaces import Space, SpaceMutation, load_space
from schema.territories import TerritoryQuery
from schema.trainings import TrainingMutation


async def resolve_node(info: Info, global_id: str) -> Node | None:
    """Any object by its global id, through the same permission checks as every other path."""
    decoded = from_global_id(global_id)
    if decoded is None:
        return None
    type_name, pk = decoded
    if type_name == "Listing":
        row = await read_listing(info.context.session, info.context.principal, listing_id=pk)
        return Listing.from_row(row) if row else None
    if type_name == "Space":
        return await load_space(info, pk)
    if type_name == "Organization":
        return await load_organization(info, pk)
    if type_name == "Alert":
        return await load_alert(info, pk)
    if type_name == "Notification":
        return await load_notification(info, pk)
    if type_name == "Exchange":
        return await load_exchange(info, pk)
    if type_name == "Agreement":
        return await load_agreement(info, pk)
    return None


@strawberry.type(description="Read the exchange: places, organizations, listings.")
class Query(
    OrganizationQuery,
    SpaceQuery,
    ListingQuery,
    SearchQuery,
    SearchStatusQuery,
    CommuneQuery,
    EpciQuery,
    CategoryQuery,
    AlertQuery,
    MeQuery,
    ImpactQuery,
    CalendarFeedQuery,
    ExchangeQuery,
    NetworkDeskQuery,
    TerritoryQuery,
):
    @strawberry.field(description="Any object by its global id.")
    async def node(self, info: Info, id: NodeId) -> Node | None:
        return await resolve_node(info, id)


@strawberry.type(description="Change the exchange. Every mutation needs a bearer token.")
class Mutation(
    OrganizationMutation,
    SpaceMutation,
    ListingMutation,
    ListingRecordMutation,
    AlertMutation,
    MembershipMutation,
    TokenMutation,
    CalendarFeedMutation,
    ExchangeMutation,
    AvailabilityMutation,
    ProfileMutation,
    PhotoMutation,
    SpaceClaimMutation,
    ModerationMutation,
    SpaceMergeMutation,
    TrainingMutation,
    AgreementMutation,
):
    pass


NODE_TYPES = [Listing, Space, Organization, Alert, Notification, Exchange]
