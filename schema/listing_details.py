"""The typed details of each kind of listing: one output type per kind, one oneOf input."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import strawberry

from core import models
from core.error_codes import ListingErrorCode
from core.errors import InvalidInput
from core.services.listing_details import TrainingRule, required_classes, training_rule_of
from schema.context import Info
from schema.enums import MaterialCondition, SkillFormat, SkillLevel
from schema.organizations import Organization, load_organization
from schema.relay import input_id

strawberry.enum(
    TrainingRule,
    description="Whose trainings a lab accepts for a machine it lends, besides its own: any "
    "verified lab's (ANY_VERIFIED_LAB), its network's (SAME_NETWORK), the listed labs' "
    "(LISTED_LABS) or none (OWN_LAB_ONLY). Labs it recognizes count too, except for LISTED_LABS "
    "and OWN_LAB_ONLY.",
)


@strawberry.type(description="A machine or tool that is lent or sought.")
class EquipmentDetails:
    brand: str | None = strawberry.field(description="Maker, e.g. Epilog, Ultimaker.")
    model: str | None = strawberry.field(description="Model, e.g. Legend 36EXT.")
    machine_class: str | None = strawberry.field(
        description="Machine class, e.g. `laser`, `three_d_printer`, `cnc_milling`."
    )
    training_required: bool = strawberry.field(
        description="A training is needed to use it (true when `requiredTrainings` is not empty)."
    )
    quantity: int = strawberry.field(description="How many identical units.")
    required_trainings: list[str] = strawberry.field(
        description="The machine classes a user must be trained on, e.g. `laser`."
    )
    training_rule: TrainingRule | None = strawberry.field(
        description="Whose trainings count; null when no training is required."
    )
    training_lab_pks: strawberry.Private[list[int]]

    @strawberry.field(description="LISTED_LABS: the labs whose trainings count; empty otherwise.")
    async def training_labs(self, info: Info) -> list[Organization]:
        labs = await asyncio.gather(*(load_organization(info, pk) for pk in self.training_lab_pks))
        return [lab for lab in labs if lab is not None]


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
        values["required_trainings"] = required_classes(stored)
        values["training_required"] = values["training_required"] or bool(
            values["required_trainings"]
        )
        values["training_rule"] = training_rule_of(stored)
        values["training_lab_pks"] = list(stored.get("training_labs") or [])
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
    training_required: bool = _field(
        "A training is needed to use it. Without `requiredTrainings`, the `machineClass` is the "
        "one required.",
        False,
    )
    quantity: int = _field("How many identical units, 1 or more.", 1)
    required_trainings: list[str] | None = _field(
        "The machine classes a user must be trained on (EQUIPMENT category codes, at most 10)."
    )
    training_rule: TrainingRule | None = _field(
        "Whose trainings count; SAME_NETWORK when trainings are required and it is not given."
    )
    training_lab_ids: list[strawberry.ID] | None = _field(
        "LISTED_LABS only, and required then: the organizations whose trainings count."
    )


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
            fields: dict[str, Any] = {
                k: v for k, v in strawberry.asdict(value).items() if v is not None
            }
            if (lab_ids := fields.pop("training_lab_ids", None)) is not None:
                fields["training_labs"] = _organization_pks(lab_ids)
            return fields
    return {}


def _organization_pks(ids: list[str]) -> list[int]:
    field = "details.training_lab_ids"
    return [pk for id_ in ids if (pk := input_id(id_, "Organization", field)) is not None]
