"""Whether the person who asked to borrow a machine, or a member of their organization who
shares their passport with the host (`trainings.share_passport`), holds the trainings the host
lab requires.

Whose trainings count for a host lab, under the listing's `TrainingRule` (the host's own always):

- ANY_VERIFIED_LAB: any verified organization's, and the labs the host recognizes;
- SAME_NETWORK: the labs of the host's network (same parent, a RESEAU), and the labs the host
  recognizes: a network's labs accept each other's passports by default, computed, not stored;
- LISTED_LABS: the labs the listing names only (the listing is the host's precise word for this
  machine; its general recognitions do not widen it);
- OWN_LAB_ONLY: the host's only.

A training counts when it is valid (`trainings.is_valid`) on the exchange's first day (today
when it has none) and its lab is trusted. The check reads only the trainings of the required
classes: asking for the loan shows that part of the requester's passport to the host, no more
(a member who shares their passport with the host has shown it all already).
`check` is pure; `check_exchange` reads what it needs for one exchange (the GraphQL type reads
the same through loaders).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core import time_zones
from core.error_codes import TrainingErrorCode
from core.errors import InvalidInput
from core.models import (
    Direction,
    Exchange,
    Listing,
    ListingKind,
    Organization,
    OrganizationKind,
    Training,
)
from core.services.listing_details import TrainingRule, required_classes, training_rule_of
from core.services.trainings import (
    is_valid,
    recognized_labs,
    sharing_members,
    trainings_of_people,
)


class CheckReason(enum.StrEnum):
    """Why a training of a required class does not count."""

    EXPIRED = "EXPIRED"
    REVOKED = "REVOKED"
    LAB_NOT_TRUSTED = "LAB_NOT_TRUSTED"


@dataclass(frozen=True)
class Trust:
    """What a host lab trusts under a rule: its inputs, read once per check."""

    rule: TrainingRule
    host_id: int
    network_id: int | None
    """The host's parent when it is a network (RESEAU); None otherwise."""
    recognized: frozenset[int]
    listed: frozenset[int]

    def trusts(self, lab: Organization | None) -> bool:
        if lab is None:
            return False
        if lab.id == self.host_id:
            return True
        if self.rule == TrainingRule.ANY_VERIFIED_LAB:
            return lab.verified or lab.id in self.recognized
        if self.rule == TrainingRule.SAME_NETWORK:
            same = self.network_id is not None and lab.parent_id == self.network_id
            return same or lab.id in self.recognized
        if self.rule == TrainingRule.LISTED_LABS:
            return lab.id in self.listed
        return False


@dataclass(frozen=True)
class CheckItem:
    training: Training
    counts: bool
    reason: CheckReason | None


@dataclass(frozen=True)
class TrainingCheck:
    rule: TrainingRule
    required_classes: list[str]
    person_id: int | None
    items: list[CheckItem]

    @property
    def missing_classes(self) -> list[str]:
        held = {item.training.machine_class for item in self.items if item.counts}
        return [c for c in self.required_classes if c not in held]

    @property
    def satisfied(self) -> bool:
        return not self.missing_classes

    def summary(self) -> dict[str, Any]:
        """What an ACCEPTED event records when the host accepted without the trainings."""
        missing = self.missing_classes
        return {"satisfied": not missing, "missing": missing, "rule": self.rule.value}


def network_of(host: Organization, parent: Organization | None) -> int | None:
    """The host's network: its parent, when that parent is a RESEAU."""
    if parent is None or parent.kind != OrganizationKind.RESEAU:
        return None
    return parent.id


def checked_people(asker_id: int | None, sharing: Sequence[int]) -> list[int]:
    """Whose trainings a check reads: the asker, then the requesting organization's members
    who share their passport with the host."""
    head = [] if asker_id is None else [asker_id]
    return head + [p for p in sharing if p != asker_id]


def check_day(exchange: Exchange) -> date:
    """The day trainings must be valid on: the exchange's first day (Paris), or today."""
    if exchange.starts_at is None:
        return time_zones.today()
    return time_zones.today(now=exchange.starts_at)


def needs_check(
    listing_kind: ListingKind, direction: Direction, details: Mapping[str, Any]
) -> bool:
    """Only an equipment offer requiring trainings is checked."""
    return (
        listing_kind == ListingKind.EQUIPMENT
        and direction == Direction.OFFER
        and bool(required_classes(dict(details)))
    )


def check(
    details: Mapping[str, Any],
    trust: Trust,
    person_id: int | None,
    trainings: Sequence[Training],
    labs: Mapping[int, Organization],
    on: date,
) -> TrainingCheck:
    """The trainings of the required classes among `trainings` (the asker's and those of the
    members who share with the host), each counting or not, and why; `person_id` is the asker."""
    classes = required_classes(dict(details))
    items = []
    for training in trainings:
        if training.machine_class not in classes:
            continue
        reason = _reason(training, trust, labs.get(training.lab_organization_id), on)
        items.append(CheckItem(training, reason is None, reason))
    return TrainingCheck(trust.rule, classes, person_id, items)


def trust_of(
    details: Mapping[str, Any],
    host: Organization,
    parent: Organization | None,
    recognized: Sequence[int],
) -> Trust:
    rule = training_rule_of(dict(details)) or TrainingRule.SAME_NETWORK
    assert host.id is not None
    return Trust(
        rule=rule,
        host_id=host.id,
        network_id=network_of(host, parent),
        recognized=frozenset(recognized),
        listed=frozenset(details.get("training_labs") or ()),
    )


async def check_exchange(session: AsyncSession, exchange: Exchange) -> TrainingCheck | None:
    """The check of one exchange, read from the database; None when its listing needs none."""
    listing = await session.get(Listing, exchange.listing_id)
    if listing is None or not needs_check(listing.kind, listing.direction, listing.details):
        return None
    host = await session.get(Organization, exchange.owner_organization_id)
    assert host is not None
    parent = await session.get(Organization, host.parent_id) if host.parent_id else None
    trust = trust_of(listing.details, host, parent, await recognized_labs(session, host.id or 0))
    person_id = exchange.requested_by_id
    sharing = await sharing_members(session, exchange.requester_organization_id, host.id or 0)
    people = checked_people(person_id, sharing)
    trainings = await trainings_of_people(session, people) if people else []
    lab_ids = {t.lab_organization_id for t in trainings}
    labs = await session.exec(select(Organization).where(col(Organization.id).in_(lab_ids)))
    by_id = {lab.id or 0: lab for lab in labs.all()}
    return check(listing.details, trust, person_id, trainings, by_id, check_day(exchange))


async def acceptance_data(session: AsyncSession, exchange: Exchange) -> dict[str, Any] | None:
    """What the ACCEPTED event records: the check, when the host accepts without it satisfied."""
    result = await check_exchange(session, exchange)
    if result is None or result.satisfied:
        return None
    return {"training_check": result.summary()}


async def check_training_labs(session: AsyncSession, details: Mapping[str, Any]) -> None:
    """Every lab a listing names in `training_labs` exists; raises InvalidInput naming the first
    unknown one (nothing is written: the caller checks before its write)."""
    wanted = set(details.get("training_labs") or ())
    if not wanted:
        return
    query = select(Organization.id).where(col(Organization.id).in_(wanted))
    found = set((await session.exec(query)).all())
    if unknown := sorted(wanted - found):
        code = TrainingErrorCode.TRAINING_LAB_NOT_FOUND
        raise InvalidInput.one("details.training_labs", code, value=str(unknown[0]))


def _reason(
    training: Training, trust: Trust, lab: Organization | None, on: date
) -> CheckReason | None:
    if training.revoked_at is not None:
        return CheckReason.REVOKED
    if not is_valid(training, on):
        return CheckReason.EXPIRED
    if not trust.trusts(lab):
        return CheckReason.LAB_NOT_TRUSTED
    return None
