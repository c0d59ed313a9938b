"""Training passports: a lab's admins record that a person was trained on a machine class, or
revoke it; a lab recognizes the trainings of other labs.

A training counts (`is_valid`) until it is revoked or its expiry date has passed. Who sees a
training (`visible_to`): the trained person, the admins of the lab that recorded it, and the
admins of an organization the person shares their passport with (`share_passport`: admins only,
as a lab's view of what it recorded; the person decides, nobody else). Every change of a lab's
records writes an audit event of the lab in the same transaction; nothing here commits.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.error_codes import OrganizationErrorCode, TrainingErrorCode
from core.errors import Conflict, FieldProblem, InvalidInput, NotFound
from core.models import (
    AuditAction,
    LabRecognition,
    ListingKind,
    Membership,
    Organization,
    PassportShare,
    Person,
    Training,
)
from core.models.base import utcnow
from core.services.audit import record
from core.services.principal import Principal, require_admin, require_principal
from core.services.taxonomy import categories


def machine_classes() -> frozenset[str]:
    """The machine classes a training names: the EQUIPMENT codes of `data/taxonomy.csv`, the
    same vocabulary as `machine_class` in equipment details."""
    return frozenset(c.code for c in categories().values() if c.kind == ListingKind.EQUIPMENT)


class TrainingDraft(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    person_id: int
    machine_class: str = Field(min_length=1, max_length=60)
    trained_on: date
    expires_on: date | None = None
    trainer_id: int | None = None
    """A member of the lab; the admin who records it when not given."""
    note: str = Field(default="", max_length=2000)

    def cross_check(self) -> list[FieldProblem]:
        problems = []
        if self.machine_class not in machine_classes():
            code = TrainingErrorCode.UNKNOWN_MACHINE_CLASS
            problems.append(FieldProblem("machine_class", code, value=self.machine_class))
        if self.expires_on is not None and self.expires_on < self.trained_on:
            problems.append(FieldProblem("expires_on", TrainingErrorCode.EXPIRY_BEFORE_TRAINING))
        return problems


@dataclass(frozen=True)
class Recognition:
    organization_id: int
    recognized_organization_id: int
    recognized: bool


def is_valid(training: Training, on: date | None = None) -> bool:
    """Not revoked, and not expired on `on` (today, UTC, by default)."""
    day = on or utcnow().date()
    return training.revoked_at is None and (
        training.expires_on is None or training.expires_on >= day
    )


def visible_to(
    principal: Principal | None, training: Training, shared_with: Collection[int] = ()
) -> bool:
    """The trained person sees their passport; a lab's admins see the trainings it recorded;
    the admins of an organization in `shared_with` (those the person shares their passport
    with, `passport_shares`) see all of it."""
    if principal is None:
        return False
    return (
        training.person_id == principal.person_id
        or principal.administers(training.lab_organization_id)
        or any(principal.administers(org_id) for org_id in shared_with)
    )


async def record_training(
    session: AsyncSession,
    principal: Principal | None,
    lab_organization_id: int,
    draft: TrainingDraft,
) -> Training:
    """An admin of the lab records a training it gave; a lab records only its own."""
    acting = require_admin(principal, lab_organization_id)
    if await session.get(Person, draft.person_id) is None:
        raise NotFound(TrainingErrorCode.TRAINEE_NOT_FOUND, value=str(draft.person_id))
    trainer_id = acting.person_id if draft.trainer_id is None else draft.trainer_id
    if not await _is_member(session, trainer_id, lab_organization_id):
        raise InvalidInput.one("trainer_id", TrainingErrorCode.TRAINER_NOT_A_MEMBER)
    training = Training(
        **draft.model_dump(exclude={"trainer_id"}),
        trainer_id=trainer_id,
        lab_organization_id=lab_organization_id,
        recorded_by_id=acting.person_id,
    )
    session.add(training)
    await session.flush()
    details = {"training_id": training.id, "person_id": draft.person_id}
    await record(
        session, lab_organization_id, acting.person_id, AuditAction.TRAINING_RECORDED, details
    )
    return training


async def revoke_training(
    session: AsyncSession, principal: Principal | None, training_id: int
) -> Training:
    """An admin of the lab that recorded it revokes a training; the row stays, not valid."""
    training = await session.get(Training, training_id)
    if training is None:
        raise NotFound(TrainingErrorCode.TRAINING_NOT_FOUND, value=str(training_id))
    acting = require_admin(principal, training.lab_organization_id)
    if training.revoked_at is not None:
        raise Conflict(TrainingErrorCode.TRAINING_ALREADY_REVOKED)
    training.revoked_at = utcnow()
    training.revoked_by_id = acting.person_id
    session.add(training)
    await session.flush()
    action, details = AuditAction.TRAINING_REVOKED, {"training_id": training_id}
    await record(session, training.lab_organization_id, acting.person_id, action, details)
    return training


async def set_lab_recognition(
    session: AsyncSession,
    principal: Principal | None,
    organization_id: int,
    recognized_organization_id: int,
    recognized: bool,
) -> Recognition:
    """An admin of a lab says whether it accepts another lab's trainings; setting what is
    already so changes nothing."""
    acting = require_admin(principal, organization_id)
    if recognized_organization_id == organization_id:
        field = "recognized_organization_id"
        raise InvalidInput.one(field, TrainingErrorCode.RECOGNIZES_ITSELF)
    if await session.get(Organization, recognized_organization_id) is None:
        code = OrganizationErrorCode.ORGANIZATION_NOT_FOUND
        raise NotFound(code, value=str(recognized_organization_id))
    key = (organization_id, recognized_organization_id)
    row = await session.get(LabRecognition, key)
    if recognized != (row is not None):
        if row is None:
            session.add(
                LabRecognition(
                    organization_id=organization_id,
                    recognized_organization_id=recognized_organization_id,
                    created_by_id=acting.person_id,
                )
            )
        else:
            await session.delete(row)
        details = {
            "recognized_organization_id": recognized_organization_id,
            "recognized": recognized,
        }
        await record(
            session, organization_id, acting.person_id, AuditAction.LAB_RECOGNITION_SET, details
        )
        await session.flush()
    return Recognition(organization_id, recognized_organization_id, recognized)


async def recognized_labs(session: AsyncSession, organization_id: int) -> list[int]:
    """The labs whose trainings `organization_id` recognizes explicitly (not its network's)."""
    query = select(LabRecognition.recognized_organization_id).where(
        LabRecognition.organization_id == organization_id
    )
    return sorted((await session.exec(query)).all())


async def trainings_recorded_by(
    session: AsyncSession, principal: Principal | None, lab_organization_id: int
) -> list[Training]:
    """The trainings a lab recorded, revoked and expired included, newest first: for its
    admins, who see them in each person's passport too (`visible_to`)."""
    require_admin(principal, lab_organization_id)
    query = select(Training).where(Training.lab_organization_id == lab_organization_id)
    query = query.order_by(col(Training.trained_on).desc(), col(Training.id).desc())
    return list((await session.exec(query)).all())


async def recognized_labs_for(
    session: AsyncSession, principal: Principal | None, organization_id: int
) -> list[int]:
    """`recognized_labs`, for the lab's own admins: whom a lab trusts is its own business."""
    require_admin(principal, organization_id)
    return await recognized_labs(session, organization_id)


async def recognitions_of(
    session: AsyncSession, organization_ids: Sequence[int]
) -> list[LabRecognition]:
    """The explicit recognitions of many labs in one query (a loader's batch)."""
    query = select(LabRecognition).where(col(LabRecognition.organization_id).in_(organization_ids))
    return list((await session.exec(query)).all())


async def trainings_of(session: AsyncSession, person_id: int) -> list[Training]:
    """A person's whole passport, revoked and expired included, newest first."""
    return await trainings_of_people(session, [person_id])


async def trainings_of_people(session: AsyncSession, person_ids: Sequence[int]) -> list[Training]:
    """The trainings of many people in one query (a loader's batch), newest first."""
    query = select(Training).where(col(Training.person_id).in_(person_ids))
    query = query.order_by(col(Training.trained_on).desc(), col(Training.id).desc())
    return list((await session.exec(query)).all())


async def _is_member(session: AsyncSession, person_id: int, organization_id: int) -> bool:
    query = select(Membership.id).where(
        Membership.person_id == person_id, Membership.organization_id == organization_id
    )
    return (await session.exec(query)).first() is not None


async def share_passport(
    session: AsyncSession, principal: Principal | None, organization_id: int, shared: bool
) -> bool:
    """The signed-in person shares their own passport with an organization, or stops; setting
    what is already so changes nothing. Returns `shared`."""
    acting = require_principal(principal)
    if await session.get(Organization, organization_id) is None:
        code = OrganizationErrorCode.ORGANIZATION_NOT_FOUND
        raise NotFound(code, value=str(organization_id))
    row = await session.get(PassportShare, (acting.person_id, organization_id))
    if shared and row is None:
        session.add(PassportShare(person_id=acting.person_id, organization_id=organization_id))
    elif not shared and row is not None:
        await session.delete(row)
    await session.flush()
    return shared


async def passport_shares(session: AsyncSession, person_id: int) -> list[int]:
    """The organizations a person shares their passport with, by id."""
    return (await passport_shares_of(session, [person_id])).get(person_id, [])


async def passport_shares_of(
    session: AsyncSession, person_ids: Sequence[int]
) -> dict[int, list[int]]:
    """The organizations each of many people shares their passport with (a loader's batch)."""
    query = select(PassportShare).where(col(PassportShare.person_id).in_(person_ids))
    query = query.order_by(col(PassportShare.created_at), col(PassportShare.organization_id))
    shares: dict[int, list[int]] = {}
    for row in (await session.exec(query)).all():
        shares.setdefault(row.person_id, []).append(row.organization_id)
    return shares


async def sharing_members(session: AsyncSession, member_of: int, shared_with: int) -> list[int]:
    """The members of `member_of` who share their passport with `shared_with`, by id."""
    return (await sharing_members_of(session, [(member_of, shared_with)]))[(member_of, shared_with)]


async def sharing_members_of(
    session: AsyncSession, pairs: Sequence[tuple[int, int]]
) -> dict[tuple[int, int], list[int]]:
    """For each (organization, shared with) pair, its members who share their passport with
    the second organization, in one query (a loader's batch)."""
    members = {member_of for member_of, _ in pairs}
    shared = {shared_with for _, shared_with in pairs}
    query = (
        select(Membership.organization_id, PassportShare.organization_id, Membership.person_id)
        .join(PassportShare, col(PassportShare.person_id) == col(Membership.person_id))
        .where(
            col(Membership.organization_id).in_(members),
            col(PassportShare.organization_id).in_(shared),
        )
    )
    found: dict[tuple[int, int], set[int]] = {pair: set() for pair in pairs}
    for member_of, shared_with, person_id in (await session.exec(query)).all():
        if (member_of, shared_with) in found:
            found[(member_of, shared_with)].add(person_id)
    return {pair: sorted(people) for pair, people in found.items()}
