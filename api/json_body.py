"""A request's JSON, read strictly: bounded nesting, real numbers, valid UTF-8.

Python's `json` recurses once per level: a body nested 50,000 deep ends in a `RecursionError`
(a 500 and a traceback each time), and one nested a few hundred deep would reach the resolvers.
`NaN`, `Infinity` and a number too large for a float (`1e400`) are not JSON numbers and would
come in as floats no range check refuses; an integer of thousands of digits costs quadratic time
to read, then fails converting to a float. Each is a `BodyRefused`: a 400 for a request, a
closed socket (4400) for a WebSocket message.
"""

from __future__ import annotations

import json
import math


class BodyRefused(json.JSONDecodeError):
    """The body is not JSON the API reads; its message says why, for the client. A
    `JSONDecodeError`, so that Strawberry's WebSocket handler closes the socket as for any
    message that is not JSON."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "", 0)
        self.reason = message

    def __str__(self) -> str:
        return self.reason


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise BodyRefused(f"The number {text[:40]} is too large.")
    return number


def _integer(text: str) -> int:
    """Integers of at most 20 digits: every Int the API reads fits in 32 bits, and a longer one
    costs quadratic time to read (Python refuses more than 4,300 digits with a ValueError)."""
    if len(text.lstrip("-")) > 20:
        raise BodyRefused(f"The number {text[:40]}... is too large.")
    return int(text)


def _no_constant(name: str) -> object:
    raise BodyRefused(f"{name} is not a JSON number.")


def _deeper_than(value: object, limit: int) -> bool:
    """Whether `value` nests more than `limit` arrays or objects (walked level by level)."""
    level, depth = [value], 0
    while containers := [item for item in level if isinstance(item, dict | list)]:
        depth += 1
        if depth > limit:
            return True
        level = [
            child
            for container in containers
            for child in (container.values() if isinstance(container, dict) else container)
        ]
    return False


def decode(data: str | bytes, max_depth: int) -> object:
    """The JSON value of `data`, or `BodyRefused`."""
    try:
        value = json.loads(
            data, parse_float=_finite, parse_int=_integer, parse_constant=_no_constant
        )
    except BodyRefused:
        raise
    except RecursionError:
        raise BodyRefused(f"The JSON nests deeper than {max_depth} levels.") from None
    except UnicodeDecodeError:
        raise BodyRefused("The body is not valid UTF-8.") from None
    except json.JSONDecodeError as error:
        raise BodyRefused(f"The body is not valid JSON: {error.msg}.") from None
    if _deeper_than(value, max_depth):
        raise BodyRefused(f"The JSON nests deeper than {max_depth} levels.")
    return value
