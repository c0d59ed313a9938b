"""`GET /agreements/{version}.pdf`: an agreement version's PDF, for the two parties only.

The viewer is whoever `/graphql` would see (a bearer token, else the browser's session). Anyone
else, and a version still incomplete, gets the same 404: a third party may not learn that an
agreement exists. The bytes are the PDF a side accepted, kept with the version, else rendered
again from the version's data and date: those whose SHA-256 `AgreementVersion.pdfSha256` shows.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.downloads import Viewers, attachment, text
from core.services.agreements import version_pdf


def agreement_pdf_routes(viewers: Viewers) -> list[Route]:
    async def download(request: Request) -> Response:
        principal = await viewers.of(request)
        if isinstance(principal, Response):
            return principal
        async with viewers.database.session() as session:
            found = await version_pdf(session, principal, request.path_params["version"])
        if found is None:
            return text("No such agreement, or not one of your organizations'.", 404)
        return attachment(found.pdf, "application/pdf", found.filename)

    return [Route("/agreements/{version:int}.pdf", download, methods=["GET"])]
