"""`GET /export/territory/{code}.csv`: a territory's figures, one row per figure.

The viewer is whoever `/graphql` would see (a bearer token, else the browser's session), and the
rows come from the same services with the same visibility as `Query.territory`. A code of none of
the forms, or of no territory, is a 404 whose text says which.
"""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from api.auth.bearer import InvalidCredentials
from api.auth.jwt_bearer import JwtBearer
from api.auth.routes import SignIn
from api.rate_limit import RateLimits, TooManyBadTokens, authenticate, too_many
from core.csv_export import csv_text
from core.db import Database
from core.services.territories import CODE_FORMS, find_territory, parse_code
from core.services.territory_report import HEADER, territory_rows


def territory_export_routes(
    database: Database,
    sign_in: SignIn | None,
    jwt: JwtBearer | None,
    limits: RateLimits | None = None,
) -> list[Route]:
    async def export(request: Request) -> Response:
        header = request.headers.get("authorization")
        try:
            principal = await authenticate(database, header, jwt, request.scope, limits)
        except TooManyBadTokens as error:
            return too_many(error.verdict, str(error))
        except InvalidCredentials as error:
            return _text(str(error), 401)
        if header is None and sign_in is not None:
            principal = await sign_in.principal_from_cookie(request)
        code = request.path_params["code"]
        area = parse_code(code)
        if area is None:
            return _text(f"'{code[:40]}' is not a territory code: give {CODE_FORMS}.", 404)
        async with database.session() as session:
            territory = await find_territory(session, area)
            if territory is None:
                return _text(f"No territory has the code '{area.canonical}'.", 404)
            rows = await territory_rows(session, principal, territory, datetime.now(UTC).date())
        filename = f"territoire-{area.canonical}.csv"
        return Response(
            csv_text(HEADER, rows),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Cache-Control": "private, no-store",
            },
        )

    return [Route("/export/territory/{code}.csv", export, methods=["GET"])]


def _text(message: str, status: int) -> Response:
    return PlainTextResponse(message, status_code=status, headers={"Cache-Control": "no-store"})
