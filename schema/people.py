"""People as the members of their organizations see them, their training passports, and what
they did (the audit trail)."""

from __future__ import annotations

import datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON

from core import models
from core.models import AuditAction
from core.services import trainings
from schema.context import Info
from schema.relay import to_global_id

strawberry.enum(
    AuditAction,
    description="What happened: a sign-in, a role change, a token created or revoked, a member "
    "invited, accepted, refused or revoked, a request to join, a validation or refusal by the "
    "network, a listing reported, hidden or shown again, a report dismissed.",
)


@strawberry.type(description="A person, as the members of their organizations see them.")
class Person:
    pk: strawberry.Private[int]
    id: strawberry.ID = strawberry.field(description="The person's global id.")
    display_name: str = strawberry.field(description="The name they go by.")
    email: str | None = strawberry.field(description="Their e-mail address, if known.")

    @classmethod
    def from_row(cls, row: models.Person) -> Person:
        assert row.id is not None
        return cls(
            pk=row.id,
            id=to_global_id("Person", row.id),
            display_name=row.display_name,
            email=row.email,
        )

    @strawberry.field(
        description="Their training passport, newest first, revoked and expired included: the "
        "whole of it for the person themself and for the admins of an organization they share "
        "it with (`passportShare`); for the admins of a lab, the trainings that lab recorded; "
        "nothing for anyone else."
    )
    async def trainings(self, info: Info) -> list[Training]:
        loaders = info.context.loaders
        rows = await loaders.trainings_by_person_id.load(self.pk)
        shared = await loaders.passport_shares_by_person_id.load(self.pk) if rows else []
        principal = info.context.principal
        return [
            Training.from_row(row) for row in rows if trainings.visible_to(principal, row, shared)
        ]


@strawberry.type(description="A person trained by a lab on a machine class.")
class Training:
    pk: strawberry.Private[int]
    lab_pk: strawberry.Private[int]
    person_pk: strawberry.Private[int]
    trainer_pk: strawberry.Private[int | None]
    id: strawberry.ID = strawberry.field(description="The training's global id.")
    machine_class: str = strawberry.field(
        description="The machine class: an EQUIPMENT category code (`categories`), as in "
        "equipment details' `machineClass`."
    )
    trained_on: datetime.date = strawberry.field(description="The day of the training.")
    expires_on: datetime.date | None = strawberry.field(
        description="The last day it counts; null: it does not expire."
    )
    note: str = strawberry.field(description="The lab's note (what was covered, on which machine).")
    revoked_at: datetime.datetime | None = strawberry.field(
        description="When the lab revoked it; null while it stands."
    )
    valid: bool = strawberry.field(description="Not revoked, and not expired today.")

    @classmethod
    def from_row(cls, row: models.Training) -> Training:
        assert row.id is not None
        return cls(
            pk=row.id,
            lab_pk=row.lab_organization_id,
            person_pk=row.person_id,
            trainer_pk=row.trainer_id,
            id=to_global_id("Training", row.id),
            machine_class=row.machine_class,
            trained_on=row.trained_on,
            expires_on=row.expires_on,
            note=row.note,
            revoked_at=row.revoked_at,
            valid=trainings.is_valid(row),
        )

    @strawberry.field(description="The trained person.")
    async def person(self, info: Info) -> Person:
        return await person_of(info, self.person_pk)

    @strawberry.field(description="The trainer; null if their account is gone.")
    async def trainer(self, info: Info) -> Person | None:
        if self.trainer_pk is None:
            return None
        row = await info.context.loaders.person_by_id.load(self.trainer_pk)
        return Person.from_row(row) if row else None

    @strawberry.field(description="The global id of the lab (organization) that trained them.")
    def lab_id(self) -> strawberry.ID:
        return to_global_id("Organization", self.lab_pk)

    @strawberry.field(description="The name of the lab that trained them.")
    async def lab_name(self, info: Info) -> str:
        row = await info.context.loaders.organization_by_id.load(self.lab_pk)
        return row.name if row else ""


async def person_of(info: Info, pk: int) -> Person:
    """The person with primary key `pk`, through the request's loader (a member, a requester)."""
    row = await info.context.loaders.person_by_id.load(pk)
    assert row is not None
    return Person.from_row(row)


@strawberry.type(description="Something that happened to an organization, and who did it.")
class AuditEvent:
    pk: strawberry.Private[int]
    actor_pk: strawberry.Private[int | None]
    id: strawberry.ID = strawberry.field(description="The event's global id.")
    action: AuditAction = strawberry.field(description="What happened.")
    details: JSON = strawberry.field(description="Facts about it (ids, roles); never a secret.")
    created_at: datetime.datetime = strawberry.field(description="When it happened.")

    @classmethod
    def from_row(cls, row: models.AuditEvent) -> AuditEvent:
        assert row.id is not None
        return cls(
            pk=row.id,
            actor_pk=row.actor_id,
            id=to_global_id("AuditEvent", row.id),
            action=row.action,
            details=cast(JSON, row.details),
            created_at=row.created_at,
        )

    @strawberry.field(description="Who did it; null for the system or a deleted person.")
    async def actor(self, info: Info) -> Person | None:
        if self.actor_pk is None:
            return None
        row = await info.context.loaders.person_by_id.load(self.actor_pk)
        return Person.from_row(row) if row else None
