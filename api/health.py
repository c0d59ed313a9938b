"""`/healthz`, and the line `entrelieux serve` prints once the search index has caught up.

Answering is not being ready: on a first start the demo data is in the database seconds before
it is in Meilisearch. `/healthz` says both: the database answers (else 503), and whether the
index has caught up with the outbox (`index`: `caught_up`, `catching_up` or `disabled`, with the
number of changes still `pending`). `?ready` turns "catching up" into a 503 for readiness probes.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time

from starlette.requests import Request
from starlette.responses import JSONResponse

from core.db import Database
from core.services.search_status import SearchStatus, search_status
from core.settings import Settings

logger = logging.getLogger("entrelieux")
WATCH_SECONDS = 0.5


def index_state(status: SearchStatus) -> str:
    if not status.enabled:
        return "disabled"
    return "catching_up" if status.indexing else "caught_up"


def healthz_endpoint(db: Database, settings: Settings):  # type: ignore[no-untyped-def]
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
        }
        not_ready = "ready" in request.query_params and status.indexing
        return JSONResponse(body, status_code=503 if not_ready else 200)

    return healthz


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
