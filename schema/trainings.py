"""Training passports: `trainingRecord`, `trainingRevoke`, `labRecognitionSet` and
`passportShare`.

Each mutation calls one service of `core.services.trainings` through `run_mutation` (one
commit); the service checks that the viewer administers the lab. Reading is `Person.trainings`.
"""

from __future__ import annotations

import datetime
from typing import Annotated

import strawberry

from core import models
from core.error_codes import TrainingErrorCode
from core.errors import NotFound
from core.services import trainings as service
from core.services.validation import parse
from schema.context import Info
from schema.errors import ConflictError, InputError, NotFoundError, run_mutation
from schema.organizations import Organization, organization_of
from schema.people import Training
from schema.relay import NodeId, expect_id, input_id, required_id


@strawberry.input(description="A training your lab gave: who, on which machine class, when.")
class TrainingRecordInput:
    organization_id: strawberry.ID = strawberry.field(
        description="The lab that trained them: an organization you administer."
    )
    person_id: strawberry.ID = strawberry.field(description="The trained person.")
    machine_class: str = strawberry.field(
        description="An EQUIPMENT category code (`categories`), e.g. `laser`."
    )
    trained_on: datetime.date = strawberry.field(description="The day of the training.")
    expires_on: datetime.date | None = strawberry.field(
        default=None, description="The last day it counts (not before `trainedOn`); none: never."
    )
    trainer_id: strawberry.ID | None = strawberry.field(
        default=None, description="The trainer, a member of the lab; you when not given."
    )
    note: str = strawberry.field(default="", description="What was covered (2,000 characters).")


@strawberry.input(description="Whether a lab accepts the trainings of another lab.")
class LabRecognitionSetInput:
    organization_id: strawberry.ID = strawberry.field(description="Your lab.")
    recognized_organization_id: strawberry.ID = strawberry.field(description="The other lab.")
    recognized: bool = strawberry.field(description="True to recognize it, false to stop.")


@strawberry.input(description="Whether you share your training passport with an organization.")
class PassportShareInput:
    organization_id: strawberry.ID = strawberry.field(
        description="The organization: its admins see your passport while you share it."
    )
    shared: bool = strawberry.field(description="True to share it, false to stop.")


@strawberry.type(description="The training, recorded or revoked.")
class TrainingSuccess:
    training: Training = strawberry.field(description="The training.")


@strawberry.type(description="Whether the lab now recognizes the other lab's trainings.")
class LabRecognitionSetSuccess:
    organization_pk: strawberry.Private[int]
    recognized_pk: strawberry.Private[int]
    recognized: bool = strawberry.field(description="True: its trainings count for your lab.")

    @strawberry.field(description="Your lab.")
    async def organization(self, info: Info) -> Organization:
        return await organization_of(info, self.organization_pk)

    @strawberry.field(description="The other lab.")
    async def recognized_organization(self, info: Info) -> Organization:
        return await organization_of(info, self.recognized_pk)


@strawberry.type(description="Whether you now share your passport with the organization.")
class PassportShareSuccess:
    organization_pk: strawberry.Private[int]
    shared: bool = strawberry.field(description="True: its admins see your passport.")

    @strawberry.field(description="The organization.")
    async def organization(self, info: Info) -> Organization:
        return await organization_of(info, self.organization_pk)


TrainingRecordResult = Annotated[
    TrainingSuccess | InputError | NotFoundError,
    strawberry.union("TrainingRecordResult", description="The training, or why it was not."),
]
TrainingRevokeResult = Annotated[
    TrainingSuccess | NotFoundError | ConflictError,
    strawberry.union("TrainingRevokeResult", description="The revoked training, or why not."),
]
LabRecognitionSetResult = Annotated[
    LabRecognitionSetSuccess | InputError | NotFoundError,
    strawberry.union("LabRecognitionSetResult", description="The recognition, or why not."),
]

PassportShareResult = Annotated[
    PassportShareSuccess | InputError | NotFoundError,
    strawberry.union("PassportShareResult", description="The share, or why not."),
]


def _training_success(row: models.Training) -> TrainingSuccess:
    return TrainingSuccess(training=Training.from_row(row))


@strawberry.type
class TrainingMutation:
    @strawberry.mutation(
        description="As an admin of a lab, record that a person was trained there on a machine "
        "class. A lab records only its own trainings."
    )
    async def training_record(
        self,
        info: Info,
        input: Annotated[TrainingRecordInput, strawberry.argument(description="The training.")],
    ) -> TrainingRecordResult:
        async def record() -> models.Training:
            data = {
                "person_id": required_id(input.person_id, "Person", "person_id"),
                "machine_class": input.machine_class,
                "trained_on": input.trained_on,
                "expires_on": input.expires_on,
                "trainer_id": input_id(input.trainer_id, "Person", "trainer_id"),
                "note": input.note,
            }
            lab_id = required_id(input.organization_id, "Organization", "organization_id")
            draft = parse(service.TrainingDraft, data)
            return await service.record_training(
                info.context.session, info.context.principal, lab_id, draft
            )

        return await run_mutation(info, record, _training_success)

    @strawberry.mutation(
        description="As an admin of the lab that recorded it, revoke a training: it stays in the "
        "passport, no longer valid."
    )
    async def training_revoke(self, info: Info, id: NodeId) -> TrainingRevokeResult:
        async def revoke() -> models.Training:
            pk = expect_id(id, "Training")
            if pk is None:
                raise NotFound(TrainingErrorCode.TRAINING_NOT_FOUND, value=id)
            return await service.revoke_training(info.context.session, info.context.principal, pk)

        return await run_mutation(info, revoke, _training_success)

    @strawberry.mutation(
        description="As an admin of a lab, recognize another lab's trainings, or stop to."
    )
    async def lab_recognition_set(
        self,
        info: Info,
        input: Annotated[LabRecognitionSetInput, strawberry.argument(description="Which labs.")],
    ) -> LabRecognitionSetResult:
        async def set_recognition() -> service.Recognition:
            return await service.set_lab_recognition(
                info.context.session,
                info.context.principal,
                required_id(input.organization_id, "Organization", "organization_id"),
                required_id(
                    input.recognized_organization_id, "Organization", "recognized_organization_id"
                ),
                input.recognized,
            )

        return await run_mutation(
            info,
            set_recognition,
            lambda r: LabRecognitionSetSuccess(
                organization_pk=r.organization_id,
                recognized_pk=r.recognized_organization_id,
                recognized=r.recognized,
            ),
        )

    @strawberry.mutation(
        description="Share your own training passport with an organization, or stop: its admins "
        "see all of it, and your trainings count when it checks a loan asked by your "
        "organization. Setting what is already so changes nothing."
    )
    async def passport_share(
        self,
        info: Info,
        input: Annotated[PassportShareInput, strawberry.argument(description="With whom.")],
    ) -> PassportShareResult:
        async def share() -> tuple[int, bool]:
            organization_id = required_id(input.organization_id, "Organization", "organization_id")
            shared = await service.share_passport(
                info.context.session, info.context.principal, organization_id, input.shared
            )
            return organization_id, shared

        return await run_mutation(
            info, share, lambda r: PassportShareSuccess(organization_pk=r[0], shared=r[1])
        )
