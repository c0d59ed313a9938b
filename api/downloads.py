"""What the plain download routes share (a territory's CSV, an agreement's PDF): who asks, as
`/graphql` would see them, and the two answers they give — a file to keep, or a short text.

The viewer is a bearer token's, else the browser's session cookie's; a refused token is answered
at once (401, or 429 for an address past its budget of refused tokens).
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from api.auth.bearer import InvalidCredentials
from api.auth.jwt_bearer import JwtBearer
from api.auth.routes import SignIn
from api.rate_limit import RateLimits, TooManyBadTokens, authenticate, too_many
from core.db import Database
from core.services.principal import Principal


@dataclass(frozen=True)
class Viewers:
    """How a download route learns who asks."""

    database: Database
    sign_in: SignIn | None
    jwt: JwtBearer | None
    limits: RateLimits | None = None

    async def of(self, request: Request) -> Principal | Response | None:
        """The viewer (None: anonymous), or the answer to a refused token."""
        header = request.headers.get("authorization")
        try:
            principal = await authenticate(
                self.database, header, self.jwt, request.scope, self.limits
            )
        except TooManyBadTokens as error:
            return too_many(error.verdict, str(error))
        except InvalidCredentials as error:
            return text(str(error), 401)
        if header is None and self.sign_in is not None:
            principal = await self.sign_in.principal_from_cookie(request)
        return principal


def attachment(content: bytes | str, media_type: str, filename: str) -> Response:
    """A file for the viewer alone: never kept by a shared cache."""
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )


def text(message: str, status: int) -> Response:
    return PlainTextResponse(message, status_code=status, headers={"Cache-Control": "no-store"})
