"""Errors the business rules raise; the GraphQL layer turns each into a typed result.

DomainError
 ├── InvalidInput     user-fixable input; carries one problem per field
 ├── NotFound         the object does not exist, or the viewer may not know it does
 ├── Conflict         the request contradicts the current state (a duplicate, a race)
 ├── NotAuthenticated no principal where one is needed
 └── NotAllowed       a principal without the right to do this

Every error and every field problem carries an `ErrorCode`: its member's name is the stable,
machine-readable code; its value is the English message template, `{value}` standing for the
number, date or id the error is about. The per-domain codes are in `core.error_codes`; the
generic ones of field validation are `InputErrorCode`, here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, unique
from typing import ClassVar


class ErrorCode(Enum):
    """Base of the code enums; a member's name is the code, its value the message template."""

    def message(self, value: str | None = None) -> str:
        """The template filled with `value` (a template without `{value}` is the message)."""
        template: str = self.value
        return template if value is None else template.format(value=value)


@unique
class InputErrorCode(ErrorCode):
    """Field validation, whatever the domain (most come from pydantic's error types)."""

    INVALID_INPUT = "Invalid input: {value}"
    REQUIRED = "Field required"
    TOO_SHORT = "String should have at least {value} characters"
    TOO_LONG = "String should have at most {value} characters"
    TOO_FEW_ITEMS = "List should have at least {value} items after validation"
    TOO_MANY_ITEMS = "List should have at most {value} items after validation"
    TOO_SMALL = "Input should be greater than or equal to {value}"
    NOT_ABOVE = "Input should be greater than {value}"
    TOO_LARGE = "Input should be less than or equal to {value}"
    NOT_BELOW = "Input should be less than {value}"
    TOO_MANY_DECIMALS = "Decimal input should have no more than {value} decimal places"
    TOO_MANY_DIGITS = "Decimal input should have no more than {value} digits in total"
    NOT_A_NUMBER = "Input should be a valid number"
    NOT_A_DATE = "Input should be a valid date"
    NOT_TEXT = "Input should be a valid string"
    NOT_A_BOOLEAN = "Input should be a valid boolean"
    NOT_A_LIST = "Input should be a valid list"
    NOT_AN_OBJECT = "Input should be a valid dictionary"
    NOT_ONE_OF = "Input should be {value}"
    BAD_FORMAT = "String should match pattern '{value}'"
    UNKNOWN_FIELD = "Extra inputs are not permitted"
    NOT_AN_ID = "not the id of a {value}"
    INVALID = "Invalid value"


@dataclass(frozen=True, init=False)
class FieldProblem:
    """One field that is wrong, named by its path in the input (``details.surfaceM2``)."""

    field: str
    code: ErrorCode
    message: str
    value: str | None
    """The number or date the code refers to (a bound, what is left), if any."""

    def __init__(
        self, field: str, code: ErrorCode, message: str | None = None, value: str | None = None
    ) -> None:
        object.__setattr__(self, "field", field)
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "message", code.message(value) if message is None else message)
        object.__setattr__(self, "value", value)


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    extension_code: ClassVar[str] = "DOMAIN_ERROR"
    """The top-level channel's `extensions.code` when the error travels there."""

    def __init__(
        self, code: ErrorCode, message: str | None = None, *, value: str | None = None
    ) -> None:
        self.code = code
        self.value = value
        self.message = code.message(value) if message is None else message
        super().__init__(self.message)


class InvalidInput(DomainError):
    extension_code = "INVALID_INPUT"

    def __init__(self, problems: list[FieldProblem], message: str | None = None) -> None:
        summary = "; ".join(f"{p.field}: {p.message}" for p in problems)
        super().__init__(InputErrorCode.INVALID_INPUT, message, value=summary)
        self.problems = problems

    @classmethod
    def one(
        cls, field: str, code: ErrorCode, message: str | None = None, *, value: str | None = None
    ) -> InvalidInput:
        return cls([FieldProblem(field, code, message, value)])


class NotFound(DomainError):
    extension_code = "NOT_FOUND"


class Conflict(DomainError):
    extension_code = "CONFLICT"


class NotAuthenticated(DomainError):
    extension_code = "UNAUTHENTICATED"


class NotAllowed(DomainError):
    extension_code = "FORBIDDEN"
