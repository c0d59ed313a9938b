"""The typed details of each kind of listing: one output type per kind, one oneOf input."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from core import models
from core.error_codes import ListingErrorCode
from core.errors import InvalidInput
from schema.enums import MaterialCondition, SkillFormat, SkillLevel


@strawberry.type(description="A machine or tool that is lent or sought.")
class EquipmentDetails:
    brand: str | None = strawberry.field(description="Maker, e.g. Epilog, Ultimaker.")
    model: str | None = strawberry.field(description="Model, e.g. Legend 36EXT.")
    machine_class: str | None = strawberry.field(
        description="Machine class, e.g. `laser`, `three_d_printer`, `cnc_milling`."
    )
    training_required: bool = strawberry.field(description="A training is needed to use it.")
    quantity: int = strawberry.field(description="How many identical units.")


@strawberry.type(description="Premises: a building, a room, a plot.")
class PremisesDetails:
    surface_m2: float | None = strawberry.field(description="Surface in square metres.")
    capacity: int | None = strawberry.field(description="How many people it holds.")
    accessible: bool | None = strawberry.field(description="Accessible to reduced mobility.")
    accessibility_notes: str | None = strawberry.field(description="Details on access.")
    erp_category: int | None = strawberry.field(
        description="ERP category (établissement recevant du public), 1 to 5."
    )
    rooms: int | None = strawberry.field(description="Number of rooms.")


@strawberry.type(description="A skill offered or sought.")
class SkillDetails:
    level: SkillLevel | None = strawberry.field(description="How advanced.")
    format: SkillFormat | None = strawberry.field(description="On site, remote or both.")
    hours: float | None = strawberry.field(description="Hours offered or needed.")


@strawberry.type(description="Reusable material: quantity, unit, condition and pickup.")
class MaterialDetails:
    quantity: float = strawberry.field(
        description="How much, in `unit`; 0 when a request leaves it open (`quantityOpen`)."
    )
    quantity_open: bool = strawberry.field(
        default=False,
        description="A request that does not say how much yet: `quantity` then reads 0.",
    )
    unit: str = strawberry.field(description="The unit: `unit`, `kg`, `m2`, `m3`, `ml`...")
    condition: MaterialCondition | None = strawberry.field(description="Its state.")
    unit_weight_kg: float | None = strawberry.field(description="Weight of one unit in kg.")
    pickup: str | None = strawberry.field(description="Where and how to pick it up.")


ListingDetails = Annotated[
    EquipmentDetails | PremisesDetails | SkillDetails | MaterialDetails,
    strawberry.union("ListingDetails", description="The typed details of a listing's kind."),
]

_OUTPUT: dict[models.ListingKind, Any] = {
    models.ListingKind.EQUIPMENT: EquipmentDetails,
    models.ListingKind.PREMISES: PremisesDetails,
    models.ListingKind.SKILL: SkillDetails,
    models.ListingKind.MATERIAL: MaterialDetails,
}


def details_of(kind: models.ListingKind, stored: dict[str, Any]) -> ListingDetails:
    output = _OUTPUT[kind]
    names = output.__annotations__.keys()
    values = {name: stored.get(name) for name in names}
    if kind == models.ListingKind.EQUIPMENT:
        values["training_required"] = bool(values["training_required"])
        values["quantity"] = values["quantity"] or 1
    if kind == models.ListingKind.MATERIAL:
        values["quantity_open"] = values["quantity"] is None
        values["quantity"] = values["quantity"] or 0
    return output(**values)  # type: ignore[no-any-return]


def _field(description: str, default: object = None) -> Any:
    return strawberry.field(default=default, description=description)


@strawberry.input(description="Equipment details.")
class EquipmentDetailsInput:
    brand: str | None = _field("Maker, e.g. Epilog.")
    model: str | None = _field("Model, e.g. Legend 36EXT.")
    machine_class: str | None = _field("Machine class, e.g. `laser`, `three_d_printer`.")
    training_required: bool = _field("A training is needed to use it.", False)
    quantity: int = _field("How many identical units, 1 or more.", 1)


@strawberry.input(description="Premises details.")
class PremisesDetailsInput:
    surface_m2: float | None = _field("Surface in square metres.")
    capacity: int | None = _field("How many people it holds.")
    accessible: bool | None = _field("Accessible to reduced mobility.")
    accessibility_notes: str | None = _field("Details on access.")
    erp_category: int | None = _field("ERP category, 1 to 5.")
    rooms: int | None = _field("Number of rooms.")


@strawberry.input(description="Skill details.")
class SkillDetailsInput:
    level: SkillLevel | None = _field("How advanced.")
    format: SkillFormat | None = _field("On site, remote or both.")
    hours: float | None = _field("Hours offered or needed.")


@strawberry.input(description="Material details.")
class MaterialDetailsInput:
    quantity: float | None = _field(
        "How much, in `unit`; more than 0. Required in an offer; a request may leave it out."
    )
    unit: str = _field("The unit: `unit`, `kg`, `m2`, `m3`, `ml`...", "unit")
    condition: MaterialCondition | None = _field("Its state.")
    unit_weight_kg: float | None = _field("Weight of one unit in kg.")
    pickup: str | None = _field("Where and how to pick it up.")


@strawberry.input(
    one_of=True, description="The details of exactly one kind: the one of the listing."
)
class ListingDetailsInput:
    equipment: EquipmentDetailsInput | None = _field("For an EQUIPMENT listing.", strawberry.UNSET)
    premises: PremisesDetailsInput | None = _field("For a PREMISES listing.", strawberry.UNSET)
    skill: SkillDetailsInput | None = _field("For a SKILL listing.", strawberry.UNSET)
    material: MaterialDetailsInput | None = _field("For a MATERIAL listing.", strawberry.UNSET)


def details_input(kind: models.ListingKind, given: ListingDetailsInput | None) -> dict[str, Any]:
    """The chosen member as a plain dict, checked against the listing's kind."""
    if given is None:
        return {}
    for name in ("equipment", "premises", "skill", "material"):
        value = getattr(given, name)
        if value is not None and value is not strawberry.UNSET:
            if name != kind.value.lower():
                message = f"give `{kind.value.lower()}` details for a {kind.value} listing"
                code = ListingErrorCode.DETAILS_OF_ANOTHER_KIND
                raise InvalidInput.one("details", code, message, value=kind.value)
            # Left out and null say the same: the service names a missing required field.
            return {k: v for k, v in strawberry.asdict(value).items() if v is not None}
    return {}
