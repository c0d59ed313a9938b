"""The intercommunalities (EPCI) loaded by `migrate` from `data/epci.csv`, itself derived from the
pinned npm package `@etalab/decoupage-administratif` by `dev/build_epci.mjs`."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import Commune, Epci
from core.settings import PROJECT_ROOT


async def test_every_epci_is_loaded_with_its_member_communes(session: AsyncSession) -> None:
    epcis = (await session.exec(select(func.count()).select_from(Epci))).one()
    members = (
        await session.exec(select(func.count()).where(Commune.epci_siren.is_not(None)))  # type: ignore[union-attr]
    ).one()
    bonneville = await session.get(Commune, "74042")
    faucigny = await session.get(Epci, "200000172")

    assert epcis == 1255
    assert members > 34_800
    assert bonneville is not None
    assert bonneville.epci_siren == "200000172"
    assert faucigny is not None
    assert (faucigny.name, faucigny.nature) == (
        "CC Faucigny - Glières",
        "CC",
    )


async def test_a_municipal_arrondissement_belongs_to_its_city_s_epci(
    session: AsyncSession,
) -> None:
    paris_10 = await session.get(Commune, "75110")
    lyon_3 = await session.get(Commune, "69383")

    assert paris_10 is not None
    assert paris_10.epci_siren == "200054781"
    assert lyon_3 is not None
    assert lyon_3.epci_siren == "200046977"


@pytest.mark.skipif(shutil.which("node") is None, reason="node builds the file")
def test_the_shipped_file_is_what_the_pinned_package_gives() -> None:
    node = shutil.which("node")
    assert node is not None
    built = subprocess.run(
        [node, "dev/build_epci.mjs"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert built == (PROJECT_ROOT / "data" / "epci.csv").read_text(encoding="utf-8")
