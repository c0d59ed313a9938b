"""Checks on input from outside, and the bridge from pydantic errors to `InvalidInput`."""

from __future__ import annotations

import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from core.errors import FieldProblem, InvalidInput

M = TypeVar("M", bound=BaseModel)

LA_POSTE_SIREN = "356000000"  # La Poste's establishments follow their own checksum rule.


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def siret_problem(siret: str) -> str | None:
    """Why `siret` is not a valid SIRET, or None when it is."""
    if not re.fullmatch(r"\d{14}", siret):
        return "a SIRET has exactly 14 digits"
    if siret.startswith(LA_POSTE_SIREN):
        valid = sum(int(c) for c in siret) % 5 == 0
    else:
        valid = luhn_valid(siret) and luhn_valid(siret[:9])
    return None if valid else "the SIRET's check digit is wrong (Luhn)"


def normalize_siret(value: str) -> str:
    return re.sub(r"[\s.]", "", value)


def parse(model: type[M], data: dict[str, Any]) -> M:
    """Validate `data` into `model`, then its `cross_check()`; every problem names its field."""
    try:
        command = model.model_validate(data)
    except ValidationError as error:
        raise InvalidInput([_problem(e) for e in error.errors(include_url=False)]) from None
    cross_check = getattr(command, "cross_check", None)
    if cross_check is not None and (problems := cross_check()):
        raise InvalidInput(problems)
    return command


def _problem(error: Any) -> FieldProblem:
    field = ".".join(str(part) for part in error["loc"]) or "input"
    message = str(error["msg"]).removeprefix("Value error, ")
    return FieldProblem(field, message)
