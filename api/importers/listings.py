"""Listings from JSON Lines or CSV (placeholder until the importer lands)."""

from __future__ import annotations

from pathlib import Path

from sqlmodel.ext.asyncio.session import AsyncSession

from api.importers.report import ImportReport


async def import_listings(
    session: AsyncSession, path: Path, organization: str | None = None
) -> ImportReport:
    raise NotImplementedError
