"""The yearly re-confirmation of verified places, run in the background of the app or a worker.

Each pass asks the places verified (or last confirmed) 12 months ago to re-confirm, once
(`core/services/space_claims.py` `remind_due`); the step itself takes the time as an argument,
so tests call it with explicit dates instead of waiting.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from core.background import BackgroundLoop
from core.db import Database
from core.services.space_claims import remind_due
from core.transactions import begin_writing

logger = logging.getLogger("entrelieux.places")
PASS_SECONDS = 3600.0


async def recheck_once(database: Database, now: datetime | None = None) -> int:
    """One pass, in its own transaction; returns how many places were asked."""
    async with database.session() as session:
        await begin_writing(session)
        asked = await remind_due(session, now)
        await session.commit()
    return asked


class PlaceRecheck(BackgroundLoop):
    """Asks verified places to re-confirm once a year; a pass an hour is plenty."""

    name = "place-recheck"

    def __init__(self, database: Database, pass_seconds: float = PASS_SECONDS) -> None:
        super().__init__()
        self.database = database
        self.pass_seconds = pass_seconds

    async def run(self) -> None:
        while True:
            try:
                if asked := await recheck_once(self.database):
                    logger.info("asked %d places to re-confirm their details", asked)
            except Exception:
                logger.exception("the yearly re-confirmation pass failed; next pass as planned")
            await asyncio.sleep(self.pass_seconds)
