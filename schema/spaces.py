"""Places: the type, its queries, `spaceCreate` and `spaceUpdate`."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Annotated, Any

import strawberry
from sqlalchemy import Row

from core import models
from core.services import spaces as service
from core.services.space_claims import VerificationState, verification_state
from core.services.validation import parse
from schema.context import Info
from schema.enums import Typology
from schema.errors import (
    ConflictError,
    InputError,
    NotFoundError,
    creation,
    idempotency_key_field,
    run_mutation,
    without_key,
)
from schema.fast_fields import RowBacked, column, rows
from schema.geo import GeoInput
from schema.inputs import given
from schema.locations import Location
from schema.organizations import Organization, load_organization
from schema.photos import Photo, space_photo
from schema.relay import (
    Node,
    NodeId,
    input_id,
    to_global_id,
)
from schema.space_sources import SpaceMerge, SpaceSource, space_merges, space_sources

strawberry.enum(
    VerificationState,
    description="Whether the organization shown runs the place: UNCLAIMED (none), UNVERIFIED "
    "(no claim verified it), VERIFIED (verified or re-confirmed within 13 months), TO_RECHECK "
    "(« à vérifier »: not re-confirmed for 13 months).",
)
strawberry.enum(
    models.ClaimEvidence,
    description="How a claim on a place was verified: SIRET (the organization's is the "
    "place's), EMAIL_DOMAIN (the claimant's verified e-mail is at the website's domain), NETWORK "
    "(the covering network accepted it).",
)


@strawberry.type(description="A physical place: a coworking, a fablab, a vacant building...")
class Space(RowBacked, Node):
    row: strawberry.Private[Any]
    """Its row (a `Space` model or a row of its columns)."""
    pk: strawberry.Private[int]
    organization_pk: strawberry.Private[int | None]
    ref: str | None = strawberry.field(
        description="Its external id: `mc:<ID>` for a Mission Coworking place, `<prefix>:<key>` "
        "for one another open list made (`fablabs:<slug>`, `tl:<uid>`: docs/DIRECTORY.md)."
    )
    name: str = strawberry.field(description="The place's name.")
    typologies: list[Typology] = strawberry.field(description="What kind of place it is.")
    address: str = strawberry.field(description="Street address.")
    postcode: str = strawberry.field(description="Postcode.")
    location: Location = strawberry.field(description="Coordinates, commune and region.")
    website: str | None = strawberry.field(description="Its website.")
    fabrique: bool = strawberry.field(description="Labelled Fabrique des territoires.")

    @classmethod
    def from_row(cls, row: models.Space | Row[Any]) -> Space:
        """The place over its row: fields are read from it when a query selects them."""
        space: Space = cls.new(row, pk=row.id, organization_pk=row.organization_id)
        return space

    @strawberry.field(description="The organization that runs it; none until one claims it.")
    async def organization(self, info: Info) -> Organization | None:
        return await load_organization(info, self.organization_pk)

    @strawberry.field(description="Its photo, if it has one.")
    async def photo(self, info: Info) -> Photo | None:
        return await space_photo(info, self.pk)

    @strawberry.field(description="Whether the organization shown is verified as running it.")
    async def verification_state(self, info: Info) -> VerificationState:
        claim = await info.context.loaders.verified_claim_by_space_id.load(self.pk)
        return verification_state(self.organization_pk, claim)

    @strawberry.field(
        description="« Vérifié le … »: its last verification or yearly confirmation, while its "
        "organization holds it verified."
    )
    async def verified_at(self, info: Info) -> datetime.datetime | None:
        claim = await info.context.loaders.verified_claim_by_space_id.load(self.pk)
        held = claim is not None and claim.organization_id == self.organization_pk
        return claim.verified_at if held and claim else None

    @strawberry.field(description="How its organization's claim was verified.")
    async def verified_by(self, info: Info) -> models.ClaimEvidence | None:
        claim = await info.context.loaders.verified_claim_by_space_id.load(self.pk)
        held = claim is not None and claim.organization_id == self.organization_pk
        return claim.evidence if held and claim else None

    @strawberry.field(
        description="The open sources that list it, each with its attribution, licence and "
        "what it last said when; the first one made the place."
    )
    async def sources(self, info: Info) -> list[SpaceSource]:
        return await space_sources(info, self.pk)

    @strawberry.field(
        description="The records of other sources merged into it, with the rule and reason; "
        "undone ones included (`undoneAt`)."
    )
    async def merges(self, info: Info) -> list[SpaceMerge]:
        return await space_merges(info, self.pk)


_SPACE_READS: dict[str, Callable[[Any], Any]] = {
    "id": lambda row: to_global_id("Space", row.id),
    **{
        name: column(name) for name in ("ref", "name", "address", "postcode", "website", "fabrique")
    },
    "typologies": lambda row: [models.Typology(t) for t in row.typologies],
    "location": lambda row: Location(
        lat=row.latitude,
        lon=row.longitude,
        commune_insee=row.commune_insee,
        department=row.department_code,
        region=row.region_code,
    ),
}
rows(Space, "Space", _SPACE_READS)


@strawberry.type(description="How many places have one typology (a place may have several).")
class TypologyCount:
    typology: Typology = strawberry.field(description="The typology.")
    count: int = strawberry.field(description="How many places have it.")


async def load_space(info: Info, pk: int | None) -> Space | None:
    if pk is None:
        return None
    row = await info.context.loaders.space_by_id.load(pk)
    return Space.from_row(row) if row else None


@strawberry.input(description="Filters on places; all given filters must match.")
class SpaceFilter:
    commune_insee: str | None = strawberry.field(default=None, description="INSEE code.")
    epci: str | None = strawberry.field(
        default=None,
        description="In a commune of this intercommunality (EPCI), given by its SIREN (9 digits).",
    )
    department: str | None = strawberry.field(default=None, description="Department code.")
    region: str | None = strawberry.field(default=None, description="Region code.")
    typology: Typology | None = strawberry.field(default=None, description="Of this typology.")
    claimed: bool | None = strawberry.field(
        default=None,
        description="True: run by an organization; false: no organization has claimed it yet.",
    )
    name_contains: str | None = strawberry.field(
        default=None, description="Part of the name, case-insensitive."
    )
    organization_id: strawberry.ID | None = strawberry.field(
        default=None, description="Run by this organization."
    )
    text: str | None = strawberry.field(
        default=None,
        description="Name, commune or postcode, typos allowed (served by the search index).",
    )
    near: GeoInput | None = strawberry.field(
        default=None, description="Around this point, nearest first (served by the index)."
    )
    near_commune: str | None = strawberry.field(
        default=None, description="Around this commune: INSEE code, postcode or name."
    )
    radius_km: float | None = strawberry.field(
        default=None, description="Within this distance of `near` or `nearCommune`, up to 1000."
    )

    @property
    def needs_index(self) -> bool:
        return bool(self.text or self.near or self.near_commune)


@strawberry.input(description="A new place. Located by coordinates, by commune, or both.")
class SpaceCreateInput:
    organization_id: strawberry.ID = strawberry.field(description="The organization that runs it.")
    name: str = strawberry.field(description="Its name, 2 to 200 characters.")
    ref: str | None = strawberry.field(default=None, description="Your own unique id for it.")
    typologies: list[Typology] = strawberry.field(
        default_factory=list, description="What kind of place it is."
    )
    address: str = strawberry.field(default="", description="Street address.")
    postcode: str = strawberry.field(default="", description="Postcode, 5 digits.")
    commune: str | None = strawberry.field(
        default=None, description="INSEE code, postcode or name of the commune."
    )
    latitude: float | None = strawberry.field(default=None, description="Latitude, -90 to 90.")
    longitude: float | None = strawberry.field(default=None, description="Longitude, -180 to 180.")
    website: str | None = strawberry.field(default=None, description="Its website.")
    fabrique: bool = strawberry.field(
        default=False, description="Labelled Fabrique des territoires."
    )
    idempotency_key: str | None = idempotency_key_field()


@strawberry.input(description="Changes to a place; only the fields given change.")
class SpaceUpdateInput:
    name: str | None = strawberry.field(default=strawberry.UNSET, description="New name.")
    typologies: list[Typology] | None = strawberry.field(
        default=strawberry.UNSET, description="New typologies (replace the old ones)."
    )
    address: str | None = strawberry.field(default=strawberry.UNSET, description="New address.")
    postcode: str | None = strawberry.field(default=strawberry.UNSET, description="New postcode.")
    commune: str | None = strawberry.field(
        default=strawberry.UNSET, description="New commune: INSEE code, postcode or name."
    )
    latitude: float | None = strawberry.field(default=strawberry.UNSET, description="New latitude.")
    longitude: float | None = strawberry.field(
        default=strawberry.UNSET, description="New longitude."
    )
    website: str | None = strawberry.field(default=strawberry.UNSET, description="New website.")
    fabrique: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Labelled Fabrique des territoires."
    )


@strawberry.type(description="The place was saved.")
class SpaceSuccess:
    space: Space = strawberry.field(description="The place as saved.")


SpaceResult = Annotated[
    SpaceSuccess | InputError | NotFoundError | ConflictError,
    strawberry.union("SpaceResult", description="The place, or why it was not saved."),
]


@strawberry.type
class SpaceMutation:
    @strawberry.mutation(description="Add a place run by your organization (ADMIN or OWNER).")
    async def space_create(
        self,
        info: Info,
        input: Annotated[SpaceCreateInput, strawberry.argument(description="The place.")],
    ) -> SpaceResult:
        async def create() -> models.Space:
            data = without_key(input)
            del data["organization_id"]
            organization_id = input_id(input.organization_id, "Organization", "organization_id")
            draft = parse(service.SpaceDraft, data)
            assert organization_id is not None
            return await service.create_space(
                info.context.session, info.context.principal, organization_id, draft
            )

        return await run_mutation(
            info,
            create,
            lambda r: SpaceSuccess(space=Space.from_row(r)),
            idempotent=creation(info, "spaceCreate", input, models.Space),
        )

    @strawberry.mutation(description="Change a place (ADMIN or OWNER of its organization).")
    async def space_update(
        self,
        info: Info,
        id: NodeId,
        input: Annotated[SpaceUpdateInput, strawberry.argument(description="The changes.")],
    ) -> SpaceResult:
        async def update() -> models.Space:
            space_id = input_id(id, "Space", "id")
            assert space_id is not None
            patch = parse(service.SpacePatch, given(input))
            return await service.update_space(
                info.context.session, info.context.principal, space_id, patch
            )

        return await run_mutation(info, update, lambda r: SpaceSuccess(space=Space.from_row(r)))
