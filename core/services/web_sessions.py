"""Server-side browser sessions and single-use sign-in states; only SHA-256 digests are stored.

A session ends at the first of: its absolute expiry, `idle` without use, or sign-out (the row is
deleted, so the old cookie replayed finds nothing).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import PendingLogin, PendingPurpose, WebSession
from core.models.base import utcnow
from core.services.identities import principal_for_person
from core.services.principal import Principal

_TOUCH_RESOLUTION = timedelta(minutes=1)


def new_secret() -> str:
    """43 URL-safe characters (256 random bits): cookie values, `state`, `nonce`, PKCE verifier."""
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def open_session(
    session: AsyncSession, person_id: int, provider: str, id_token: str, lifetime: timedelta
) -> str:
    """A new session; returns the secret for the cookie (never stored)."""
    now = utcnow()
    await session.exec(delete(WebSession).where(col(WebSession.expires_at) < now))
    secret = new_secret()
    session.add(
        WebSession(
            session_hash=digest(secret),
            person_id=person_id,
            provider=provider,
            id_token=id_token,
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime,
        )
    )
    await session.flush()
    return secret


async def session_principal(
    session: AsyncSession, secret: str, idle: timedelta
) -> Principal | None:
    """The principal of a live session, or None (an expired or idle session is deleted).

    What it writes (the deletion, the time last seen) is left to the caller's best-effort commit
    (`commit_touch`) and never flushed here: under SQLite, a write after this read may find the
    database locked by another writer, and that must not fail the request.
    """
    row = (
        await session.exec(select(WebSession).where(WebSession.session_hash == digest(secret)))
    ).first()
    if row is None:
        return None
    now = utcnow()
    if row.expires_at <= now or now - row.last_seen_at > idle:
        await session.delete(row)
        return None
    principal = await principal_for_person(session, row.person_id)
    if now - row.last_seen_at > _TOUCH_RESOLUTION:
        row.last_seen_at = now
    return principal


async def close_session(session: AsyncSession, secret: str) -> WebSession | None:
    """Delete the session; returns it (its ID token serves the provider's logout)."""
    row = (
        await session.exec(select(WebSession).where(WebSession.session_hash == digest(secret)))
    ).first()
    if row is not None:
        await session.delete(row)
        await session.flush()
    return row


@dataclass(frozen=True)
class NewState:
    state: str
    nonce: str
    code_verifier: str


async def remember_state(
    session: AsyncSession,
    *,
    purpose: PendingPurpose,
    provider: str,
    browser_secret: str,
    lifetime: timedelta,
    return_to: str = "/",
    keep_at_most: int | None = None,
) -> NewState:
    """A new single-use state. Expired ones go; past `keep_at_most` rows the oldest go too: a
    flood of sign-ins started from many addresses then ends the oldest ones in progress (a
    person who waited longest at the provider starts again) rather than refusing every new one,
    which would lock everyone out for the states' whole lifetime."""
    now = utcnow()
    await session.exec(delete(PendingLogin).where(col(PendingLogin.expires_at) < now))
    if keep_at_most is not None:
        await _drop_oldest(session, keep=keep_at_most - 1)
    issued = NewState(state=new_secret(), nonce=new_secret(), code_verifier=new_secret())
    session.add(
        PendingLogin(
            state_hash=digest(issued.state),
            browser_hash=digest(browser_secret),
            purpose=purpose,
            provider=provider,
            nonce=issued.nonce,
            code_verifier=issued.code_verifier,
            return_to=return_to,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    await session.flush()
    return issued


async def _drop_oldest(session: AsyncSession, keep: int) -> None:
    """Delete every pending state but the `keep` newest."""
    newest = select(PendingLogin.id).order_by(col(PendingLogin.id).desc()).offset(keep).limit(1)
    oldest_dropped = (await session.exec(newest)).first()
    if oldest_dropped is not None:
        await session.exec(delete(PendingLogin).where(col(PendingLogin.id) <= oldest_dropped))


async def consume_state(
    session: AsyncSession,
    state: str,
    *,
    browser_secret: str | None,
    purpose: PendingPurpose,
    provider: str | None,
) -> PendingLogin | None:
    """The pending state, deleted whatever the outcome; None unless it is this browser's, unexpired.

    The DELETE's row count makes it single-use even when two callbacks race.
    """
    row = (
        await session.exec(select(PendingLogin).where(PendingLogin.state_hash == digest(state)))
    ).first()
    if row is None:
        return None
    deleted = await session.exec(delete(PendingLogin).where(col(PendingLogin.id) == row.id))
    if deleted.rowcount != 1:
        return None
    fresh = row.expires_at > utcnow()
    same_browser = browser_secret is not None and secrets.compare_digest(
        row.browser_hash, digest(browser_secret)
    )
    same_provider = provider is None or row.provider == provider
    if not (fresh and same_browser and same_provider and row.purpose == purpose):
        return None
    return row
