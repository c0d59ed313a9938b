"""The floor to compare with: a bare Starlette app with one JSON route, served like the real app.

It reads the same POST body the GraphQL endpoint gets and answers a small JSON document, so the
ratio between the two is what Strawberry, the database and the app's own code cost per request.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


async def json_route(request: Request) -> JSONResponse:
    await request.body()
    return JSONResponse({"data": {"status": "ok"}})


app = Starlette(routes=[Route("/json", json_route, methods=["GET", "POST"])])
