"""The typed details of each kind of listing, validated before they are stored as JSON."""

from __future__ import annotations

import enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from core.models import Direction, ListingKind


class _Details(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=True)


class EquipmentDetails(_Details):
    brand: str | None = Field(default=None, max_length=100)
    model: str | None = Field(default=None, max_length=100)
    machine_class: str | None = Field(default=None, max_length=60)
    training_required: bool = False
    quantity: int = Field(default=1, ge=1, le=10_000)


class ErpCategory(enum.IntEnum):
    """Établissement recevant du public: category 1 (largest) to 5 (smallest)."""

    ONE = 1
    TWO = 2
    THREE = 3
    FOUR = 4
    FIVE = 5


class PremisesDetails(_Details):
    surface_m2: float | None = Field(default=None, gt=0, le=1_000_000)
    capacity: int | None = Field(default=None, ge=1, le=100_000)
    accessible: bool | None = Field(default=None, description="Accessible to reduced mobility.")
    accessibility_notes: str | None = Field(default=None, max_length=1000)
    erp_category: ErpCategory | None = None
    rooms: int | None = Field(default=None, ge=0, le=10_000)


class SkillLevel(enum.StrEnum):
    BEGINNER = "BEGINNER"
    INTERMEDIATE = "INTERMEDIATE"
    EXPERT = "EXPERT"


class SkillFormat(enum.StrEnum):
    ON_SITE = "ON_SITE"
    REMOTE = "REMOTE"
    HYBRID = "HYBRID"


class SkillDetails(_Details):
    level: SkillLevel | None = None
    format: SkillFormat | None = None
    hours: float | None = Field(default=None, gt=0, le=10_000)


class MaterialCondition(enum.StrEnum):
    NEW = "NEW"
    GOOD = "GOOD"
    USED = "USED"
    TO_REPAIR = "TO_REPAIR"


class MaterialDetails(_Details):
    """An offer says how much there is to give; a request may leave it open (people looking for
    reclaimed bricks rarely know how many yet)."""

    quantity: float | None = Field(default=None, gt=0, le=10_000_000)
    unit: str = Field(default="unit", min_length=1, max_length=20)
    condition: MaterialCondition | None = None
    unit_weight_kg: float | None = Field(default=None, gt=0, le=1_000_000)
    pickup: str | None = Field(default=None, max_length=500)


class MaterialOfferDetails(MaterialDetails):
    quantity: float = Field(gt=0, le=10_000_000)


DETAILS_BY_KIND: dict[ListingKind, type[_Details]] = {
    ListingKind.EQUIPMENT: EquipmentDetails,
    ListingKind.PREMISES: PremisesDetails,
    ListingKind.SKILL: SkillDetails,
    ListingKind.MATERIAL: MaterialDetails,
}


def validate_details(
    kind: ListingKind, details: dict[str, Any] | None, direction: Direction = Direction.OFFER
) -> dict[str, Any]:
    """Return the normalized details of `kind`; raises pydantic's ValidationError.

    A field given as null or as blank text is a field not given: files exported from a
    spreadsheet or a database write every column, and a request whose quantity is not known yet
    arrives as `"quantity": null` or `""`. Refused, such a request never matched anything (issue
    15); an offer still needs what its kind requires (`MaterialOfferDetails`)."""
    model = DETAILS_BY_KIND[kind]
    if kind == ListingKind.MATERIAL and direction == Direction.OFFER:
        model = MaterialOfferDetails
    given = {k: v for k, v in (details or {}).items() if not _blank(v)}
    return model.model_validate(given).model_dump(mode="json", exclude_none=True)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
