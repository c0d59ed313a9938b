"""What a client sends to publish or change a listing, validated before any write."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from core.error_codes import ListingErrorCode
from core.errors import FieldProblem
from core.models import Direction, ListingKind, ListingOrigin, ListingStatus, Terms, Visibility
from core.services.listing_details import validate_details
from core.services.taxonomy import categories
from core.services.validation import problems_of, refuse

MAX_TAG_CHARS = 50
Latitude = Field(default=None, ge=-90, le=90)
Longitude = Field(default=None, ge=-180, le=180)


class _Command(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ListingDraft(_Command):
    """A new listing. Location: a space, or coordinates, or a commune (any combination)."""

    ref: str | None = Field(default=None, min_length=1, max_length=200)
    direction: Direction
    kind: ListingKind
    title: str = Field(min_length=3, max_length=200)
    description: str = Field(default="", max_length=10_000)
    category: str | None = Field(default=None, max_length=100)
    tags: list[str] = Field(default_factory=list, max_length=30)
    space_id: int | None = None
    latitude: float | None = Latitude
    longitude: float | None = Longitude
    commune: str | None = Field(default=None, max_length=120)
    address: str = Field(default="", max_length=300)
    available_from: date | None = None
    available_until: date | None = None
    terms: Terms | None = None
    price_eur: Decimal | None = Field(default=None, ge=0, le=10_000_000, decimal_places=2)
    visibility: Visibility = Visibility.PUBLIC
    draft: bool = False
    details: dict[str, Any] = Field(default_factory=dict)
    origin: ListingOrigin = ListingOrigin.OWNER  # imports only: the API publishes as the owner
    source: str = Field(default="", max_length=500)

    @field_validator("tags")
    @classmethod
    def _clean_tags(cls, tags: list[str]) -> list[str]:
        return clean_tags(tags)

    @field_validator("available_until")
    @classmethod
    def _after_available_from(cls, until: date | None, info: ValidationInfo) -> date | None:
        # A field validator, not a cross-check: it is reported with the other fields' problems.
        if date_problems(info.data.get("available_from"), until):
            raise refuse(ListingErrorCode.DATES_OUT_OF_ORDER)
        return until

    def cross_check(self) -> list[FieldProblem]:
        details, details_problems = checked_details(self.kind, self.details, self.direction)
        self.details = details
        return details_problems + category_problems(self.kind, self.category)

    @property
    def status(self) -> ListingStatus:
        return ListingStatus.DRAFT if self.draft else ListingStatus.PUBLISHED


class ListingPatch(_Command):
    """Changes to a listing: only the fields given are changed; `null` clears an optional one."""

    title: str | None = Field(default=None, min_length=3, max_length=200)
    description: str | None = Field(default=None, max_length=10_000)
    category: str | None = Field(default=None, max_length=100)
    tags: list[str] | None = Field(default=None, max_length=30)
    space_id: int | None = None
    latitude: float | None = Latitude
    longitude: float | None = Longitude
    commune: str | None = Field(default=None, max_length=120)
    address: str | None = Field(default=None, max_length=300)
    available_from: date | None = None
    available_until: date | None = None
    terms: Terms | None = None
    price_eur: Decimal | None = Field(default=None, ge=0, le=10_000_000, decimal_places=2)
    visibility: Visibility | None = None
    status: ListingStatus | None = None
    details: dict[str, Any] | None = None

    @field_validator("tags")
    @classmethod
    def _clean_tags(cls, tags: list[str] | None) -> list[str] | None:
        return None if tags is None else clean_tags(tags)

    def cross_check(self) -> list[FieldProblem]:
        if self.title is None and "title" in self.model_fields_set:
            return [FieldProblem("title", ListingErrorCode.TITLE_REQUIRED)]
        return []


def category_problems(kind: ListingKind, code: str | None) -> list[FieldProblem]:
    """A category must be a code of the taxonomy, for the listing's kind."""
    if code is None:
        return []
    category = categories().get(code)
    if category is None:
        message = f"unknown category {code!r} (see Query.categories)"
        return [FieldProblem("category", ListingErrorCode.UNKNOWN_CATEGORY, message, code)]
    if category.kind != kind:
        message = f"{code!r} is a {category.kind.value} category"
        code_ = ListingErrorCode.CATEGORY_OF_ANOTHER_KIND
        return [FieldProblem("category", code_, message, category.kind.value)]
    return []


def clean_tags(tags: list[str]) -> list[str]:
    """Lower-cased, trimmed and unique, in the order given."""
    cleaned = list(dict.fromkeys(t.strip().lower() for t in tags if t.strip()))
    if any(len(t) > MAX_TAG_CHARS for t in cleaned):
        raise refuse(ListingErrorCode.TAG_TOO_LONG, str(MAX_TAG_CHARS))
    return cleaned


def past_problems(available_until: date | None, today: date) -> list[FieldProblem]:
    """Available only in the past: refused, or the listing would go live unavailable."""
    if available_until is not None and available_until < today:
        code, day = ListingErrorCode.AVAILABILITY_OVER, available_until.isoformat()
        return [FieldProblem("available_until", code, value=day)]
    return []


def date_problems(available_from: date | None, available_until: date | None) -> list[FieldProblem]:
    if available_from and available_until and available_until < available_from:
        return [FieldProblem("available_until", ListingErrorCode.DATES_OUT_OF_ORDER)]
    return []


def checked_details(
    kind: ListingKind, details: dict[str, Any] | None, direction: Direction = Direction.OFFER
) -> tuple[dict[str, Any], list[FieldProblem]]:
    """The kind's details normalized, or the problems found in them (named `details.<field>`)."""
    try:
        return validate_details(kind, details, direction), []
    except ValidationError as error:
        return details or {}, problems_of(error, within=("details",))
