"""The audit trail: `record` writes an event in the caller's transaction; admins read it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import AuditAction, AuditEvent
from core.services.pagination import Page, PageRequest, paginate
from core.services.principal import Principal, require_admin

REDACTED = "[redacted]"
_SECRET_KEY = re.compile(r"secret|password|hash|(^|_)(id_|access_|refresh_)?token$|cookie", re.I)
"""Keys whose values never reach the audit trail, whatever a caller passes."""


def scrub(details: Mapping[str, Any]) -> dict[str, Any]:
    """`details` with every secret-looking value replaced, nested mappings included."""
    clean: dict[str, Any] = {}
    for key, value in details.items():
        if _SECRET_KEY.search(key):
            clean[key] = REDACTED
        elif isinstance(value, Mapping):
            clean[key] = scrub(value)
        else:
            clean[key] = value
    return clean


async def record(
    session: AsyncSession,
    organization_id: int | None,
    actor_id: int | None,
    action: AuditAction,
    details: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Add one event to the session; it is committed (or rolled back) with the change it records."""
    event = AuditEvent(
        organization_id=organization_id,
        actor_id=actor_id,
        action=action,
        details=scrub(details or {}),
    )
    session.add(event)
    await session.flush()
    return event


async def browse_audit_events(
    session: AsyncSession, principal: Principal | None, organization_id: int, page: PageRequest
) -> Page[AuditEvent]:
    """An organization's events, newest first: for its owners and admins only."""
    require_admin(principal, organization_id)
    statement = select(AuditEvent).where(AuditEvent.organization_id == organization_id)
    return await paginate(session, statement, AuditEvent.id, page, descending=True)
