"""Intercommunalities (EPCI): `Query.epci` and a commune's `epci`, for the places directory's
filter by intercommunality."""

from __future__ import annotations

from typing import Annotated

import strawberry

from core import models
from schema.context import Info


@strawberry.type(
    description="An intercommunality with its own tax status (EPCI à fiscalité propre)."
)
class Epci:
    siren: str = strawberry.field(description="Its SIREN, 9 digits.")
    name: str = strawberry.field(description="Its name, e.g. 'CA du Grand Guéret'.")
    nature: str = strawberry.field(
        description="CC (communauté de communes), CA (d'agglomération), CU (urbaine), METRO "
        "or MET69 (métropole)."
    )
    population: int | None = strawberry.field(description="Its population.")

    @classmethod
    def from_row(cls, row: models.Epci) -> Epci:
        return cls(siren=row.siren, name=row.name, nature=row.nature, population=row.population)


async def load_epci(info: Info, siren: str | None) -> Epci | None:
    if not siren:
        return None
    row = await info.context.loaders.epci_by_siren.load(siren)
    return Epci.from_row(row) if row else None


@strawberry.type
class EpciQuery:
    @strawberry.field(description="One intercommunality by its SIREN; null when none has it.")
    async def epci(
        self,
        info: Info,
        siren: Annotated[str, strawberry.argument(description="Its SIREN, 9 digits.")],
    ) -> Epci | None:
        return await load_epci(info, siren.strip()[:9])
