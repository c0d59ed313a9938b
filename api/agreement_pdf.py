"""`GET /agreements/{version}.pdf`: an agreement version's PDF, for the two parties only.

The viewer is whoever `/graphql` would see (a bearer token, else the browser's session). Anyone
else, and a version still incomplete, gets the same 404: a third party may not learn that an
agreement exists. The bytes are rendered again from the version's data and date, so they are
those whose SHA-256 `AgreementVersion.pdfSha256` shows and an acceptance recorded.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from api.auth.bearer import InvalidCredentials
from api.auth.jwt_bearer import JwtBearer
from api.auth.routes import SignIn
from api.rate_limit import RateLimits, TooManyBadTokens, authenticate, too_many
from core.db import Database
from core.services.agreements import version_pdf


def agreement_pdf_routes(
    database: Database,
    sign_in: SignIn | None,
    jwt: JwtBearer | None,
    limits: RateLimits | None = None,
) -> list[Route]:
    async def download(request: Request) -> Response:
        header = request.headers.get("authorization")
        try:
            principal = await authenticate(database, header, jwt, request.scope, limits)
        except TooManyBadTokens as error:
            return too_many(error.verdict, str(error))
        except InvalidCredentials as error:
            return _text(str(error), 401)
        if header is None and sign_in is not None:
            principal = await sign_in.principal_from_cookie(request)
        async with database.session() as session:
            found = await version_pdf(session, principal, request.path_params["version"])
        if found is None:
            return _text("No such agreement, or not one of your organizations'.", 404)
        return Response(
            found.pdf,
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'attachment; filename="{found.filename}"',
                "Cache-Control": "private, no-store",
            },
        )

    return [Route("/agreements/{version:int}.pdf", download, methods=["GET"])]


def _text(message: str, status: int) -> Response:
    return PlainTextResponse(message, status_code=status, headers={"Cache-Control": "no-store"})
