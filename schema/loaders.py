"""Per-request DataLoaders, one per relationship a type exposes: no N+1 queries."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession
from strawberry.dataloader import DataLoader

from core.models import (
    Agreement,
    AgreementAcceptance,
    AgreementVersion,
    Alert,
    Commune,
    Epci,
    Exchange,
    ExchangeEvent,
    LabRecognition,
    Listing,
    NetworkArea,
    Organization,
    Person,
    Photo,
    Space,
    SpaceClaim,
    SpaceMerge,
    SpaceSourceRecord,
    Training,
)
from core.services.agreements import (
    acceptances_of,
    agreements_by_ids,
    agreements_of_exchanges,
    versions_of,
)
from core.services.alerts import alerts_by_ids
from core.services.communes import communes_by_codes, epcis_by_sirens
from core.services.exchange_photos import photos_of_exchanges
from core.services.exchange_reads import events_of, exchanges_by_ids, listings_of_exchanges
from core.services.listings import listings_by_ids
from core.services.memberships import people_by_ids
from core.services.network_desk import areas_of, listings_under_review, spaces_of_organizations
from core.services.organizations import organizations_by_ids
from core.services.photos import (
    photos_of_listings,
    photos_of_organizations,
    photos_of_spaces,
)
from core.services.principal import Principal
from core.services.space_claims import verified_claims_of
from core.services.space_sources import merges_of_spaces, records_by_ids, records_of_spaces
from core.services.spaces import spaces_by_ids
from core.services.trainings import (
    passport_shares_of,
    recognitions_of,
    sharing_members_of,
    trainings_of_people,
)
from search.client import SearchClient, SearchUnavailable
from search.listings_search import (
    MULTI_SEARCH_MAX,
    ListingQuery,
    SearchPage,
    search_listings_many,
)

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def _by_key(
    fetch: Callable[[Sequence[K]], Awaitable[list[V]]], key: Callable[[V], Any]
) -> DataLoader[K, V | None]:
    """A loader that fetches many rows in one query and hands each key its row (or None)."""

    async def load(keys: list[K]) -> list[V | None]:
        found = {key(row): row for row in await fetch(keys)}
        return [found.get(k) for k in keys]

    return DataLoader(load_fn=load)


def _grouped(
    fetch: Callable[[Sequence[K]], Awaitable[list[V]]], key: Callable[[V], Any]
) -> DataLoader[K, list[V]]:
    """A loader that fetches the rows of many keys in one query and hands each key its rows."""

    async def load(keys: list[K]) -> list[list[V]]:
        grouped: dict[Any, list[V]] = {}
        for row in await fetch(keys):
            grouped.setdefault(key(row), []).append(row)
        return [grouped.get(k, []) for k in keys]

    return DataLoader(load_fn=load)


def _mapped(
    fetch: Callable[[Sequence[K]], Awaitable[dict[K, V]]], default: Callable[[], V]
) -> DataLoader[K, V]:
    """A loader over a batch function that already returns a mapping; `default` for a key
    it left out."""

    async def load(keys: list[K]) -> list[V]:
        found = await fetch(keys)
        return [found.get(k, default()) for k in keys]

    return DataLoader(load_fn=load)


def _listing_searches(
    search: SearchClient | None, principal: Principal | None, slots: asyncio.Semaphore
) -> DataLoader[ListingQuery, SearchPage]:
    """The searches of one tick (a page of listings' `matches`) as one Meilisearch multi-search,
    holding one of the request's search slots; raises `SearchUnavailable` for all of them."""

    async def load(queries: list[ListingQuery]) -> list[SearchPage]:
        if search is None:
            raise SearchUnavailable("search is off")
        async with slots:
            return await search_listings_many(search, principal, queries)

    return DataLoader(load_fn=load, max_batch_size=MULTI_SEARCH_MAX)


class Loaders:
    def __init__(
        self,
        session: AsyncSession,
        principal: Principal | None,
        search: SearchClient | None = None,
        search_slots: asyncio.Semaphore | None = None,
    ) -> None:
        self.listing_search: DataLoader[ListingQuery, SearchPage] = _listing_searches(
            search, principal, search_slots or asyncio.Semaphore(1)
        )
        self.space_by_id: DataLoader[int, Space | None] = _by_key(
            lambda ids: spaces_by_ids(session, ids), lambda s: s.id
        )
        self.organization_by_id: DataLoader[int, Organization | None] = _by_key(
            lambda ids: organizations_by_ids(session, ids), lambda o: o.id
        )
        self.commune_by_insee: DataLoader[str, Commune | None] = _by_key(
            lambda codes: communes_by_codes(session, codes), lambda c: c.code_insee
        )
        self.epci_by_siren: DataLoader[str, Epci | None] = _by_key(
            lambda sirens: epcis_by_sirens(session, sirens), lambda e: e.siren
        )
        self.listing_by_id: DataLoader[int, Listing | None] = _by_key(
            lambda ids: listings_by_ids(session, principal, ids), lambda r: r.id
        )
        self.alert_by_id: DataLoader[int, Alert | None] = _by_key(
            lambda ids: alerts_by_ids(session, principal, ids), lambda a: a.id
        )
        self.person_by_id: DataLoader[int, Person | None] = _by_key(
            lambda ids: people_by_ids(session, ids), lambda p: p.id
        )
        self.exchange_by_id: DataLoader[int, Exchange | None] = _by_key(
            lambda ids: exchanges_by_ids(session, principal, ids), lambda e: e.id
        )
        self.exchange_listing_by_id: DataLoader[int, Listing | None] = _by_key(
            lambda ids: listings_of_exchanges(session, principal, ids), lambda r: r.id
        )
        self.exchange_events: DataLoader[int, list[ExchangeEvent]] = _grouped(
            lambda ids: events_of(session, ids), lambda e: e.exchange_id
        )
        self.photos_by_listing_id: DataLoader[int, list[Photo]] = _grouped(
            lambda ids: photos_of_listings(session, ids), lambda p: p.listing_id
        )
        self.photo_by_space_id: DataLoader[int, Photo | None] = _by_key(
            lambda ids: photos_of_spaces(session, ids), lambda p: p.space_id
        )
        self.spaces_by_organization_id: DataLoader[int, list[Space]] = _grouped(
            lambda ids: spaces_of_organizations(session, ids), lambda s: s.organization_id
        )
        self.areas_by_network_id: DataLoader[int, list[NetworkArea]] = _grouped(
            lambda ids: areas_of(session, ids), lambda a: a.organization_id
        )
        self.reported_listing_by_id: DataLoader[int, Listing | None] = _by_key(
            lambda ids: listings_under_review(session, ids), lambda r: r.id
        )
        self.photo_by_organization_id: DataLoader[int, Photo | None] = _by_key(
            lambda ids: photos_of_organizations(session, ids), lambda p: p.organization_id
        )
        self.verified_claim_by_space_id: DataLoader[int, SpaceClaim | None] = _by_key(
            lambda ids: verified_claims_of(session, ids), lambda c: c.space_id
        )
        self.space_sources_by_space_id: DataLoader[int, list[SpaceSourceRecord]] = _grouped(
            lambda ids: records_of_spaces(session, ids), lambda r: r.space_id
        )
        self.space_merges_by_space_id: DataLoader[int, list[SpaceMerge]] = _grouped(
            lambda ids: merges_of_spaces(session, ids), lambda m: m.space_id
        )
        self.space_source_record_by_id: DataLoader[int, SpaceSourceRecord | None] = _by_key(
            lambda ids: records_by_ids(session, ids), lambda r: r.id
        )
        self.trainings_by_person_id: DataLoader[int, list[Training]] = _grouped(
            lambda ids: trainings_of_people(session, ids), lambda t: t.person_id
        )
        # Training checks (issue 16): the labs each host recognizes explicitly.
        self.recognitions_by_organization_id: DataLoader[int, list[LabRecognition]] = _grouped(
            lambda ids: recognitions_of(session, ids), lambda r: r.organization_id
        )
        # Passport shares (issue 16): whom each person shares with; for a training check, the
        # members of the requesting organization who share with the host.
        self.passport_shares_by_person_id: DataLoader[int, list[int]] = _mapped(
            lambda ids: passport_shares_of(session, ids), list
        )
        self.sharing_members_by_pair: DataLoader[tuple[int, int], list[int]] = _mapped(
            lambda pairs: sharing_members_of(session, pairs), list
        )
        self.photos_by_exchange_id: DataLoader[int, list[Photo]] = _grouped(
            lambda ids: photos_of_exchanges(session, ids), lambda p: p.exchange_id
        )
        # The agreement of an exchange the viewer already reached (`Exchange.agreement`).
        self.agreement_by_exchange_id: DataLoader[int, Agreement | None] = _by_key(
            lambda ids: agreements_of_exchanges(session, ids), lambda a: a.exchange_id
        )
        self.agreement_by_id: DataLoader[int, Agreement | None] = _by_key(
            lambda ids: agreements_by_ids(session, ids), lambda a: a.id
        )
        self.agreement_versions: DataLoader[int, list[AgreementVersion]] = _grouped(
            lambda ids: versions_of(session, ids), lambda v: v.agreement_id
        )
        self.agreement_acceptances: DataLoader[int, list[AgreementAcceptance]] = _grouped(
            lambda ids: acceptances_of(session, ids), lambda a: a.version_id
        )
