"""Checks on input from outside, and the bridge from pydantic errors to `InvalidInput`.

A pydantic error becomes a `FieldProblem` with pydantic's own message and a code: the
`InputErrorCode` of its error type (the bound from its context as `value`), or, for a rule of ours,
the code it was raised with (`refuse`, a `PydanticCustomError` named after the code).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError

from core.error_codes import BY_NAME, OrganizationErrorCode
from core.errors import ErrorCode, FieldProblem, InputErrorCode, InvalidInput

M = TypeVar("M", bound=BaseModel)

LA_POSTE_SIREN = "356000000"  # La Poste's establishments follow their own checksum rule.

_NUMBER = ("int_", "float_", "decimal_", "finite_number")
_DATE = ("date", "time")

# Pydantic's error type → our code, and the context key of the bound it names.
_BY_TYPE: dict[str, tuple[InputErrorCode, str | None]] = {
    "missing": (InputErrorCode.REQUIRED, None),
    "string_too_short": (InputErrorCode.TOO_SHORT, "min_length"),
    "string_too_long": (InputErrorCode.TOO_LONG, "max_length"),
    "too_short": (InputErrorCode.TOO_FEW_ITEMS, "min_length"),
    "too_long": (InputErrorCode.TOO_MANY_ITEMS, "max_length"),
    "greater_than_equal": (InputErrorCode.TOO_SMALL, "ge"),
    "greater_than": (InputErrorCode.NOT_ABOVE, "gt"),
    "less_than_equal": (InputErrorCode.TOO_LARGE, "le"),
    "less_than": (InputErrorCode.NOT_BELOW, "lt"),
    "decimal_max_places": (InputErrorCode.TOO_MANY_DECIMALS, "decimal_places"),
    "decimal_max_digits": (InputErrorCode.TOO_MANY_DIGITS, "max_digits"),
    "string_type": (InputErrorCode.NOT_TEXT, None),
    "string_pattern_mismatch": (InputErrorCode.BAD_FORMAT, "pattern"),
    "enum": (InputErrorCode.NOT_ONE_OF, "expected"),
    "literal_error": (InputErrorCode.NOT_ONE_OF, "expected"),
    "bool_parsing": (InputErrorCode.NOT_A_BOOLEAN, None),
    "bool_type": (InputErrorCode.NOT_A_BOOLEAN, None),
    "list_type": (InputErrorCode.NOT_A_LIST, None),
    "dict_type": (InputErrorCode.NOT_AN_OBJECT, None),
    "model_type": (InputErrorCode.NOT_AN_OBJECT, None),
    "extra_forbidden": (InputErrorCode.UNKNOWN_FIELD, None),
}


def refuse(code: ErrorCode, value: str | None = None) -> PydanticCustomError:
    """What a validator of ours raises: pydantic reports it with its code (and value) intact."""
    context = None if value is None else {"value": value}
    return PydanticCustomError(code.name, code.value, context)


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def siret_problem(siret: str) -> OrganizationErrorCode | None:
    """Why `siret` is not a valid SIRET, or None when it is."""
    if not re.fullmatch(r"\d{14}", siret):
        return OrganizationErrorCode.SIRET_NOT_14_DIGITS
    if siret.startswith(LA_POSTE_SIREN):
        valid = sum(int(c) for c in siret) % 5 == 0
    else:
        valid = luhn_valid(siret) and luhn_valid(siret[:9])
    return None if valid else OrganizationErrorCode.SIRET_CHECK_DIGIT


def normalize_siret(value: str) -> str:
    return re.sub(r"[\s.]", "", value)


def parse(model: type[M], data: dict[str, Any]) -> M:
    """Validate `data` into `model`, then its `cross_check()`; every problem names its field."""
    try:
        command = model.model_validate(data)
    except ValidationError as error:
        raise InvalidInput(problems_of(error)) from None
    cross_check = getattr(command, "cross_check", None)
    if cross_check is not None and (problems := cross_check()):
        raise InvalidInput(problems)
    return command


def problems_of(error: ValidationError, within: Sequence[str] = ()) -> list[FieldProblem]:
    """One problem per pydantic error, its field path under `within` (e.g. `details`)."""
    return [_problem(e, within) for e in error.errors(include_url=False)]


def _problem(error: ErrorDetails, within: Iterable[str]) -> FieldProblem:
    field = ".".join([*within, *(str(part) for part in error["loc"])]) or "input"
    message = str(error["msg"]).removeprefix("Value error, ")
    context = error.get("ctx") or {}
    if (ours := BY_NAME.get(error["type"])) is not None:
        return FieldProblem(field, ours, message, _text(context.get("value")))
    code, bound = _BY_TYPE.get(error["type"]) or _by_family(error["type"])
    return FieldProblem(field, code, message, _text(context.get(bound)) if bound else None)


def _by_family(error_type: str) -> tuple[InputErrorCode, str | None]:
    if error_type.startswith(_NUMBER):
        return InputErrorCode.NOT_A_NUMBER, None
    if error_type.startswith(_DATE):
        return InputErrorCode.NOT_A_DATE, None
    return InputErrorCode.INVALID, None


def _text(value: object) -> str | None:
    return None if value is None else str(value)
