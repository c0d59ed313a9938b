"""Dates and instants as the API accepts them: ISO 8601, within the years the product can hold.

Python's dates stop at 9999-12-31, so "the day after" the last one overflows; a calendar or a
booking a century away is a typing mistake, never a plan. Both are refused while the arguments are
read, naming the argument, before any resolver runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from graphql import GraphQLError
from strawberry.types.scalar import ScalarDefinition

EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2199, 12, 31)
_BOUNDS = f"between {EARLIEST.isoformat()} and {LATEST.isoformat()}"


def _refused(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_USER_INPUT"})


def _within(kind: str, parse: Callable[[str], dt.date]) -> Callable[[object], object]:
    def inner(value: object) -> object:
        if not isinstance(value, str):
            raise _refused(f"{kind} must be a string in ISO 8601 format.")
        try:
            parsed = parse(value)
        except (ValueError, OverflowError):
            raise _refused(f"{kind} must be in ISO 8601 format, like 2026-12-31.") from None
        day = parsed.date() if isinstance(parsed, dt.datetime) else parsed
        if not EARLIEST <= day <= LATEST:
            raise _refused(f"{kind} must be {_BOUNDS}.")
        return parsed

    return inner


def _isoformat(value: object) -> str:
    assert isinstance(value, dt.date)
    return value.isoformat()


DATE = ScalarDefinition(
    name="Date",
    description=f"A calendar day in ISO 8601 (`2026-12-31`), {_BOUNDS}.",
    specified_by_url=None,
    serialize=_isoformat,
    parse_value=_within("A date", dt.date.fromisoformat),
    parse_literal=None,
    origin=dt.date,
)
DATE_TIME = ScalarDefinition(
    name="DateTime",
    description=f"An instant in ISO 8601 with its offset (`2026-12-31T09:00:00+01:00`), {_BOUNDS}.",
    specified_by_url=None,
    serialize=_isoformat,
    parse_value=_within("A date and time", dt.datetime.fromisoformat),
    parse_literal=None,
    origin=dt.datetime,
)
SCALAR_OVERRIDES: dict[object, ScalarDefinition] = {dt.date: DATE, dt.datetime: DATE_TIME}
