"""Which alerts a freshly indexed listing matches, and the notifications that follow.

The relay calls `notify_alerts` once a batch's documents are searchable. For each listing, SQL
keeps the alerts it could match (direction, kinds, a box around the alert's circle; never the
listing's own organization, never an alert it already notified); then Meilisearch decides, with
one search per alert over the batch's candidate listings: the alert's own criteria, its owner's
visibility, and `id IN [...]`. So an alert matches exactly what its owner's search would show.

Notifications are inserted with ON CONFLICT DO NOTHING on (alert, listing): the relay delivers at
least once, and a replayed event, a later edit or a second worker never notifies twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Insert, and_, exists, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import (
    Alert,
    Direction,
    ListingKind,
    Membership,
    Notification,
    NotificationKind,
    Organization,
)
from core.models.alerts import kind_bit
from core.models.base import utcnow
from core.services.alert_commands import AlertSearch
from core.services.principal import Principal, principal_of
from search.client import SearchClient
from search.filters import all_of, ints_in
from search.listings_index import LISTINGS
from search.listings_search import GeoPoint, ListingQuery, search_body

logger = logging.getLogger("entrelieux.alerts")
MAX_ALERTS_PER_LISTING = 1_000
"""Beyond this many candidate alerts for one listing, the rest wait for its next change (logged)."""
CONCURRENT_SEARCHES = 8


@dataclass
class Candidate:
    alert: Alert
    owner: Principal
    listing_ids: list[int] = field(default_factory=list)


async def notify_alerts(
    session: AsyncSession, client: SearchClient, documents: Sequence[dict[str, Any]]
) -> int:
    """Write a notification for each alert these indexed listings match; returns how many.

    Raises `SearchUnavailable` before writing anything if a search fails, so the relay can
    retry the whole batch.
    """
    if not documents or (await session.exec(select(Alert.id).limit(1))).first() is None:
        return 0  # the common case while nobody has saved an alert: no query per document
    candidates: dict[int, Candidate] = {}
    for document in documents:
        for alert, owner in await _candidate_alerts(session, document):
            assert alert.id is not None
            candidate = candidates.setdefault(alert.id, Candidate(alert, owner))
            candidate.listing_ids.append(int(document["id"]))
    if not candidates:
        return 0
    matches = await _search_all(client, list(candidates.values()))
    by_id = {int(document["id"]): document for document in documents}
    matches.sort(key=lambda match: (match[1], match[0].id or 0))  # listings in order of id
    rows = [_notification(alert, by_id[listing_id]) for alert, listing_id in matches]
    if rows:
        await session.exec(_insert_ignoring_duplicates(session), params=rows)
    return len(rows)


async def _candidate_alerts(
    session: AsyncSession, document: dict[str, Any]
) -> list[tuple[Alert, Principal]]:
    """The alerts this listing could match, with the principal each one's owner is now."""
    listing_id, organization_id = int(document["id"]), int(document["organization_id"])
    acting = aliased(Membership)
    member_of_listing = aliased(Membership)
    kind, direction = ListingKind(document["kind"]), Direction(document["direction"])
    statement = (
        select(Alert, acting.role, Organization.parent_id)
        .outerjoin(
            acting,
            and_(
                col(acting.person_id) == col(Alert.person_id),
                col(acting.organization_id) == col(Alert.organization_id),
            ),
        )
        .outerjoin(Organization, col(Organization.id) == col(Alert.organization_id))
        .where(
            or_(col(Alert.direction).is_(None), col(Alert.direction) == direction),
            or_(col(Alert.kinds_mask) == 0, col(Alert.kinds_mask).bitwise_and(kind_bit(kind)) != 0),
            _around(document.get("_geo")),
            or_(
                col(Alert.organization_id).is_(None), col(Alert.organization_id) != organization_id
            ),
            ~exists().where(
                col(member_of_listing.person_id) == col(Alert.person_id),
                col(member_of_listing.organization_id) == organization_id,
            ),
            ~exists().where(
                col(Notification.alert_id) == col(Alert.id),
                col(Notification.listing_id) == listing_id,
            ),
        )
        .order_by(col(Alert.id))
        .limit(MAX_ALERTS_PER_LISTING + 1)
    )
    rows = list((await session.exec(statement)).all())
    if len(rows) > MAX_ALERTS_PER_LISTING:
        logger.warning(
            "listing %d could match over %d alerts; only the first were checked",
            listing_id,
            MAX_ALERTS_PER_LISTING,
        )
    return [(alert, _owner(alert, role, parent_id)) for alert, role, parent_id in rows]


def _around(point: dict[str, float] | None) -> ColumnElement[bool]:
    """Alerts with no place, or whose box holds the listing's point; a listing with no point
    cannot be within anyone's radius."""
    anywhere = col(Alert.box_south).is_(None)
    if not point:
        return anywhere
    lat, lon = float(point["lat"]), float(point["lng"])
    return or_(
        anywhere,
        and_(
            col(Alert.box_south) <= lat,
            col(Alert.box_north) >= lat,
            col(Alert.box_west) <= lon,
            col(Alert.box_east) >= lon,
        ),
    )


def _owner(alert: Alert, role: str | None, parent_id: int | None) -> Principal:
    """Who the alert's owner is now: acting for its organization while still a member of it
    (with its network, as a bearer token would give), else an anonymous-like viewer."""
    if role is None or alert.organization_id is None:
        return principal_of(alert.person_id, [])
    return principal_of(alert.person_id, [(alert.organization_id, role, parent_id)])


async def _search_all(client: SearchClient, candidates: list[Candidate]) -> list[tuple[Alert, int]]:
    gate = asyncio.Semaphore(CONCURRENT_SEARCHES)

    async def one(candidate: Candidate) -> list[tuple[Alert, int]]:
        async with gate:
            ids = await _matching_ids(client, candidate)
        return [(candidate.alert, listing_id) for listing_id in ids]

    results = await asyncio.gather(*(one(c) for c in candidates), return_exceptions=True)
    matches: list[tuple[Alert, int]] = []
    for result in results:
        if isinstance(result, BaseException):
            raise result
        matches += result
    return matches


async def _matching_ids(client: SearchClient, candidate: Candidate) -> list[int]:
    """Which of the candidate listings the alert's search shows its owner."""
    query = alert_query(AlertSearch.model_validate(candidate.alert.search), candidate.listing_ids)
    body = search_body(candidate.owner, query)
    body["filter"] = all_of(body["filter"], ints_in("id", candidate.listing_ids))
    body["attributesToRetrieve"] = ["id"]
    body.pop("sort", None)
    result = await client.search(LISTINGS, body)
    return [int(hit["id"]) for hit in result["hits"]]


def alert_query(search: AlertSearch, listing_ids: Sequence[int]) -> ListingQuery:
    """The saved criteria as a search query. Every word must match (`all`), not only the first
    ones as in `Query.search`: a notification must be about what was asked for."""
    return ListingQuery(
        text=search.text,
        kinds=tuple(search.kinds),
        direction=search.direction,
        categories=tuple(search.categories),
        departments=tuple(search.departments),
        regions=tuple(search.regions),
        near=GeoPoint(search.near.lat, search.near.lon) if search.near else None,
        radius_km=search.radius_km if search.near else None,
        available_from=search.available_from,
        available_until=search.available_until,
        limit=len(listing_ids),
        facets=(),
        matching_strategy="all",
    )


def _notification(alert: Alert, document: dict[str, Any]) -> dict[str, Any]:
    what = "Offre" if document["direction"] == Direction.OFFER else "Demande"
    return {
        "person_id": alert.person_id,
        "alert_id": alert.id,
        "listing_id": int(document["id"]),
        "kind": NotificationKind.ALERT_MATCH,
        "title": str(document["title"])[:300],
        "body": f"{what} correspondant à votre alerte « {alert.name} »",
        "note": alert.name[:2000],
        "created_at": utcnow(),
        "read_at": None,
        "email_pending": True,
    }


def _insert_ignoring_duplicates(session: AsyncSession) -> Insert:
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        return postgresql.insert(Notification).on_conflict_do_nothing(
            index_elements=["alert_id", "listing_id"]
        )
    return sqlite.insert(Notification).on_conflict_do_nothing(
        index_elements=["alert_id", "listing_id"]
    )
