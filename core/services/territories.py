"""Territories: a commune, an intercommunality (EPCI), a department or a region, by one
unambiguous code, with the territories that enclose it and who may read its private totals.

Codes (`Territory.code` is always the canonical form; input is trimmed and case-insensitive):

| kind       | code                       | examples            |
|------------|----------------------------|---------------------|
| COMMUNE    | its INSEE code, 5 chars    | `93048`, `2A004`    |
| EPCI       | its SIREN, 9 digits        | `200057867`         |
| DEPARTMENT | `dep-` + department code   | `dep-23`, `dep-2A`, `dep-974` |
| REGION     | `reg-` + INSEE region code | `reg-75`, `reg-11`  |

A malformed code is `None` from `parse_code` (the API answers a BAD_USER_INPUT error naming
`code`); a well-formed code no territory has resolves to `None` (the API answers null).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, exists, false, func, literal, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import (
    AreaLevel,
    Commune,
    Epci,
    NetworkArea,
    Organization,
    OrganizationKind,
)
from core.services.coverage import COUNTRY_CODE
from core.services.principal import Principal


class TerritoryKind(enum.StrEnum):
    COMMUNE = "COMMUNE"
    EPCI = "EPCI"
    DEPARTMENT = "DEPARTMENT"
    REGION = "REGION"


_PATTERNS = {
    TerritoryKind.COMMUNE: re.compile(r"(\d{5}|2[AB]\d{3})", re.IGNORECASE),
    TerritoryKind.EPCI: re.compile(r"(\d{9})"),
    TerritoryKind.DEPARTMENT: re.compile(r"dep-(\d{2}|2[AB]|97\d)", re.IGNORECASE),
    TerritoryKind.REGION: re.compile(r"reg-(\d{2})", re.IGNORECASE),
}
CODE_FORMS = (
    "an INSEE commune code (5 characters, e.g. 93048, 2A004), an EPCI SIREN (9 digits), "
    "dep-<department> (e.g. dep-23, dep-2A, dep-974) or reg-<region> (e.g. reg-75)"
)


@dataclass(frozen=True)
class Area:
    """A territory's kind and code as the tables hold it (`23`, not `dep-23`), and its name."""

    kind: TerritoryKind
    code: str
    name: str = ""

    @property
    def canonical(self) -> str:
        if self.kind == TerritoryKind.DEPARTMENT:
            return f"dep-{self.code}"
        if self.kind == TerritoryKind.REGION:
            return f"reg-{self.code}"
        return self.code


@dataclass(frozen=True)
class Territory:
    area: Area
    enclosing: tuple[Area, ...]
    """The territories around it, nearest first: a commune's EPCI (when it has one), its
    department and region; an EPCI's department (of most of its communes) and region; a
    department's region; nothing for a region."""

    @property
    def parent(self) -> Area | None:
        return self.enclosing[0] if self.enclosing else None


def parse_code(text: str) -> Area | None:
    """The kind and table code of a territory code, or None when it has none of the forms."""
    given = text.strip()
    for kind, pattern in _PATTERNS.items():
        match = pattern.fullmatch(given)
        if match:
            return Area(kind, match.group(1).upper())
    return None


async def find_territory(session: AsyncSession, area: Area) -> Territory | None:
    """The territory with its name and enclosing ones, in one or two statements; None when no
    commune carries this code."""
    if area.kind == TerritoryKind.COMMUNE:
        return await _commune(session, area.code)
    if area.kind == TerritoryKind.EPCI:
        return await _epci(session, area.code)
    if area.kind == TerritoryKind.DEPARTMENT:
        statement = select(Commune.department_name, Commune.region_code, Commune.region_name).where(
            Commune.department_code == area.code
        )
        row = (await session.exec(statement.limit(1))).first()
        if row is None:
            return None
        region = Area(TerritoryKind.REGION, row[1], row[2])
        return Territory(Area(area.kind, area.code, row[0]), (region,))
    statement_region = select(Commune.region_name).where(Commune.region_code == area.code)
    name = (await session.exec(statement_region.limit(1))).first()
    return None if name is None else Territory(Area(area.kind, area.code, name), ())


async def _commune(session: AsyncSession, code: str) -> Territory | None:
    statement = (
        select(Commune, Epci.name)
        .outerjoin(Epci, col(Epci.siren) == col(Commune.epci_siren))
        .where(Commune.code_insee == code)
    )
    row = (await session.exec(statement)).first()
    if row is None:
        return None
    commune, epci_name = row
    enclosing = []
    if commune.epci_siren and epci_name is not None:
        enclosing.append(Area(TerritoryKind.EPCI, commune.epci_siren, epci_name))
    enclosing.append(
        Area(TerritoryKind.DEPARTMENT, commune.department_code, commune.department_name)
    )
    enclosing.append(Area(TerritoryKind.REGION, commune.region_code, commune.region_name))
    return Territory(Area(TerritoryKind.COMMUNE, code, commune.name), tuple(enclosing))


async def _epci(session: AsyncSession, siren: str) -> Territory | None:
    """An EPCI, enclosed by the department of most of its communes (the first by code on a tie)."""
    majority = (
        select(Commune.department_code)
        .where(Commune.epci_siren == siren)
        .group_by(col(Commune.department_code))
        .order_by(func.count().desc(), col(Commune.department_code))
        .limit(1)
        .scalar_subquery()
    )
    statement = (
        select(Epci.name, Commune)
        .outerjoin(
            Commune,
            and_(
                col(Commune.epci_siren) == col(Epci.siren), col(Commune.department_code) == majority
            ),
        )
        .where(Epci.siren == siren)
        .limit(1)
    )
    row = (await session.exec(statement)).first()
    if row is None:
        return None
    name, commune = row
    enclosing: tuple[Area, ...] = ()
    if commune is not None:
        enclosing = (
            Area(TerritoryKind.DEPARTMENT, commune.department_code, commune.department_name),
            Area(TerritoryKind.REGION, commune.region_code, commune.region_name),
        )
    return Territory(Area(TerritoryKind.EPCI, siren, name), enclosing)


_AREA_LEVEL = {
    TerritoryKind.COMMUNE: AreaLevel.COMMUNE,
    TerritoryKind.EPCI: AreaLevel.EPCI,
    TerritoryKind.DEPARTMENT: AreaLevel.DEPARTMENT,
    TerritoryKind.REGION: AreaLevel.REGION,
}


async def private_figures_visible(
    session: AsyncSession, principal: Principal | None, territory: Territory
) -> bool:
    """Whether `principal` may read the territory's totals over private data (exchanges, impact).

    Yes for the members of its own public organization (a verified COLLECTIVITE whose INSEE code
    is the commune's, or whose SIREN is the EPCI's) and of the networks covering the whole of it
    (a network area at its level with its code, at an enclosing level, or the country). One
    statement; none for an anonymous viewer.
    """
    if principal is None or not principal.organization_ids:
        return False
    mine = principal.organization_ids
    own = select(Organization.id).where(
        col(Organization.id).in_(mine),
        col(Organization.kind) == OrganizationKind.COLLECTIVITE,
        col(Organization.verified).is_(True),
        _is_own_organization(territory.area),
    )
    covering = select(NetworkArea.id).where(
        col(NetworkArea.organization_id).in_(mine),
        or_(
            *(
                and_(col(NetworkArea.level) == _AREA_LEVEL[a.kind], col(NetworkArea.code) == a.code)
                for a in (territory.area, *territory.enclosing)
            ),
            and_(
                col(NetworkArea.level) == AreaLevel.COUNTRY, col(NetworkArea.code) == COUNTRY_CODE
            ),
        ),
    )
    answer = await session.exec(select(literal(True)).where(or_(exists(own), exists(covering))))
    return answer.first() is not None


def _is_own_organization(area: Area) -> ColumnElement[bool]:
    if area.kind == TerritoryKind.COMMUNE:
        return col(Organization.insee_code) == area.code
    if area.kind == TerritoryKind.EPCI:
        return col(Organization.siren) == area.code
    return false()  # departments and regions carry no code an Organization holds (yet)


async def territory_of_organizations(
    session: AsyncSession, organization_ids: frozenset[int]
) -> Area | None:
    """The commune or EPCI whose own public organization is one of these (the first by id):
    where a commune agent's "Mon territoire" leads. One statement."""
    if not organization_ids:
        return None
    statement = (
        select(Organization.insee_code, Organization.siren, Epci.siren)
        .outerjoin(Epci, col(Epci.siren) == col(Organization.siren))
        .where(
            col(Organization.id).in_(organization_ids),
            col(Organization.kind) == OrganizationKind.COLLECTIVITE,
            or_(col(Organization.insee_code).is_not(None), col(Epci.siren).is_not(None)),
        )
        .order_by(col(Organization.id))
        .limit(1)
    )
    row = (await session.exec(statement)).first()
    if row is None:
        return None
    insee_code, _, epci_siren = row
    if insee_code is not None:
        return Area(TerritoryKind.COMMUNE, insee_code)
    return Area(TerritoryKind.EPCI, epci_siren)
