"""Claims on places: the `SpaceClaim` type, `spaceClaim`, `spaceClaimDecide` and `spaceConfirm`.

The rules are in `core/services/space_claims.py`; a claim is seen by its organization's members
(`Viewer.spaceClaims`) and by the admins of the network deciding it (`Viewer.claimsToDecide`).
"""

from __future__ import annotations

import datetime
from typing import Annotated

import strawberry

from core import models
from core.services import space_claims as service
from core.services.validation import parse
from schema.context import Info
from schema.errors import ConflictError, InputError, NotFoundError, run_mutation
from schema.organizations import Organization, load_organization, organization_of
from schema.relay import NodeId, bad_argument, expect_id, input_id, to_global_id
from schema.spaces import Space, load_space

strawberry.enum(
    models.ClaimState,
    description="PENDING: waiting for the network covering the place. VERIFIED: the "
    "organization holds the place. REFUSED: the network said no, with a reason. REPLACED: it held "
    "the place until the network accepted another organization's claim.",
)
strawberry.enum(
    service.Decision, name="ClaimDecision", description="What the network decides about a claim."
)


@strawberry.type(description="An organization's claim that it runs a place, and what became of it.")
class SpaceClaim:
    pk: strawberry.Private[int]
    space_pk: strawberry.Private[int]
    organization_pk: strawberry.Private[int]
    person_pk: strawberry.Private[int | None]
    holder_pk: strawberry.Private[int | None]
    network_pk: strawberry.Private[int | None]
    id: strawberry.ID = strawberry.field(description="The claim's global id, for a decision.")
    state: models.ClaimState = strawberry.field(description="Where the claim stands.")
    evidence: models.ClaimEvidence | None = strawberry.field(
        description="How it was verified; for a pending claim, the strong evidence it had anyway "
        "(a dispute always goes to the network)."
    )
    message: str = strawberry.field(description="The claimant's word for the network.")
    reason: str = strawberry.field(description="The network's reason (always given on a refusal).")
    created_at: datetime.datetime = strawberry.field(description="When it was made.")
    decided_at: datetime.datetime | None = strawberry.field(description="When it was decided.")

    @classmethod
    def from_row(cls, row: models.SpaceClaim) -> SpaceClaim:
        assert row.id is not None
        return cls(
            pk=row.id,
            space_pk=row.space_id,
            organization_pk=row.organization_id,
            person_pk=row.person_id,
            holder_pk=row.holder_id,
            network_pk=row.network_id,
            id=to_global_id("SpaceClaim", row.id),
            state=row.state,
            evidence=row.evidence,
            message=row.message,
            reason=row.reason,
            created_at=row.created_at,
            decided_at=row.decided_at,
        )

    @strawberry.field(
        description="A dispute: another organization holds the place (for a pending claim, now; "
        "for a decided one, when it was decided)."
    )
    async def dispute(self, info: Info) -> bool:
        return await self._holder_pk(info) is not None

    @strawberry.field(description="The place claimed.")
    async def space(self, info: Info) -> Space:
        space = await load_space(info, self.space_pk)
        assert space is not None
        return space

    @strawberry.field(description="The organization claiming it.")
    async def organization(self, info: Info) -> Organization:
        return await organization_of(info, self.organization_pk)

    @strawberry.field(
        description="In a dispute, the other organization holding the place: the network sees "
        "both parties."
    )
    async def holder(self, info: Info) -> Organization | None:
        return await load_organization(info, await self._holder_pk(info))

    async def _holder_pk(self, info: Info) -> int | None:
        """A pending claim competes with whoever holds the place now (it may have changed)."""
        if self.state != models.ClaimState.PENDING:
            return self.holder_pk
        space = await info.context.loaders.space_by_id.load(self.space_pk)
        holder = space.organization_id if space else None
        return holder if holder != self.organization_pk else None

    @strawberry.field(description="The network that decides; null when verified at once.")
    async def network(self, info: Info) -> Organization | None:
        return await load_organization(info, self.network_pk)

    @strawberry.field(description="The name of the person who claimed.")
    async def claimant_name(self, info: Info) -> str | None:
        if self.person_pk is None:
            return None
        person = await info.context.loaders.person_by_id.load(self.person_pk)
        return person.display_name if person else None


@strawberry.input(description="Claim a place for an organization you administer.")
class SpaceClaimInput:
    space_id: strawberry.ID = strawberry.field(description="The place.")
    organization_id: strawberry.ID = strawberry.field(
        description="The organization that runs it (you are its ADMIN or OWNER)."
    )
    message: str = strawberry.field(
        default="", description="For the network, up to 2000 characters: who you are, the proof."
    )


@strawberry.input(description="A network's decision on a claim waiting for it.")
class SpaceClaimDecideInput:
    claim_id: strawberry.ID = strawberry.field(description="The claim.")
    decision: service.Decision = strawberry.field(description="Accept or refuse.")
    reason: str = strawberry.field(
        default="", description="Why; required to refuse (the claimant reads it)."
    )


@strawberry.type(
    description="The claim was made: VERIFIED at once, or PENDING with the network that decides."
)
class SpaceClaimSuccess:
    claim: SpaceClaim = strawberry.field(description="The claim.")
    space: Space = strawberry.field(description="The place as it now stands.")


@strawberry.type(description="The claim was decided.")
class SpaceClaimDecideSuccess:
    claim: SpaceClaim = strawberry.field(description="The decided claim.")
    space: Space = strawberry.field(description="The place as it now stands.")


@strawberry.type(description="The place's details are confirmed for another year.")
class SpaceConfirmSuccess:
    space: Space = strawberry.field(description="The confirmed place.")


SpaceClaimResult = Annotated[
    SpaceClaimSuccess | InputError | NotFoundError | ConflictError,
    strawberry.union("SpaceClaimResult", description="The claim, or why it was not made."),
]
SpaceClaimDecideResult = Annotated[
    SpaceClaimDecideSuccess | InputError | NotFoundError | ConflictError,
    strawberry.union(
        "SpaceClaimDecideResult", description="The decided claim, or why it was not decided."
    ),
]
SpaceConfirmResult = Annotated[
    SpaceConfirmSuccess | InputError | NotFoundError | ConflictError,
    strawberry.union("SpaceConfirmResult", description="The confirmed place, or why not."),
]


Claimed = tuple[models.SpaceClaim, models.Space]


async def _with_space(info: Info, row: models.SpaceClaim) -> Claimed:
    """The claim and its place as the change left it, read before the commit."""
    space = await info.context.session.get(models.Space, row.space_id)
    assert space is not None
    return row, space


@strawberry.type
class SpaceClaimMutation:
    @strawberry.mutation(
        description="Claim a place for your organization: verified at once on strong evidence "
        "(same SIRET, or your verified e-mail at its website's domain), else sent to the network "
        "covering it; a place another organization holds is always a dispute for the network."
    )
    async def space_claim(
        self,
        info: Info,
        input: Annotated[SpaceClaimInput, strawberry.argument(description="The claim.")],
    ) -> SpaceClaimResult:
        async def claim() -> Claimed:
            space_id = input_id(input.space_id, "Space", "space_id")
            organization_id = input_id(input.organization_id, "Organization", "organization_id")
            assert space_id is not None
            assert organization_id is not None
            draft = parse(service.ClaimDraft, {"message": input.message})
            row = await service.claim_space(
                info.context.session, info.context.principal, space_id, organization_id, draft
            )
            return await _with_space(info, row)

        return await run_mutation(
            info,
            claim,
            lambda done: SpaceClaimSuccess(
                claim=SpaceClaim.from_row(done[0]), space=Space.from_row(done[1])
            ),
        )

    @strawberry.mutation(
        description="As an admin of the network a claim waits for, accept it (the place changes "
        "hands) or refuse it with a reason."
    )
    async def space_claim_decide(
        self,
        info: Info,
        input: Annotated[SpaceClaimDecideInput, strawberry.argument(description="The decision.")],
    ) -> SpaceClaimDecideResult:
        async def decide() -> Claimed:
            claim_id = input_id(input.claim_id, "SpaceClaim", "claim_id")
            assert claim_id is not None
            data = {"decision": input.decision, "reason": input.reason}
            draft = parse(service.DecisionDraft, data)
            row = await service.decide_claim(
                info.context.session, info.context.principal, claim_id, draft
            )
            return await _with_space(info, row)

        return await run_mutation(
            info,
            decide,
            lambda done: SpaceClaimDecideSuccess(
                claim=SpaceClaim.from_row(done[0]), space=Space.from_row(done[1])
            ),
        )

    @strawberry.mutation(
        description="Confirm a verified place's details for another year (ADMIN or OWNER of its "
        "organization)."
    )
    async def space_confirm(self, info: Info, id: NodeId) -> SpaceConfirmResult:
        async def confirm() -> models.Space:
            space_id = input_id(id, "Space", "id")
            assert space_id is not None
            return await service.confirm_space(
                info.context.session, info.context.principal, space_id
            )

        return await run_mutation(
            info, confirm, lambda row: SpaceConfirmSuccess(space=Space.from_row(row))
        )


async def viewer_claims(info: Info, space_id: strawberry.ID | None) -> list[SpaceClaim]:
    """`Viewer.spaceClaims`: their organizations' claims, newest first."""
    pk = _argument_id(space_id, "Space", "spaceId")
    rows = await service.claims_of_viewer(info.context.session, info.context.principal, pk)
    return [SpaceClaim.from_row(row) for row in rows]


async def claims_to_decide(info: Info, network_id: strawberry.ID | None) -> list[SpaceClaim]:
    """`Viewer.claimsToDecide`: the queue of the networks they administer, oldest first."""
    pk = _argument_id(network_id, "Organization", "networkId")
    rows = await service.claims_to_decide(info.context.session, info.context.principal, pk)
    return [SpaceClaim.from_row(row) for row in rows]


def _argument_id(global_id: str | None, type_name: str, argument: str) -> int | None:
    if global_id is None:
        return None
    pk = expect_id(global_id, type_name)
    if pk is None:
        raise bad_argument(argument, f"not the id of a {type_name}")
    return pk
