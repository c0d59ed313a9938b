"""`/healthz`, `/readyz`, `/livez`, and the line `entrelieux serve` prints once the search index
has caught up.

Answering is not being ready: on a first start the demo data is in the database seconds before
it is in Meilisearch. `/healthz` says each part apart: the database answers (else 503), whether
the index has caught up with the outbox (`index`: `caught_up`, `catching_up` or `disabled`, with
the number of changes still `pending`), the search engine (`search`: `ok`, `unreachable`,
`restarting` while the app restarts its own, or `disabled`) and the relay's lag (`relay`: the
pending events and the age in seconds of the oldest). `?ready` turns "catching up" into a 503
(a first start's probe). `/readyz` fails (503) only when the database does not answer: with
Meilisearch down, writes still succeed (the outbox keeps them), so the app stays in service.
`/livez` answers 200 without touching anything: the process serves HTTP.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time

from sqlmodel import select
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from api.search_runtime import SearchRuntime
from core.db import Database
from core.services.search_status import SearchStatus, search_status
from core.settings import Settings

logger = logging.getLogger("entrelieux")
WATCH_SECONDS = 0.5


def index_state(status: SearchStatus) -> str:
    if not status.enabled:
        return "disabled"
    return "catching_up" if status.indexing else "caught_up"


def health_routes(db: Database, settings: Settings, runtime: SearchRuntime) -> list[Route]:
    async def healthz(request: Request) -> JSONResponse:
        try:
            async with db.session() as session:
                status = await search_status(session, enabled=settings.search_enabled)
        except Exception:
            logger.exception("health check: the database does not answer")
            return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
        body = {
            "status": "ok",
            "database": "ok",
            "index": index_state(status),
            "pending": status.pending,
            "search": await runtime.search_state() if settings.search_enabled else "disabled",
            "relay": {
                "pending": status.pending,
                "oldest_pending_seconds": round(status.lag_seconds, 3),
            },
        }
        not_ready = "ready" in request.query_params and status.indexing
        return JSONResponse(body, status_code=503 if not_ready else 200)

    async def readyz(_request: Request) -> JSONResponse:
        try:
            async with db.session() as session:
                await session.exec(select(1))
        except Exception:
            logger.exception("readiness: the database does not answer")
            return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    async def livez(_request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    return [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/livez", livez, methods=["GET"]),
    ]


async def announce_when_caught_up(db: Database, settings: Settings) -> None:
    """Print (to the serve command's stderr) once, when the index has caught up after a start."""
    started, behind = time.monotonic(), 0
    while True:
        try:
            async with db.session() as session:
                status = await search_status(session, enabled=settings.search_enabled)
        except Exception:
            logger.exception("index watch: the database does not answer")
            status = None
        if status is not None:
            if not status.indexing:
                seconds = time.monotonic() - started
                print(
                    f"search index caught up: every change is searchable"
                    f" ({behind} applied, {seconds:.1f} s after start)",
                    file=sys.stderr,
                    flush=True,
                )
                return
            behind = max(behind, status.pending)
        await asyncio.sleep(WATCH_SECONDS)
