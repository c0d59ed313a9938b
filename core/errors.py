"""Errors the business rules raise; the GraphQL layer turns each into a typed result.

DomainError
 ├── InvalidInput     user-fixable input; carries one message per field
 ├── NotFound         the object does not exist, or the viewer may not know it does
 ├── Conflict         the request contradicts the current state (a duplicate, a race)
 ├── NotAuthenticated no principal where one is needed
 └── NotAllowed       a principal without the right to do this
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldProblem:
    """One field that is wrong, named by its path in the input (``details.surfaceM2``)."""

    field: str
    message: str


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    code = "DOMAIN_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(DomainError):
    code = "INVALID_INPUT"

    def __init__(self, problems: list[FieldProblem], message: str | None = None) -> None:
        summary = "; ".join(f"{p.field}: {p.message}" for p in problems)
        super().__init__(message or f"Invalid input: {summary}")
        self.problems = problems

    @classmethod
    def one(cls, field: str, message: str) -> InvalidInput:
        return cls([FieldProblem(field, message)])


class NotFound(DomainError):
    code = "NOT_FOUND"


class Conflict(DomainError):
    code = "CONFLICT"


class NotAuthenticated(DomainError):
    code = "UNAUTHENTICATED"

    def __init__(self, message: str = "You must be signed in to do this.") -> None:
        super().__init__(message)


class NotAllowed(DomainError):
    code = "FORBIDDEN"
