"""`GET /export/territory/{code}.csv`: a territory's figures, one row per figure.

The viewer is whoever `/graphql` would see (a bearer token, else the browser's session), and the
rows come from the same services with the same visibility as `Query.territory`. A code of none of
the forms, or of no territory, is a 404 whose text says which.
"""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.downloads import Viewers, attachment, text
from core.csv_export import csv_text
from core.services.territories import CODE_FORMS, find_territory, parse_code
from core.services.territory_report import HEADER, territory_rows


def territory_export_routes(viewers: Viewers) -> list[Route]:
    async def export(request: Request) -> Response:
        principal = await viewers.of(request)
        if isinstance(principal, Response):
            return principal
        code = request.path_params["code"]
        area = parse_code(code)
        if area is None:
            return text(f"'{code[:40]}' is not a territory code: give {CODE_FORMS}.", 404)
        async with viewers.database.session() as session:
            territory = await find_territory(session, area)
            if territory is None:
                return text(f"No territory has the code '{area.canonical}'.", 404)
            rows = await territory_rows(session, principal, territory, datetime.now(UTC).date())
        filename = f"territoire-{area.canonical}.csv"
        return attachment(csv_text(HEADER, rows), "text/csv; charset=utf-8", filename)

    return [Route("/export/territory/{code}.csv", export, methods=["GET"])]
