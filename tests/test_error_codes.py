"""The error catalogue: unique codes, every raise site naming one, the SDL and docs in step."""

import ast
import string
from collections import Counter
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core.error_codes import BY_NAME, CATALOGUE, ListingErrorCode, OrganizationErrorCode
from core.errors import ErrorCode, FieldProblem, InputErrorCode, InvalidInput, NotFound
from core.services.validation import parse, problems_of, refuse
from core.settings import Settings
from schema import error_docs
from schema.build import build_schema

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "search", "schema", "api")
ERRORS = {"DomainError", "InvalidInput", "NotFound", "Conflict", "NotAuthenticated", "NotAllowed"}


def test_code_names_are_unique_across_every_enum() -> None:
    names = Counter(code.name for codes in CATALOGUE for code in codes)
    assert [name for name, count in names.items() if count > 1] == []
    assert set(BY_NAME) == set(names)


def test_the_catalogue_holds_every_code_enum() -> None:
    def subclasses(cls: type[ErrorCode]) -> set[type[ErrorCode]]:
        return {c for sub in cls.__subclasses__() for c in {sub, *subclasses(sub)}}

    assert subclasses(ErrorCode) == set(CATALOGUE)


def test_a_template_takes_at_most_a_value() -> None:
    for codes in CATALOGUE:
        for code in codes:
            fields = {f for _, f, _, _ in string.Formatter().parse(code.value) if f is not None}
            assert fields <= {"value"}, code
            assert code.message("7") == code.value.replace("{value}", "7")


def test_a_message_defaults_to_the_template_filled_with_the_value() -> None:
    error = NotFound(ListingErrorCode.LISTING_NOT_FOUND, value="12")
    assert (error.code, error.message) == (
        ListingErrorCode.LISTING_NOT_FOUND,
        "No listing with id 12.",
    )
    problem = FieldProblem("available_until", ListingErrorCode.DATES_OUT_OF_ORDER)
    assert problem.message == "is before available_from"
    assert InvalidInput([problem]).code is InputErrorCode.INVALID_INPUT


class _Sample(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=2, max_length=5)
    count: int = Field(default=0, ge=1, le=9)
    ratio: int = Field(default=1, gt=0)
    siret: str = ""

    @field_validator("siret")
    @classmethod
    def _siret(cls, value: str) -> str:
        if value:
            raise refuse(OrganizationErrorCode.SIRET_NOT_14_DIGITS)
        return value


@pytest.mark.parametrize(
    ("data", "field", "code", "value"),
    [
        ({}, "name", InputErrorCode.REQUIRED, None),
        ({"name": "a"}, "name", InputErrorCode.TOO_SHORT, "2"),
        ({"name": "abcdef"}, "name", InputErrorCode.TOO_LONG, "5"),
        ({"name": "ab", "count": 0}, "count", InputErrorCode.TOO_SMALL, "1"),
        ({"name": "ab", "count": 10}, "count", InputErrorCode.TOO_LARGE, "9"),
        ({"name": "ab", "count": "x"}, "count", InputErrorCode.NOT_A_NUMBER, None),
        ({"name": "ab", "ratio": 0}, "ratio", InputErrorCode.NOT_ABOVE, "0"),
        ({"name": "ab", "extra": 1}, "extra", InputErrorCode.UNKNOWN_FIELD, None),
        ({"name": 3}, "name", InputErrorCode.NOT_TEXT, None),
        ({"name": "ab", "siret": "1"}, "siret", OrganizationErrorCode.SIRET_NOT_14_DIGITS, None),
    ],
)
def test_pydantic_errors_come_with_a_code_and_their_bound(
    data: dict[str, object], field: str, code: ErrorCode, value: str | None
) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse(_Sample, data)
    [problem] = [p for p in raised.value.problems if p.field == field]
    assert (problem.code, problem.value) == (code, value)


def test_a_validator_of_ours_keeps_its_message() -> None:
    with pytest.raises(ValidationError) as raised:
        _Sample.model_validate({"name": "ab", "siret": "1"})
    [problem] = problems_of(raised.value, within=("organization",))
    assert problem == FieldProblem(
        "organization.siret",
        OrganizationErrorCode.SIRET_NOT_14_DIGITS,
        "a SIRET has exactly 14 digits",
    )


def _python_files() -> list[Path]:
    return [
        path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
    ]


def _uncoded(call: ast.Call) -> bool:
    """A call that gives a message where the code goes (or nothing at all)."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    receiver = getattr(func, "value", None)
    if name == "one" and getattr(receiver, "id", "") == "InvalidInput":  # .one(field, code, …)
        position = 1
    elif name in ERRORS - {"InvalidInput"} or name == "FieldProblem":
        position = 1 if name == "FieldProblem" else 0
    else:
        return False
    if len(call.args) <= position:
        return not any(k.arg == "code" for k in call.keywords)
    return isinstance(call.args[position], ast.Constant | ast.JoinedStr)


def test_every_raise_site_names_a_code() -> None:
    found = []
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _uncoded(node):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []


def test_validators_of_the_services_refuse_with_a_code() -> None:
    found = []
    for path in sorted((ROOT / "core" / "services").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            call = node.exc if isinstance(node, ast.Raise) else None
            if isinstance(call, ast.Call) and getattr(call.func, "id", "") == "ValueError":
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []


def test_the_checker_finds_a_raise_without_a_code() -> None:
    tree = ast.parse(
        'raise NotFound("No such thing.")\nraise NotAuthenticated()\nInvalidInput.one("f", f"{x}")'
    )
    assert [_uncoded(node) for node in ast.walk(tree) if isinstance(node, ast.Call)] == [
        True,
        True,
        True,
    ]


def test_every_code_enum_is_a_graphql_enum_described_by_its_messages() -> None:
    schema = build_schema(Settings())._schema
    for codes in CATALOGUE:
        enum = schema.get_type(codes.__name__)
        assert enum is not None, codes.__name__
        described = {name: value.description for name, value in enum.values.items()}
        assert described == {code.name: code.value for code in codes}


def test_the_committed_catalogue_in_docs_matches_the_enums() -> None:
    text = error_docs.DOC.read_text(encoding="utf-8")
    assert error_docs.with_catalogue(text) == text, (
        "The error codes changed: run `make schema` to rewrite docs/ERRORS.md."
    )
    for codes in CATALOGUE:
        for code in codes:
            assert f"`{code.name}`" in text
