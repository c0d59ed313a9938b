"""Bring a database to the current schema and reference data: used by the CLI and the tests."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.db import Database
from core.importers.demo_activity import load_living_demo
from core.importers.directory import DirectoryReport, import_source
from core.importers.listings import import_listings
from core.importers.living_demo import Sources
from core.importers.place_communes import CommuneIndex
from core.importers.report import ImportReport
from core.importers.sources import DEFAULT_SOURCE, SOURCES
from core.importers.sources.mission_coworking import MissionCoworking
from core.models import Space
from core.services.communes import count_communes, count_epcis, load_communes, load_epcis
from core.settings import PROJECT_ROOT, Settings


def alembic_config(settings: Settings) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = settings.database_url
    return config


def _prepare_sqlite_folder(settings: Settings) -> None:
    if settings.is_sqlite:
        path = settings.database_url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)


async def migrate(settings: Settings) -> int:
    """Apply every migration, then load the communes and the EPCI if their tables are empty;
    returns the number of communes."""
    _prepare_sqlite_folder(settings)
    # Alembic's env runs its own event loop: give it a thread of its own.
    await asyncio.to_thread(command.upgrade, alembic_config(settings), "head")
    database = Database.from_settings(settings)
    try:
        async with database.session() as session:
            communes = await count_communes(session)
            if communes == 0:
                communes = await load_communes(session, settings.data_dir / "communes.csv")
                await session.commit()
            if await count_epcis(session) == 0:
                await load_epcis(session, settings.data_dir / "epci.csv")
                await session.commit()
        return communes
    finally:
        await database.dispose()


DEMO_LISTINGS = (
    "premises_cartofriches.csv",
    "equipment_fablabs.jsonl",
    "skills_rome.jsonl",
    "materials_reemploi.csv",
)
"""Example listings built from the shared open data (data/examples/README.md), in every kind."""


@dataclass(frozen=True)
class DemoReport:
    places: ImportReport
    listings: ImportReport
    exchanges: dict[str, int] = field(default_factory=dict)
    directory: dict[str, DirectoryReport] = field(default_factory=dict)
    """Each open source imported after the Mission Coworking base, by adapter name."""


async def import_directory(
    session: AsyncSession, settings: Settings, communes: CommuneIndex | None = None
) -> dict[str, DirectoryReport]:
    """The open lists of places found in the shared data folder, in `SOURCES` order after the
    Mission Coworking base, each dated by its file's documented edition. Their licences keep them
    out of the project: without the folder, the directory is the Mission Coworking base alone."""
    reports: dict[str, DirectoryReport] = {}
    communes = communes or await CommuneIndex.load(session)
    shared = settings.shared_data_dir
    for name, source in SOURCES.items():
        path = shared / source.file_name if shared is not None else None
        if name == DEFAULT_SOURCE or path is None or not path.is_file():
            continue
        reports[name] = await import_source(session, source, path, source.edition, communes)
    return reports


async def load_demo(settings: Settings, *, only_if_empty: bool = True) -> DemoReport | None:
    """Load the Mission Coworking places and the other open lists of places (`import_directory`),
    the example listings and the living demo (generated
    listings, exchanges: `core/importers/demo_activity.py`); with `only_if_empty`, only on a
    first start."""
    database = Database.from_settings(settings)
    try:
        async with database.session() as session:
            if only_if_empty:
                spaces = (await session.exec(select(func.count()).select_from(Space))).one()
                if spaces:
                    return None
            communes = await CommuneIndex.load(session)
            census = settings.data_dir / "mission_coworking_2019.csv"
            places = await import_source(
                session, MissionCoworking(), census, MissionCoworking.edition, communes
            )
            directory = await import_directory(session, settings, communes)
            listings = ImportReport()
            for name in DEMO_LISTINGS:
                listings.add(await import_listings(session, settings.data_dir / "examples" / name))
            sources = Sources(settings.data_dir, settings.shared_data_dir)
            today = datetime.now(UTC).date()
            living = await load_living_demo(session, sources, today)
            listings.add(living.listings)
            await session.commit()
            return DemoReport(
                places=places,
                listings=listings,
                exchanges=living.exchanges,
                directory=directory,
            )
    finally:
        await database.dispose()
