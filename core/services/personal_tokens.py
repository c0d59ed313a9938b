"""Personal access tokens as people manage them: create one for an organization, list, revoke.

The token mechanics (hashing, authenticating) are in `tokens`; this adds the rules and the audit.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.error_codes import OrganizationErrorCode, TokenErrorCode
from core.errors import NotFound
from core.models import AccessToken, AuditAction, Organization, Person
from core.models.base import utcnow
from core.services.audit import record
from core.services.principal import Principal, require_member
from core.services.tokens import IssuedToken, issue_token, revoke_token
from core.services.validation import refuse


class TokenDraft(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(default="", max_length=100)
    expires_at: datetime | None = None

    @field_validator("expires_at")
    @classmethod
    def _future(cls, value: datetime | None) -> datetime | None:
        if value is not None and (value if value.tzinfo else value.astimezone()) <= utcnow():
            raise refuse(TokenErrorCode.EXPIRY_IN_THE_PAST)
        return value


async def create_token(
    session: AsyncSession, principal: Principal | None, organization_id: int, draft: TokenDraft
) -> IssuedToken:
    """A token for the signed-in person acting for one of their organizations; shown once."""
    acting = require_member(principal, organization_id)
    person = await session.get(Person, acting.person_id)
    organization = await session.get(Organization, organization_id)
    if person is None or organization is None:
        raise NotFound(OrganizationErrorCode.ORGANIZATION_NOT_FOUND, value=str(organization_id))
    issued = await issue_token(
        session, person, organization, name=draft.name, expires_at=draft.expires_at
    )
    details = {"token_id": issued.token.id, "prefix": issued.token.prefix, "name": draft.name}
    await record(session, organization_id, acting.person_id, AuditAction.TOKEN_CREATED, details)
    return issued


async def revoke(session: AsyncSession, principal: Principal | None, token_id: int) -> AccessToken:
    """Revoke your own token, or, as an admin, any token of the organization. Idempotent."""
    before = await session.get(AccessToken, token_id)
    already_revoked = before is not None and before.revoked_at is not None
    token = await revoke_token(session, principal, token_id)
    if not already_revoked:
        assert principal is not None
        details = {"token_id": token.id, "prefix": token.prefix, "owner_id": token.person_id}
        action = AuditAction.TOKEN_REVOKED
        await record(session, token.organization_id, principal.person_id, action, details)
    return token


async def tokens_of(session: AsyncSession, person_id: int) -> list[AccessToken]:
    """Every token a person owns, newest first, revoked ones included."""
    statement = select(AccessToken).where(AccessToken.person_id == person_id)
    return list((await session.exec(statement.order_by(col(AccessToken.id).desc()))).all())
