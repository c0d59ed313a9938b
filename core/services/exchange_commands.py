"""What a client sends to request an exchange or act on one, validated before any write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.error_codes import ExchangeErrorCode
from core.errors import FieldProblem
from core.services.validation import refuse

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
            raise refuse(ExchangeErrorCode.NO_TIME_ZONE)
        return as_utc(moment)

    def period_problems(self, *, now: datetime | None = None) -> list[FieldProblem]:
        if (self.starts_at is None) != (self.ends_at is None):
            missing = "ends_at" if self.ends_at is None else "starts_at"
            return [FieldProblem(missing, ExchangeErrorCode.PERIOD_INCOMPLETE)]
        if self.starts_at is None or self.ends_at is None:
            return []
        if self.ends_at <= self.starts_at:
            return [FieldProblem("ends_at", ExchangeErrorCode.ENDS_BEFORE_START)]
        if self.ends_at - self.starts_at > MAX_PERIOD:
            return [FieldProblem("ends_at", ExchangeErrorCode.PERIOD_TOO_LONG)]
        if self.ends_at <= (now or datetime.now(UTC)):
            return [FieldProblem("ends_at", ExchangeErrorCode.PERIOD_OVER)]
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
            return [FieldProblem("starts_at", ExchangeErrorCode.PERIOD_REQUIRED)]
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
