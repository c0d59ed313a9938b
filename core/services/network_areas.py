"""The territory a network covers, as an operator sets it (`entrelieux network area ...`).

An area is a level and a code: a commune (INSEE code), an EPCI (SIREN), a department, a region, or
the whole country ('FR', the national administrators). Each code must name a territory the
communes and EPCI tables know, so a mistyped code never leaves a network covering nothing. Only a
RESEAU organization covers a territory. Adding an area twice keeps one row. The caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.error_codes import (
    ImpactErrorCode,
    LocationErrorCode,
    ModerationErrorCode,
    OrganizationErrorCode,
)
from core.errors import DomainError, ErrorCode, NotFound
from core.models import AreaLevel, Commune, Epci, NetworkArea, Organization, OrganizationKind
from core.services.coverage import COUNTRY_CODE
from core.services.organizations import organization_by_siret_or_name


@dataclass(frozen=True)
class AreaRow:
    network: str
    level: AreaLevel
    code: str
    name: str
    """The territory's name, as the communes and EPCI tables give it."""


async def network_by_key(session: AsyncSession, key: str) -> Organization:
    """The RESEAU organization of this SIRET or exact name."""
    organization = await organization_by_siret_or_name(session, key)
    if organization is None:
        message = f"network: no organization with SIRET or exact name {key!r}"
        raise NotFound(OrganizationErrorCode.ORGANIZATION_NOT_FOUND, message, value=key)
    if organization.kind != OrganizationKind.RESEAU:
        message = (
            f"network: {organization.name!r} is of kind {organization.kind.value}, not RESEAU; "
            "only a network covers a territory"
        )
        raise DomainError(ModerationErrorCode.NOT_A_NETWORK, message, value=key)
    return organization


async def territory_name(session: AsyncSession, level: AreaLevel, code: str) -> str:
    """The name of the territory this level and code name; refuses a code no table knows."""
    name: str | None = None
    error: ErrorCode
    if level == AreaLevel.COUNTRY:
        name = "France" if code == COUNTRY_CODE else None
        error = LocationErrorCode.UNKNOWN_COMMUNE
        reason = f"the only COUNTRY code is {COUNTRY_CODE!r}"
    elif level == AreaLevel.COMMUNE:
        commune = await session.get(Commune, code)
        name = commune.name if commune is not None else None
        error, reason = LocationErrorCode.UNKNOWN_COMMUNE, "no commune has this INSEE code"
    elif level == AreaLevel.EPCI:
        epci = await session.get(Epci, code)
        name = epci.name if epci is not None else None
        error, reason = LocationErrorCode.UNKNOWN_COMMUNE, "no EPCI has this SIREN"
    else:
        department = level == AreaLevel.DEPARTMENT
        statement = (
            select(Commune.department_name).where(Commune.department_code == code)
            if department
            else select(Commune.region_name).where(Commune.region_code == code)
        )
        name = (await session.exec(statement.limit(1))).first()
        if department:
            error, reason = ImpactErrorCode.NOT_A_DEPARTMENT, "no commune is in this department"
        else:
            error, reason = ImpactErrorCode.NOT_A_REGION, "no commune is in this region"
    if name is None:
        message = f"code: {code!r} is not a {level.value} code: {reason}"
        raise DomainError(error, message, value=code)
    return name


async def add_area(session: AsyncSession, key: str, level: AreaLevel, code: str) -> bool:
    """The network covers this territory too; False when it already did."""
    network = await network_by_key(session, key)
    code = code.strip().upper() if level != AreaLevel.EPCI else code.strip()
    await territory_name(session, level, code)
    assert network.id is not None
    existing = select(NetworkArea.id).where(
        NetworkArea.organization_id == network.id,
        NetworkArea.level == level,
        NetworkArea.code == code,
    )
    if (await session.exec(existing)).first() is not None:
        return False
    session.add(NetworkArea(organization_id=network.id, level=level, code=code))
    await session.flush()
    return True


async def remove_area(session: AsyncSession, key: str, level: AreaLevel, code: str) -> bool:
    """The network no longer covers this territory; False when it did not."""
    network = await network_by_key(session, key)
    code = code.strip().upper() if level != AreaLevel.EPCI else code.strip()
    result = await session.exec(
        delete(NetworkArea).where(
            col(NetworkArea.organization_id) == network.id,
            col(NetworkArea.level) == level,
            col(NetworkArea.code) == code,
        )
    )
    return bool(result.rowcount)


async def list_areas(session: AsyncSession, key: str | None = None) -> list[AreaRow]:
    """Every network's areas (or one network's), by network name then level and code."""
    statement = select(Organization.name, NetworkArea.level, NetworkArea.code).join(
        Organization, col(Organization.id) == col(NetworkArea.organization_id)
    )
    if key is not None:
        network = await network_by_key(session, key)
        statement = statement.where(NetworkArea.organization_id == network.id)
    rows = (await session.exec(statement)).all()
    order = list(AreaLevel)
    listed = []
    for name, level_text, code in sorted(
        rows, key=lambda r: (r[0], order.index(AreaLevel(r[1])), r[2])
    ):
        level = AreaLevel(level_text)
        listed.append(AreaRow(name, level, code, await territory_name(session, level, code)))
    return listed
