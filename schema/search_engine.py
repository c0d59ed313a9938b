"""Resolvers' calls into the search engine: an outage becomes one `SEARCH_UNAVAILABLE` error."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from graphql import GraphQLError

from schema.context import Info
from schema.relay import to_global_id
from search.client import SearchClient, SearchUnavailable
from search.listings_search import ListingQuery, SearchPage, search_listings

T = TypeVar("T")


def search_unavailable(error: SearchUnavailable) -> GraphQLError:
    return GraphQLError(
        "Search is unavailable for a moment; browsing still works.",
        extensions={"code": "SEARCH_UNAVAILABLE", "reason": str(error)[:200]},
    )


async def run_search(info: Info, query: ListingQuery) -> SearchPage:
    client = info.context.search
    if client is None:
        raise search_unavailable(SearchUnavailable("search is off"))
    try:
        async with info.context.search_slots:
            return await search_listings(client, info.context.principal, query)
    except SearchUnavailable as error:
        raise search_unavailable(error) from None


async def run_batched_search(info: Info, query: ListingQuery) -> SearchPage:
    """A search one field runs per object (`Listing.matches`): the searches of a whole page go
    to Meilisearch together, in one multi-search (`schema/loaders.py` `listing_search`)."""
    try:
        return await info.context.loaders.listing_search.load(query)
    except SearchUnavailable as error:
        raise search_unavailable(error) from None


async def run_place_search(info: Info, search: Callable[[SearchClient], Awaitable[T]]) -> T:
    """Run a places or communes search, turning an outage into `SEARCH_UNAVAILABLE`."""
    client = info.context.search
    if client is None:
        raise search_unavailable(SearchUnavailable("search is off"))
    try:
        async with info.context.search_slots:
            return await search(client)
    except SearchUnavailable as error:
        raise search_unavailable(error) from None


def offset_cursor(offset: int) -> str:
    return to_global_id("offset", offset)
