"""Creating and changing places (browsing them: `core/services/space_browsing.py`)."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.error_codes import SpaceErrorCode
from core.errors import Conflict, NotFound
from core.models import Space, Typology
from core.models.base import utcnow
from core.services.locations import Location, locate
from core.services.principal import Principal, require_admin, require_principal


class SpaceDraft(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=2, max_length=200)
    ref: str | None = Field(default=None, min_length=1, max_length=100)
    typologies: list[Typology] = Field(default_factory=list, max_length=12)
    address: str = Field(default="", max_length=300)
    postcode: str = Field(default="", pattern=r"^(\d{5})?$")
    commune: str | None = Field(default=None, max_length=120)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    website: str | None = Field(default=None, max_length=500)
    fabrique: bool = False

    @field_validator("typologies")
    @classmethod
    def _unique(cls, typologies: list[Typology]) -> list[Typology]:
        return list(dict.fromkeys(typologies))


class SpacePatch(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(default=None, min_length=2, max_length=200)
    typologies: list[Typology] | None = Field(default=None, max_length=12)
    address: str | None = Field(default=None, max_length=300)
    postcode: str | None = Field(default=None, pattern=r"^(\d{5})?$")
    commune: str | None = Field(default=None, max_length=120)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    website: str | None = Field(default=None, max_length=500)
    fabrique: bool | None = None


async def create_space(
    session: AsyncSession, principal: Principal | None, organization_id: int, draft: SpaceDraft
) -> Space:
    require_admin(principal, organization_id)
    if draft.ref and (await session.exec(select(Space.id).where(Space.ref == draft.ref))).first():
        raise Conflict(
            SpaceErrorCode.SPACE_REF_TAKEN,
            f"A place with ref {draft.ref!r} already exists.",
            value=draft.ref,
        )
    location = await locate(
        session, latitude=draft.latitude, longitude=draft.longitude, commune=draft.commune
    )
    space = Space(
        organization_id=organization_id,
        **draft.model_dump(exclude={"commune", "latitude", "longitude"}),
    )
    apply_location(space, location)
    session.add(space)
    await session.flush()
    return space


async def update_space(
    session: AsyncSession, principal: Principal | None, space_id: int, patch: SpacePatch
) -> Space:
    require_principal(principal)
    space = await session.get(Space, space_id)
    if space is None:
        raise NotFound(SpaceErrorCode.SPACE_NOT_FOUND, value=str(space_id))
    require_admin(principal, space.organization_id)
    changes = patch.model_dump(exclude_unset=True)
    location_keys = {"commune", "latitude", "longitude"}
    if location_keys & changes.keys():
        location = await locate(
            session,
            latitude=changes.get("latitude", space.latitude),
            longitude=changes.get("longitude", space.longitude),
            commune=changes.get("commune"),
        )
        apply_location(space, location)
    for key in changes.keys() - location_keys:
        setattr(space, key, changes[key])
    space.updated_at = utcnow()
    await session.flush()
    return space


def apply_location(space: Space, location: Location | None) -> None:
    found = location or Location()
    space.latitude, space.longitude = found.latitude, found.longitude
    space.commune_insee, space.commune_name = found.commune_insee, found.commune_name
    space.department_code, space.region_code = found.department_code, found.region_code


async def spaces_by_ids(session: AsyncSession, ids: Sequence[int]) -> list[Space]:
    statement = select(Space).where(Space.id.in_(ids))  # type: ignore[union-attr]
    return list((await session.exec(statement)).all())
