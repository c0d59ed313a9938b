"""What a client sends to request an exchange or act on one, validated before any write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.errors import FieldProblem

MAX_MESSAGE_CHARS = 5000
MAX_PERIOD = timedelta(days=5 * 366)


class _Command(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def as_utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.astimezone(UTC)


class Period(_Command):
    """A half-open period [starts_at, ends_at): back-to-back periods do not overlap."""

    starts_at: datetime | None = None
    ends_at: datetime | None = None

    @field_validator("starts_at", "ends_at")
    @classmethod
    def _aware(cls, moment: datetime | None) -> datetime | None:
        if moment is not None and moment.tzinfo is None:
            raise ValueError("give a time zone offset, e.g. 2027-03-01T09:00:00+01:00")
        return as_utc(moment)

    def period_problems(self, *, now: datetime | None = None) -> list[FieldProblem]:
        if (self.starts_at is None) != (self.ends_at is None):
            missing = "ends_at" if self.ends_at is None else "starts_at"
            return [FieldProblem(missing, "a period needs both its start and its end")]
        if self.starts_at is None or self.ends_at is None:
            return []
        if self.ends_at <= self.starts_at:
            return [FieldProblem("ends_at", "ends before (or when) it starts")]
        if self.ends_at - self.starts_at > MAX_PERIOD:
            return [FieldProblem("ends_at", "a period lasts at most 5 years")]
        if self.ends_at <= (now or datetime.now(UTC)):
            return [FieldProblem("ends_at", "this period is already over")]
        return []

    @property
    def has_period(self) -> bool:
        return self.starts_at is not None and self.ends_at is not None


class ExchangeDraft(Period):
    """A request for an exchange on a listing, acting for one of the requester's organizations."""

    listing_id: int
    organization_id: int | None = None
    space_id: int | None = None
    quantity: Decimal | None = Field(default=None, gt=0, le=10_000_000, decimal_places=3)
    hours: Decimal | None = Field(default=None, gt=0, le=10_000, decimal_places=2)
    message: str = Field(default="", max_length=MAX_MESSAGE_CHARS)
    in_return: str = Field(default="", max_length=1000)

    def cross_check(self) -> list[FieldProblem]:
        return self.period_problems()


class RequiredPeriod(Period):
    """A command that is nothing without its period."""

    def cross_check(self) -> list[FieldProblem]:
        if not self.has_period:
            return [FieldProblem("starts_at", "give a start and an end")]
        return self.period_problems()


class PeriodProposal(RequiredPeriod):
    """The owner's counter-proposal: another period for the same request."""

    note: str = Field(default="", max_length=2000)


class Block(RequiredPeriod):
    """The owner takes a period off the listing's calendar (maintenance, own use)."""

    listing_id: int
    reason: str = Field(default="", max_length=300)


class Note(_Command):
    """An optional sentence with a transition: a reason, or the condition at handover/return."""

    note: str = Field(default="", max_length=2000)


class MessageDraft(_Command):
    body: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)
