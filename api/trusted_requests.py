"""Requests by document id, and who must send one (`TRUSTED_DOCUMENTS`).

The web app posts `{"documentId": "sha256:<hex>", "operationName": ..., "variables": ...}` (the
GraphQL-over-HTTP draft's persisted documents; `query` absent). `resolve` swaps the id for the
manifest's text (`schema/trusted_documents.py`), which `RequestLimits` recognizes and runs without
parsing or validating it again. An id the manifest lacks is a 400 `PERSISTED_DOCUMENT_NOT_FOUND`
naming `documentId` (the web app then sends its text once: a tab opened before a deployment, or
`npm run dev` beside another build).

With `TRUSTED_DOCUMENTS=browsers`, a request from a browser may only run the manifest's
documents, by id (or as their exact text); anything else is a 400 `PERSISTED_DOCUMENT_REQUIRED`.
A browser's request is one without `Authorization` that carries the session cookie, an `Origin`
header or any `Sec-Fetch-*` header (every current browser sends `Sec-Fetch-Mode` on `fetch`, and
`Origin` on a cross-origin or POST request). A bearer token (a partner's system, even from a page)
keeps the whole API, and so does a client that sends none of these (curl, a server): this narrows
what a page (a script injected in it, an extension riding the visitor's cookie) can make the API
do; it is not a lock against a determined client, which the cost limits and budgets are.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import cookie_parser
from starlette.responses import JSONResponse, Response

from api.auth.cookies import SESSION, cookie_name
from core.settings import Settings
from schema.trusted_documents import TrustedDocuments

NOT_FOUND = "PERSISTED_DOCUMENT_NOT_FOUND"
REQUIRED = "PERSISTED_DOCUMENT_REQUIRED"
_BROWSER_HEADERS = ("origin", "sec-fetch-mode", "sec-fetch-site", "sec-fetch-dest")


class DocumentRefused(Exception):
    """A request by id the manifest cannot answer, or a browser's document it does not hold."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code

    def response(self) -> Response:
        error = {"message": str(self), "extensions": {"code": self.code, "field": "documentId"}}
        return JSONResponse({"errors": [error]}, status_code=400)


def is_browser(settings: Settings, headers: Mapping[str, str]) -> bool:
    """Whether a request comes from a browser, as `TRUSTED_DOCUMENTS=browsers` reads it."""
    if "authorization" in headers:
        return False
    if any(name in headers for name in _BROWSER_HEADERS):
        return True
    cookies = headers.get("cookie")
    return cookies is not None and cookie_name(settings, SESSION) in cookie_parser(cookies)


def resolve(data: Any, trusted: TrustedDocuments, text_too: bool = False) -> Any:
    """A JSON request with its `documentId` replaced by the manifest's text (`query`). Over
    HTTP a request sends one or the other; a WebSocket's `subscribe` (`text_too`) sends both,
    since graphql-ws wants a `query`, and the id wins."""
    if not isinstance(data, dict) or "documentId" not in data:
        return data
    document_id = data["documentId"]
    if not isinstance(document_id, str):
        raise DocumentRefused("BAD_REQUEST", "`documentId` must be a string (sha256:<hex>).")
    if data.get("query") is not None and not text_too:
        raise DocumentRefused("BAD_REQUEST", "Send `documentId` or `query`, not both.")
    entry = trusted.by_id.get(document_id)
    if entry is None:
        raise DocumentRefused(
            NOT_FOUND,
            f"No trusted document has the id {document_id[:80]!r} (`documentId`): send the "
            "document's text in `query`, or the id of a document of this server's web app.",
        )
    return {**data, "query": entry.text}


def require_trusted(query: str | None, trusted: TrustedDocuments) -> None:
    """Refuse a browser's document unless it is one of the manifest's."""
    if query is None or query not in trusted.by_text:
        raise DocumentRefused(
            REQUIRED,
            "This server runs only the web app's own documents for browsers "
            "(TRUSTED_DOCUMENTS=browsers): send a `documentId`, or an Authorization bearer token "
            "for the whole API.",
        )
