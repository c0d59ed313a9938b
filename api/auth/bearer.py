"""The `Authorization: Bearer <token>` header, turned into a principal."""

from __future__ import annotations

from api.db import Database
from api.services.principal import Principal
from api.services.tokens import authenticate


class InvalidCredentials(Exception):
    """The header is malformed, or names a token that is unknown, revoked or expired."""


async def principal_from_header(database: Database, header: str | None) -> Principal | None:
    """None for an anonymous request; raises `InvalidCredentials` for a bad header."""
    if header is None:
        return None
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise InvalidCredentials("Authorization header must be 'Bearer <token>'.")
    async with database.session() as session:
        principal = await authenticate(session, secret.strip())
        await session.commit()  # records when the token was last used
    if principal is None:
        raise InvalidCredentials("The bearer token is unknown, revoked or expired.")
    return principal
