"""The territory a network covers, as the operator's command sets it (core/services/network_areas.py):
each code must name a known territory, only a RESEAU covers one, adding twice keeps one row, and
the coverage rule then finds the network."""

from __future__ import annotations

import pytest
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.error_codes import (
    ImpactErrorCode,
    LocationErrorCode,
    ModerationErrorCode,
    OrganizationErrorCode,
)
from core.errors import DomainError
from core.models import AreaLevel, NetworkArea, OrganizationKind
from core.services.coverage import networks_covering
from core.services.network_areas import add_area, list_areas, remove_area
from tests.factories import make_organization


async def test_an_area_added_twice_is_one_row_and_the_network_then_covers_the_commune(
    session: AsyncSession,
) -> None:
    network = await make_organization(session, "Réseau Ouest (test)", OrganizationKind.RESEAU)

    first = await add_area(session, "Réseau Ouest (test)", AreaLevel.REGION, "52")
    second = await add_area(session, " Réseau Ouest (test) ", AreaLevel.REGION, " 52 ")
    await add_area(session, "Réseau Ouest (test)", AreaLevel.COUNTRY, "fr")

    rows = select(func.count()).where(NetworkArea.organization_id == network.id)
    assert (first, second) == (True, False)
    assert (await session.exec(rows)).one() == 2
    assert network.id in await networks_covering(session, "44109")  # Nantes
    listed = await list_areas(session, "Réseau Ouest (test)")
    assert [(r.level, r.code, r.name) for r in listed] == [
        (AreaLevel.REGION, "52", "Pays de la Loire"),
        (AreaLevel.COUNTRY, "FR", "France"),
    ]


async def test_every_level_takes_a_known_code(session: AsyncSession) -> None:
    await make_organization(session, "Fabrique (test)", OrganizationKind.RESEAU)

    assert await add_area(session, "Fabrique (test)", AreaLevel.COMMUNE, "23096")  # Guéret
    assert await add_area(session, "Fabrique (test)", AreaLevel.EPCI, "244400404")
    assert await add_area(session, "Fabrique (test)", AreaLevel.DEPARTMENT, "2a")
    names = [row.name for row in await list_areas(session, "Fabrique (test)")]
    assert names == ["Guéret", "Nantes Métropole", "Corse-du-Sud"]


@pytest.mark.parametrize(
    ("level", "code", "error"),
    [
        (AreaLevel.COMMUNE, "99999", LocationErrorCode.UNKNOWN_COMMUNE),
        (AreaLevel.EPCI, "123456789", LocationErrorCode.UNKNOWN_COMMUNE),
        (AreaLevel.DEPARTMENT, "20", ImpactErrorCode.NOT_A_DEPARTMENT),
        (AreaLevel.REGION, "99", ImpactErrorCode.NOT_A_REGION),
        (AreaLevel.COUNTRY, "BE", LocationErrorCode.UNKNOWN_COMMUNE),
    ],
)
async def test_an_unknown_code_is_refused_naming_it_and_writes_nothing(
    session: AsyncSession, level: AreaLevel, code: str, error: object
) -> None:
    await make_organization(session, "Réseau (test)", OrganizationKind.RESEAU)

    with pytest.raises(DomainError) as raised:
        await add_area(session, "Réseau (test)", level, code)

    assert raised.value.code == error
    assert raised.value.message.startswith(f"code: '{code}' is not a {level.value} code")
    assert (await session.exec(select(func.count()).select_from(NetworkArea))).one() == 0


async def test_only_an_existing_network_covers_a_territory(session: AsyncSession) -> None:
    await make_organization(session, "Tiers-lieu (test)")

    with pytest.raises(DomainError) as unknown:
        await add_area(session, "Personne (test)", AreaLevel.REGION, "52")
    with pytest.raises(DomainError) as not_a_network:
        await add_area(session, "Tiers-lieu (test)", AreaLevel.REGION, "52")

    assert unknown.value.code == OrganizationErrorCode.ORGANIZATION_NOT_FOUND
    assert unknown.value.message.startswith("network: no organization")
    assert not_a_network.value.code == ModerationErrorCode.NOT_A_NETWORK
    assert "not RESEAU" in not_a_network.value.message


async def test_removing_an_area_the_network_does_not_cover_says_so(session: AsyncSession) -> None:
    await make_organization(session, "Réseau (test)", OrganizationKind.RESEAU)
    await add_area(session, "Réseau (test)", AreaLevel.REGION, "75")

    assert await remove_area(session, "Réseau (test)", AreaLevel.REGION, "52") is False
    assert await remove_area(session, "Réseau (test)", AreaLevel.REGION, "75") is True
    assert await list_areas(session, "Réseau (test)") == []
