"""Alerts (saved searches) and the notifications they send, as their owner sees them.

Matching a changed listing against alerts is search's job (`search/alerts.py`, run by the
outbox relay); here are only what a person does: save, list and delete alerts, read notifications.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.error_codes import AlertErrorCode, LocationErrorCode
from core.errors import InvalidInput, NotFound
from core.models import Alert, Notification
from core.models.alerts import kinds_mask
from core.models.base import utcnow
from core.services.alert_commands import (
    DEFAULT_RADIUS_KM,
    AlertDraft,
    AlertSearch,
    Point,
    bounding_box,
)
from core.services.communes import resolve_commune
from core.services.pagination import Page, PageRequest, paginate
from core.services.principal import Principal, require_principal

MAX_ALERTS_PER_PERSON = 50
Row = TypeVar("Row", Alert, Notification)
_NOT_FOUND = {
    Alert: AlertErrorCode.ALERT_NOT_FOUND,
    Notification: AlertErrorCode.NOTIFICATION_NOT_FOUND,
}


async def create_alert(
    session: AsyncSession, principal: Principal | None, draft: AlertDraft
) -> Alert:
    """Save a search, matched against what the person may see acting for their organization."""
    acting = require_principal(principal)
    owned = select(func.count()).select_from(Alert).where(Alert.person_id == acting.person_id)
    if int((await session.exec(owned)).one()) >= MAX_ALERTS_PER_PERSON:
        limit = str(MAX_ALERTS_PER_PERSON)
        raise InvalidInput.one("input", AlertErrorCode.TOO_MANY_ALERTS, value=limit)
    search = await _located(session, draft.search)
    south, north, west, east = (
        bounding_box(search.near, search.radius_km or DEFAULT_RADIUS_KM)
        if search.near is not None
        else (None, None, None, None)
    )
    alert = Alert(
        person_id=acting.person_id,
        organization_id=acting.organization_id,
        name=draft.name,
        search=search.model_dump(mode="json"),
        direction=search.direction,
        kinds_mask=kinds_mask(search.kinds),
        box_south=south,
        box_north=north,
        box_west=west,
        box_east=east,
    )
    session.add(alert)
    await session.flush()
    return alert


async def _located(session: AsyncSession, search: AlertSearch) -> AlertSearch:
    """The search with its commune resolved to a point once, and a radius around any point."""
    if search.commune:
        commune = await resolve_commune(session, search.commune, field="search.commune")
        if commune.latitude is None or commune.longitude is None:
            raise InvalidInput.one("search.commune", LocationErrorCode.COMMUNE_WITHOUT_CENTRE)
        search = search.model_copy(
            update={"near": Point(lat=commune.latitude, lon=commune.longitude)}
        )
    if search.near is not None and search.radius_km is None:
        search = search.model_copy(update={"radius_km": DEFAULT_RADIUS_KM})
    return search


async def delete_alert(session: AsyncSession, principal: Principal | None, alert_id: int) -> int:
    """Only its owner deletes an alert; to anyone else it does not exist. Notifications stay."""
    alert = await _own(session, principal, Alert, alert_id)
    await session.delete(alert)
    await session.flush()
    return alert_id


async def browse_alerts(
    session: AsyncSession, principal: Principal | None, page: PageRequest
) -> Page[Alert]:
    """The person's alerts, newest first."""
    acting = require_principal(principal)
    statement = select(Alert).where(Alert.person_id == acting.person_id)
    return await paginate(session, statement, Alert.id, page, descending=True)


async def alerts_by_ids(
    session: AsyncSession, principal: Principal | None, ids: Sequence[int]
) -> list[Alert]:
    """Those of these alerts the viewer owns."""
    if principal is None:
        return []
    statement = select(Alert).where(col(Alert.id).in_(ids), Alert.person_id == principal.person_id)
    return list((await session.exec(statement)).all())


async def get_alert(
    session: AsyncSession, principal: Principal | None, alert_id: int
) -> Alert | None:
    found = await alerts_by_ids(session, principal, [alert_id])
    return found[0] if found else None


async def browse_notifications(
    session: AsyncSession, principal: Principal | None, page: PageRequest, *, unread_only: bool
) -> Page[Notification]:
    """The person's notifications, newest first."""
    acting = require_principal(principal)
    statement = select(Notification).where(Notification.person_id == acting.person_id)
    if unread_only:
        statement = statement.where(col(Notification.read_at).is_(None))
    return await paginate(session, statement, Notification.id, page, descending=True)


async def count_unread(session: AsyncSession, principal: Principal | None) -> int:
    acting = require_principal(principal)
    statement = (
        select(func.count())
        .select_from(Notification)
        .where(Notification.person_id == acting.person_id, col(Notification.read_at).is_(None))
    )
    return int((await session.exec(statement)).one())


async def get_notification(
    session: AsyncSession, principal: Principal | None, notification_id: int
) -> Notification | None:
    if principal is None:
        return None
    notification = await session.get(Notification, notification_id)
    if notification is None or notification.person_id != principal.person_id:
        return None
    return notification


async def mark_notification_read(
    session: AsyncSession, principal: Principal | None, notification_id: int
) -> Notification:
    notification = await _own(session, principal, Notification, notification_id)
    if notification.read_at is None:
        notification.read_at = utcnow()
        await session.flush()
    return notification


async def _own(
    session: AsyncSession, principal: Principal | None, table: type[Row], pk: int
) -> Row:
    acting = require_principal(principal)
    row = await session.get(table, pk)
    if row is None or row.person_id != acting.person_id:
        raise NotFound(_NOT_FOUND[table], value=str(pk))
    return row
