"""`Exchange.trainingCheck`: for the host of an equipment loan, whether the person who asked, or a
member of their organization who shares their passport with the host, holds the trainings its
listing requires, under its rule (`core.services.training_checks`).

Read through the request's loaders (listing, host and its network, recognitions, the sharing
members, the people's trainings and their labs), so a page of exchanges makes no query per
exchange.
"""

from __future__ import annotations

import asyncio
import datetime

import strawberry

from core import models
from core.services import training_checks as checks
from core.services.exchange_rules import sides_of
from core.services.listing_details import TrainingRule
from schema.context import Info
from schema.organizations import Organization, load_organization

strawberry.enum(
    checks.CheckReason,
    name="TrainingCheckReason",
    description="Why a training does not count: EXPIRED on the exchange's first day, REVOKED by "
    "its lab, or from a lab the host does not trust under its rule (LAB_NOT_TRUSTED).",
)


@strawberry.type(description="One training of a required class, and whether it counts.")
class TrainingCheckItem:
    lab_pk: strawberry.Private[int]
    person_pk: strawberry.Private[int]
    machine_class: str = strawberry.field(description="The machine class it is for.")
    trained_on: datetime.date = strawberry.field(description="The day of the training.")
    expires_on: datetime.date | None = strawberry.field(
        description="The last day it counts; null: it does not expire."
    )
    counts: bool = strawberry.field(description="Valid, and from a lab trusted under the rule.")
    reason: checks.CheckReason | None = strawberry.field(
        description="Why not; null when it counts."
    )

    @strawberry.field(description="The lab that gave the training.")
    async def lab(self, info: Info) -> Organization | None:
        return await load_organization(info, self.lab_pk)

    @strawberry.field(
        description="Whose training it is: the person who asked, or a member of their "
        "organization who shares their passport with the host (never their e-mail)."
    )
    async def person_name(self, info: Info) -> str:
        person = await info.context.loaders.person_by_id.load(self.person_pk)
        return person.display_name if person else ""


@strawberry.type(
    description="For the host: whether the person who asked, or a member of their organization "
    "who shares their passport with the host, holds the trainings the listing requires, under "
    "its rule. Shows only their trainings of the required classes."
)
class TrainingCheck:
    person_pk: strawberry.Private[int | None]
    rule: TrainingRule = strawberry.field(description="The listing's rule.")
    required_classes: list[str] = strawberry.field(description="The classes required.")
    satisfied: bool = strawberry.field(
        description="Every required class has at least one training that counts, among the "
        "people checked."
    )
    missing_classes: list[str] = strawberry.field(description="Required classes with none.")
    trainings: list[TrainingCheckItem] = strawberry.field(
        description="The people's trainings of the required classes, counting or not; "
        "`personName` says whose."
    )

    @strawberry.field(description="Who was checked: the person who asked (never their e-mail).")
    async def person_name(self, info: Info) -> str | None:
        if self.person_pk is None:
            return None
        person = await info.context.loaders.person_by_id.load(self.person_pk)
        return person.display_name if person else None


async def training_check_of(info: Info, exchange: models.Exchange) -> TrainingCheck | None:
    """The check, for the listing's organization only; null for anyone else or no requirement."""
    if models.ExchangeSide.OWNER not in sides_of(info.context.principal, exchange):
        return None
    loaders = info.context.loaders
    listing = await loaders.exchange_listing_by_id.load(exchange.listing_id)
    if listing is None or not checks.needs_check(listing.kind, listing.direction, listing.details):
        return None
    host = await loaders.organization_by_id.load(exchange.owner_organization_id)
    assert host is not None
    parent, recognitions, sharing = await asyncio.gather(
        loaders.organization_by_id.load(host.parent_id) if host.parent_id else _none(),
        loaders.recognitions_by_organization_id.load(exchange.owner_organization_id),
        loaders.sharing_members_by_pair.load(
            (exchange.requester_organization_id, exchange.owner_organization_id)
        ),
    )
    people = checks.checked_people(exchange.requested_by_id, sharing)
    per_person = await loaders.trainings_by_person_id.load_many(people)
    trainings = [t for rows in per_person for t in rows]
    recognized = [r.recognized_organization_id for r in recognitions]
    trust = checks.trust_of(listing.details, host, parent, recognized)
    lab_ids = sorted({t.lab_organization_id for t in trainings})
    labs = await loaders.organization_by_id.load_many(lab_ids)
    by_id = {pk: lab for pk, lab in zip(lab_ids, labs, strict=True) if lab is not None}
    result = checks.check(
        listing.details,
        trust,
        exchange.requested_by_id,
        trainings,
        by_id,
        checks.check_day(exchange),
    )
    return _shaped(result)


def _shaped(result: checks.TrainingCheck) -> TrainingCheck:
    return TrainingCheck(
        person_pk=result.person_id,
        rule=result.rule,
        required_classes=result.required_classes,
        satisfied=result.satisfied,
        missing_classes=result.missing_classes,
        trainings=[
            TrainingCheckItem(
                lab_pk=item.training.lab_organization_id,
                person_pk=item.training.person_id,
                machine_class=item.training.machine_class,
                trained_on=item.training.trained_on,
                expires_on=item.training.expires_on,
                counts=item.counts,
                reason=item.reason,
            )
            for item in result.items
        ],
    )


async def _none() -> None:
    return None
