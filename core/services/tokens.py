"""Personal access tokens: create, authenticate, revoke. Only their SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.error_codes import TokenErrorCode
from core.errors import NotFound
from core.models import AccessToken, Membership, Organization, Person, Role
from core.models.base import utcnow
from core.services.principal import Principal, principal_of, require_member

TOKEN_PREFIX = "elx_"  # noqa: S105  (a marker, not a secret)
_LAST_USED_RESOLUTION = timedelta(minutes=5)


@dataclass(frozen=True)
class IssuedToken:
    token: AccessToken
    secret: str
    """Shown once, never stored."""


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def issue_token(
    session: AsyncSession,
    person: Person,
    organization: Organization,
    *,
    name: str = "",
    expires_at: datetime | None = None,
) -> IssuedToken:
    """A new token for a person acting for an organization they are a member of."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    assert person.id is not None
    assert organization.id is not None
    token = AccessToken(
        person_id=person.id,
        organization_id=organization.id,
        name=name,
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        token_hash=hash_secret(secret),
        expires_at=expires_at,
    )
    session.add(token)
    await session.flush()
    return IssuedToken(token=token, secret=secret)


async def ensure_member(
    session: AsyncSession, email: str, organization: Organization, role: Role
) -> Person:
    """The person with this e-mail, created if new, with a membership of at least `role`."""
    person = (await session.exec(select(Person).where(Person.email == email))).first()
    if person is None:
        person = Person(email=email, display_name=email.split("@")[0])
        session.add(person)
        await session.flush()
    membership = (
        await session.exec(
            select(Membership).where(
                Membership.person_id == person.id, Membership.organization_id == organization.id
            )
        )
    ).first()
    if membership is None:
        assert person.id is not None
        assert organization.id is not None
        session.add(Membership(person_id=person.id, organization_id=organization.id, role=role))
    elif role == Role.ADMIN and membership.role == Role.MEMBER:
        membership.role = role
    await session.flush()
    return person


async def authenticate(session: AsyncSession, secret: str) -> Principal | None:
    """The principal a bearer secret stands for, or None when unknown, revoked or expired."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    now = utcnow()
    row = (
        await session.exec(
            select(AccessToken, Membership.role, Organization.parent_id)
            .join(
                Membership,
                and_(
                    col(Membership.person_id) == col(AccessToken.person_id),
                    col(Membership.organization_id) == col(AccessToken.organization_id),
                ),
            )
            .join(Organization, col(Organization.id) == col(AccessToken.organization_id))
            .where(AccessToken.token_hash == hash_secret(secret))
        )
    ).first()
    if row is None:
        return None
    token, role, parent_id = row
    if token.revoked_at is not None or (token.expires_at and token.expires_at <= now):
        return None
    if token.last_used_at is None or now - token.last_used_at > _LAST_USED_RESOLUTION:
        token.last_used_at = now
    return principal_of(token.person_id, [(token.organization_id, role, parent_id)])


async def revoke_token(
    session: AsyncSession, principal: Principal | None, token_id: int
) -> AccessToken:
    """A person revokes their own token; an admin of the organization revokes any of its tokens."""
    token = await session.get(AccessToken, token_id)
    if token is None:
        raise NotFound(TokenErrorCode.TOKEN_NOT_FOUND, value=str(token_id))
    acting = require_member(principal, token.organization_id)
    role = acting.role_in(token.organization_id)
    if token.person_id != acting.person_id and not (role and role.can_administer):
        raise NotFound(TokenErrorCode.TOKEN_NOT_FOUND, value=str(token_id))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    await session.flush()
    return token
