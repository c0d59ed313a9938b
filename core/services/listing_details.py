"""The typed details of each kind of listing, validated before they are stored as JSON."""

from __future__ import annotations

import enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from core.error_codes import TrainingErrorCode
from core.models import Direction, ListingKind
from core.services.trainings import machine_classes
from core.services.validation import refuse

MAX_REQUIRED_TRAININGS = 10
MAX_TRAINING_LABS = 50


class _Details(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=True)


class TrainingRule(enum.StrEnum):
    """Whose trainings a host lab accepts for a machine it lends (always its own, too)."""

    ANY_VERIFIED_LAB = "ANY_VERIFIED_LAB"
    SAME_NETWORK = "SAME_NETWORK"
    LISTED_LABS = "LISTED_LABS"
    OWN_LAB_ONLY = "OWN_LAB_ONLY"


class EquipmentDetails(_Details):
    """`required_trainings` names the machine classes a user must be trained on, under
    `training_rule` (SAME_NETWORK unless said); `training_required` follows it. A listing of
    before issue 16 said only `training_required` with its `machine_class`: that class is then
    the required one (here on write, `required_classes` on read). A training required with no
    known class stays as it was said, with nothing to check."""

    brand: str | None = Field(default=None, max_length=100)
    model: str | None = Field(default=None, max_length=100)
    machine_class: str | None = Field(default=None, max_length=60)
    training_required: bool = False
    required_trainings: list[str] | None = Field(
        default=None, max_length=MAX_REQUIRED_TRAININGS, validate_default=True
    )
    training_rule: TrainingRule | None = Field(default=None, validate_default=True)
    training_labs: list[int] | None = Field(
        default=None, max_length=MAX_TRAINING_LABS, validate_default=True
    )
    quantity: int = Field(default=1, ge=1, le=10_000)

    @field_validator("required_trainings")
    @classmethod
    def _known_classes(cls, classes: list[str] | None, info: ValidationInfo) -> list[str] | None:
        known = machine_classes()
        for name in classes or []:
            if name not in known:
                raise refuse(TrainingErrorCode.UNKNOWN_MACHINE_CLASS, name)
        unique = list(dict.fromkeys(classes or []))
        if not unique and info.data.get("training_required"):
            unique = [c for c in [info.data.get("machine_class")] if c in known]
        return unique or None

    @field_validator("training_rule")
    @classmethod
    def _rule_of_classes(
        cls, rule: TrainingRule | None, info: ValidationInfo
    ) -> TrainingRule | None:
        if "required_trainings" not in info.data:  # already refused
            return rule
        if not info.data["required_trainings"]:
            if rule is not None:
                raise refuse(TrainingErrorCode.TRAINING_RULE_WITHOUT_CLASSES)
            return None
        return rule or TrainingRule.SAME_NETWORK

    @field_validator("training_labs")
    @classmethod
    def _labs_of_rule(cls, labs: list[int] | None, info: ValidationInfo) -> list[int] | None:
        if "training_rule" not in info.data:  # already refused
            return labs
        listed = info.data["training_rule"] == TrainingRule.LISTED_LABS
        if listed and not labs:
            raise refuse(TrainingErrorCode.TRAINING_LABS_REQUIRED)
        if not listed and labs:
            raise refuse(TrainingErrorCode.TRAINING_LABS_WITHOUT_LISTED_RULE)
        return sorted(set(labs)) if labs else None

    @model_validator(mode="after")
    def _required_when_classes(self) -> EquipmentDetails:
        if self.required_trainings:
            self.training_required = True
        return self


def required_classes(details: dict[str, Any]) -> list[str]:
    """The machine classes stored equipment details require; a listing of before issue 16 with
    `training_required` and a known `machine_class` requires that class."""
    if classes := details.get("required_trainings"):
        return list(classes)
    machine_class = details.get("machine_class")
    if details.get("training_required") and machine_class in machine_classes():
        return [machine_class]
    return []


def training_rule_of(details: dict[str, Any]) -> TrainingRule | None:
    """The rule of stored equipment details; SAME_NETWORK when classes are required unsaid."""
    if not required_classes(details):
        return None
    return TrainingRule(details.get("training_rule") or TrainingRule.SAME_NETWORK)


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
