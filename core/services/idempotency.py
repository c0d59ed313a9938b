"""Idempotency keys for mutations that create things.

A client that is not sure its request arrived sends it again with the same key: the first
result comes back and nothing is created twice. The same key with another input is a
`Conflict`. Keys belong to a person; a unique constraint settles concurrent replays.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.error_codes import IdempotencyErrorCode
from core.errors import Conflict, InvalidInput
from core.models import IdempotencyKey
from core.services.principal import Principal, require_principal

KEY = re.compile(r"[A-Za-z0-9_.:-]{1,100}")
FIELD = "idempotency_key"


@dataclass(frozen=True)
class Claim:
    """A key as a person used it for one operation with one input."""

    person_id: int
    key: str
    operation: str
    fingerprint: str


def claim(principal: Principal | None, key: str, operation: str, payload: object) -> Claim:
    if not KEY.fullmatch(key):
        raise InvalidInput.one(FIELD, IdempotencyErrorCode.BAD_IDEMPOTENCY_KEY)
    acting = require_principal(principal)
    return Claim(acting.person_id, key, operation, fingerprint(payload))


def fingerprint(payload: object) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def recall(session: AsyncSession, claim: Claim) -> int | None:
    """The id the first call created, or None on a first call; `Conflict` on a reused key."""
    statement = select(IdempotencyKey).where(
        col(IdempotencyKey.person_id) == claim.person_id, col(IdempotencyKey.key) == claim.key
    )
    row = (await session.exec(statement)).first()
    if row is None:
        return None
    if row.operation != claim.operation or row.fingerprint != claim.fingerprint:
        raise Conflict(IdempotencyErrorCode.IDEMPOTENCY_KEY_REUSED)
    return row.result_id


async def remember(session: AsyncSession, claim: Claim, result_id: int) -> None:
    """Note the first result; raises IntegrityError if a concurrent call noted one first."""
    session.add(
        IdempotencyKey(
            person_id=claim.person_id,
            key=claim.key,
            operation=claim.operation,
            fingerprint=claim.fingerprint,
            result_id=result_id,
        )
    )
    await session.flush()
