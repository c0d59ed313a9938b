"""`Query.communes`: communes by name or postcode, with typos, for "near ..." pickers."""

from __future__ import annotations

from typing import Annotated

import strawberry

from core import models
from schema.context import Info
from schema.epcis import Epci, load_epci
from schema.relay import bad_argument
from schema.search_engine import run_place_search
from search.places_search import search_communes


@strawberry.type(description="A French commune (or a municipal arrondissement).")
class Commune:
    code: str = strawberry.field(description="Its INSEE code.")
    name: str = strawberry.field(description="Its name.")
    postcodes: list[str] = strawberry.field(description="Its postcodes.")
    department: str = strawberry.field(description="Its department's code.")
    department_name: str = strawberry.field(description="Its department's name.")
    region: str = strawberry.field(description="Its region's code.")
    region_name: str = strawberry.field(description="Its region's name.")
    population: int | None = strawberry.field(description="Legal population (2026).")
    lat: float | None = strawberry.field(description="Latitude of its centre.")
    lon: float | None = strawberry.field(description="Longitude of its centre.")
    epci_siren: strawberry.Private[str | None] = None

    @strawberry.field(description="The intercommunality (EPCI) it belongs to, if any.")
    async def epci(self, info: Info) -> Epci | None:
        return await load_epci(info, self.epci_siren)

    @classmethod
    def from_row(cls, row: models.Commune) -> Commune:
        return cls(
            code=row.code_insee,
            name=row.name,
            postcodes=[p for p in row.postcodes.split("|") if p],
            department=row.department_code,
            department_name=row.department_name,
            region=row.region_code,
            region_name=row.region_name,
            population=row.population,
            lat=row.latitude,
            lon=row.longitude,
            epci_siren=row.epci_siren,
        )


@strawberry.type
class CommuneQuery:
    @strawberry.field(description="Communes whose name or postcode matches, best first.")
    async def communes(
        self,
        info: Info,
        text: Annotated[
            str, strawberry.argument(description="A name (typos allowed) or postcode.")
        ],
        first: Annotated[int, strawberry.argument(description="How many, 1 to 50.")] = 10,
        department: Annotated[
            str | None, strawberry.argument(description="Only in this department.")
        ] = None,
    ) -> list[Commune]:
        if not 1 <= first <= 50:
            raise bad_argument("first", "must be between 1 and 50")
        if not text.strip():
            return []
        codes = await run_place_search(
            info, lambda client: search_communes(client, text.strip()[:100], first, department)
        )
        rows = await info.context.loaders.commune_by_insee.load_many(codes)
        return [Commune.from_row(row) for row in rows if row is not None]
