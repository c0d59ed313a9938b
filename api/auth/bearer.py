"""The `Authorization: Bearer <token>` header, turned into a principal."""

from __future__ import annotations

from api.auth.jwt_bearer import JwtBearer
from core.db import Database
from core.services.principal import Principal
from core.services.tokens import TOKEN_PREFIX, authenticate
from core.transactions import commit_touch

MAX_BEARER_CHARS = 8192


class InvalidCredentials(Exception):
    """The header is malformed, or names a token that is unknown, revoked or expired."""


async def principal_from_header(
    database: Database, header: str | None, jwt: JwtBearer | None = None
) -> Principal | None:
    """None for an anonymous request; raises `InvalidCredentials` for a bad header.

    A personal access token starts with `elx_`; anything else is tried as a provider's JWT.
    """
    if header is None:
        return None
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise InvalidCredentials("Authorization header must be 'Bearer <token>'.")
    if len(secret) > MAX_BEARER_CHARS:
        raise InvalidCredentials("The bearer token is too long.")
    if jwt is not None and not secret.strip().startswith(TOKEN_PREFIX):
        if (principal := await jwt.principal(database, secret.strip())) is None:
            raise InvalidCredentials("The bearer token is invalid, expired or not for this API.")
        return principal
    async with database.session() as session:
        principal = await authenticate(session, secret.strip())
        await commit_touch(session)  # records when the token was last used
    if principal is None:
        raise InvalidCredentials("The bearer token is unknown, revoked or expired.")
    return principal
