"""The directory of places read from the database: `Query.spaces` when it needs no search index
(no text, no point). Every filter of the index path holds here too, with the same meaning:
commune, intercommunality (EPCI), department, region, typology, claimed or not, organization.

A place belongs to an EPCI through its commune (`Commune.epci_siren`), read at query time, so a
commune moving to another EPCI moves its places without touching them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import String, case, cast, func
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import Commune, Space, Typology
from core.services.pagination import Page, PageRequest, paginate


@dataclass(frozen=True)
class SpaceFilter:
    """Every given criterion must hold; None leaves it out."""

    commune_insee: str | None = None
    epci_siren: str | None = None
    department_code: str | None = None
    region_code: str | None = None
    typology: Typology | None = None
    claimed: bool | None = None
    """True: run by an organization; False: no organization has claimed it yet."""
    name_contains: str | None = None
    organization_id: int | None = None


async def browse_spaces(
    session: AsyncSession, where: SpaceFilter, page: PageRequest
) -> Page[Space]:
    """One page of the matching places, in the order they were added."""
    statement = select(Space).where(*conditions(where))
    return await paginate(session, statement, Space.id, page)


async def typology_counts(session: AsyncSession, where: SpaceFilter) -> dict[Typology, int]:
    """How many places of each typology match the filter, its own typology aside (so a page can
    offer the other typologies with their counts): one statement whatever the number of places.
    """
    others = replace(where, typology=None)
    sums = [
        func.coalesce(func.sum(case((_has_typology(typology), 1), else_=0)), 0)
        for typology in Typology
    ]
    row = (await session.exec(select(*sums).where(*conditions(others)))).one()
    return {typology: int(count) for typology, count in zip(Typology, row, strict=True) if count}


def conditions(where: SpaceFilter) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    for column, value in (
        (col(Space.commune_insee), where.commune_insee),
        (col(Space.department_code), where.department_code),
        (col(Space.region_code), where.region_code),
        (col(Space.organization_id), where.organization_id),
    ):
        if value is not None:
            found.append(column == value)
    if where.epci_siren is not None:
        members = select(Commune.code_insee).where(col(Commune.epci_siren) == where.epci_siren)
        found.append(col(Space.commune_insee).in_(members))
    if where.typology is not None:
        found.append(_has_typology(where.typology))
    if where.claimed is not None:
        owner = col(Space.organization_id)
        found.append(owner.is_not(None) if where.claimed else owner.is_(None))
    if where.name_contains:
        found.append(col(Space.name).icontains(where.name_contains))
    return found


def _has_typology(typology: Typology) -> ColumnElement[Any]:
    # Typologies are a JSON list of enum names, which hold no quote: a text match is exact.
    return cast(Space.typologies, String).contains(f'"{typology.value}"')
