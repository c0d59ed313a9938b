"""Where something is, as GraphQL shows it."""

from __future__ import annotations

import strawberry

from schema.context import Info


@strawberry.type(description="A point and the commune, department and region it lies in.")
class Location:
    lat: float | None = strawberry.field(description="Latitude (WGS 84).")
    lon: float | None = strawberry.field(description="Longitude (WGS 84).")
    commune_insee: str | None = strawberry.field(description="The commune's INSEE code.")
    department: str | None = strawberry.field(description="The department's code, e.g. `23`.")
    region: str | None = strawberry.field(description="The region's INSEE code, e.g. `75`.")

    @strawberry.field(description="The commune's name.")
    async def commune_name(self, info: Info) -> str | None:
        commune = await self._commune(info)
        return commune.name if commune else None

    @strawberry.field(description="The department's name.")
    async def department_name(self, info: Info) -> str | None:
        commune = await self._commune(info)
        return commune.department_name if commune else None

    @strawberry.field(description="The region's name.")
    async def region_name(self, info: Info) -> str | None:
        commune = await self._commune(info)
        return commune.region_name if commune else None

    async def _commune(self, info: Info):  # type: ignore[no-untyped-def]
        if self.commune_insee is None:
            return None
        return await info.context.loaders.commune_by_insee.load(self.commune_insee)
