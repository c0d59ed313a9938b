"""What a client sends to save a search as an alert, validated before any write."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from core.error_codes import AlertErrorCode
from core.errors import FieldProblem
from core.models import Direction, ListingKind
from core.services.listing_commands import date_problems

MAX_RADIUS_KM = 1000.0
DEFAULT_RADIUS_KM = 50.0
_KM_PER_DEGREE = 111.2
_BOX_MARGIN = 1.01  # the box must hold the whole circle, whatever rounding Meilisearch does

Code = Field(min_length=1, max_length=3)


class _Command(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Point(_Command):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class AlertSearch(_Command):
    """The criteria of a saved search: those of `Query.search`, without paging.

    A place (`near`, or `commune` resolved to its centre by the service) always comes with a
    radius, 50 km unless given: an alert notifies, it does not sort by distance.
    """

    text: str = Field(default="", max_length=500)
    kinds: list[ListingKind] = Field(default_factory=list, max_length=len(ListingKind))
    direction: Direction | None = None
    categories: list[str] = Field(default_factory=list, max_length=20)
    departments: list[str] = Field(default_factory=list, max_length=20)
    regions: list[str] = Field(default_factory=list, max_length=20)
    near: Point | None = None
    commune: str | None = Field(default=None, max_length=120)
    radius_km: float | None = Field(default=None, gt=0, le=MAX_RADIUS_KM)
    available_from: date | None = None
    available_until: date | None = None

    def cross_check(self) -> list[FieldProblem]:
        problems = date_problems(self.available_from, self.available_until)
        if self.near is not None and self.commune:
            problems.append(FieldProblem("commune", AlertErrorCode.NEAR_OR_COMMUNE))
        if self.radius_km is not None and self.near is None and not self.commune:
            problems.append(FieldProblem("radius_km", AlertErrorCode.RADIUS_WITHOUT_PLACE))
        if not self.has_criteria:
            problems.append(FieldProblem("text", AlertErrorCode.NO_CRITERIA))
        return problems

    @property
    def has_criteria(self) -> bool:
        return bool(
            self.text
            or self.kinds
            or self.direction
            or self.categories
            or self.departments
            or self.regions
            or self.near
            or self.commune
            or self.available_from
            or self.available_until
        )


class AlertDraft(_Command):
    name: str = Field(min_length=1, max_length=100)
    search: AlertSearch

    def cross_check(self) -> list[FieldProblem]:
        return [
            replace(problem, field=f"search.{problem.field}")
            for problem in self.search.cross_check()
        ]


def bounding_box(near: Point, radius_km: float) -> tuple[float, float, float, float]:
    """(south, north, west, east) of a box holding the circle, for a cheap SQL pre-filter."""
    d_lat = radius_km * _BOX_MARGIN / _KM_PER_DEGREE
    cos_lat = max(math.cos(math.radians(near.lat)), 0.01)
    d_lon = radius_km * _BOX_MARGIN / (_KM_PER_DEGREE * cos_lat)
    west, east = near.lon - d_lon, near.lon + d_lon
    if west < -180 or east > 180:  # across the antimeridian (Wallis-et-Futuna): any longitude
        west, east = -180.0, 180.0
    return max(near.lat - d_lat, -90.0), min(near.lat + d_lat, 90.0), west, east
