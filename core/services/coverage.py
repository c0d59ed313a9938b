"""Which networks cover a place: the RESEAU organizations whose areas contain its commune.

The one rule behind where a claim, a report or a territory's private totals go. The most specific
area comes first (commune, then EPCI, department, region); the national administrators (an area
at COUNTRY level) come last, so they decide only where no other network covers.
"""

from __future__ import annotations

from sqlalchemy import and_, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import AreaLevel, Commune, NetworkArea

SPECIFIC_FIRST = (
    AreaLevel.COMMUNE,
    AreaLevel.EPCI,
    AreaLevel.DEPARTMENT,
    AreaLevel.REGION,
    AreaLevel.COUNTRY,
)
COUNTRY_CODE = "FR"


async def networks_covering(session: AsyncSession, commune_insee: str | None) -> list[int]:
    """The ids of the networks covering this commune, most specific first, each once.

    A place with no known commune is covered by the national administrators alone."""
    codes: dict[AreaLevel, str] = {AreaLevel.COUNTRY: COUNTRY_CODE}
    commune = await session.get(Commune, commune_insee) if commune_insee else None
    if commune is not None:
        codes[AreaLevel.COMMUNE] = commune.code_insee
        if commune.epci_siren:
            codes[AreaLevel.EPCI] = commune.epci_siren
        codes[AreaLevel.DEPARTMENT] = commune.department_code
        codes[AreaLevel.REGION] = commune.region_code
    statement = select(NetworkArea.organization_id, NetworkArea.level).where(
        or_(
            *(
                and_(col(NetworkArea.level) == level, col(NetworkArea.code) == code)
                for level, code in codes.items()
            )
        )
    )
    rows = (await session.exec(statement)).all()
    ranked = sorted(rows, key=lambda row: (SPECIFIC_FIRST.index(row[1]), row[0]))
    return list(dict.fromkeys(organization_id for organization_id, _ in ranked))


async def national_administrators(session: AsyncSession) -> list[int]:
    """The networks whose area is the whole country."""
    statement = select(NetworkArea.organization_id).where(
        NetworkArea.level == AreaLevel.COUNTRY, NetworkArea.code == COUNTRY_CODE
    )
    return sorted(set((await session.exec(statement)).all()))
