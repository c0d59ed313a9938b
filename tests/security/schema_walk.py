"""Every place a root field takes a value of some scalar: built from the schema, never listed.

A `Slot` is one argument of a `Query` or `Mutation` field, or one field of an input object under
it (`listingPublish(input.spaceId)`), of the scalar asked for (`ID`, `String`, `Int`...).
`request` writes the operation that sends a value there: the slot's argument and every required
one as variables, the other required values filled with plain, valid-looking defaults.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    get_named_type,
    is_leaf_type,
    is_non_null_type,
)

from core.settings import Settings
from schema.build import build_schema
from schema.relay import to_global_id

DEFAULTS: dict[str, Any] = {
    "String": "x",
    "Int": 1,
    "Float": 1.0,
    "Boolean": False,
    "Date": "2026-06-01",
    "DateTime": "2026-06-01T09:00:00+00:00",
    "Decimal": "1",
    "JSON": {},
}


@dataclass(frozen=True)
class Slot:
    root: str
    """`Query` or `Mutation`."""
    field: str
    path: tuple[str, ...]
    """The argument, then the input fields down to the slot."""

    def __str__(self) -> str:
        return f"{self.root}.{self.field}({'.'.join(self.path)})"

    @property
    def variable_path(self) -> str:
        """How a refusal names it: `$input.title`."""
        return "$" + ".".join(self.path)

    def node_types(self, known: set[str]) -> set[str]:
        """The types of `known` the slot may name: those sharing a word with its field or path
        (`listingPhotoUpdate(id)`: Listing, Photo, ListingReport); all of them when none does."""
        words = _words(self.field, *self.path) - {"id"}
        return {name for name in known if _words(name) & words} or known


def _words(*names: str) -> set[str]:
    return {w.lower() for name in names for w in re.findall(r"[A-Za-z][a-z0-9]*", name)}


KNOWN_TYPES_IN = re.compile(r'(?:expect_id|input_id|to_global_id|_pk)\([^()]*"([A-Z][A-Za-z]+)"')


def node_type_names() -> set[str]:
    """Every type name the schema's code puts in or reads from a global id."""
    folder = Path(__file__).parents[2] / "schema"
    return {m for path in folder.glob("*.py") for m in KNOWN_TYPES_IN.findall(path.read_text())}


def graphql_schema() -> GraphQLSchema:
    return build_schema(Settings())._schema


def slots(schema: GraphQLSchema, scalars: set[str]) -> list[Slot]:
    found: list[Slot] = []
    for root in (schema.query_type, schema.mutation_type):
        assert isinstance(root, GraphQLObjectType)
        for name, field in root.fields.items():
            if _needs_upload(field):
                continue  # only a multipart request can send it
            for argument_name, argument in field.args.items():
                for path in _paths(argument.type, scalars, depth=0):
                    found.append(Slot(root.name, name, (argument_name, *path)))
    return found


def _paths(type_: GraphQLInputType, scalars: set[str], depth: int) -> list[tuple[str, ...]]:
    named = get_named_type(type_)
    if isinstance(named, GraphQLScalarType):
        return [()] if named.name in scalars else []
    if not isinstance(named, GraphQLInputObjectType) or depth > 3:
        return []
    return [
        (name, *rest)
        for name, field in named.fields.items()
        for rest in _paths(field.type, scalars, depth + 1)
    ]


def _needs_upload(field: GraphQLField) -> bool:
    return any(_required_upload(argument) for argument in field.args.values())


def _required_upload(argument: GraphQLArgument | GraphQLInputField) -> bool:
    if not is_non_null_type(argument.type):
        return False
    named = get_named_type(argument.type)
    if isinstance(named, GraphQLInputObjectType):
        return any(_required_upload(field) for field in named.fields.values())
    return named.name == "Upload"


def request(schema: GraphQLSchema, slot: Slot, value: Any) -> tuple[str, dict[str, Any]]:
    """The operation sending `value` at `slot`, and its variables."""
    root = schema.query_type if slot.root == "Query" else schema.mutation_type
    assert root is not None
    field = root.fields[slot.field]
    names = [n for n, a in field.args.items() if n == slot.path[0] or is_non_null_type(a.type)]
    variables = {
        name: _fill(field.args[name].type, slot.path[1:] if name == slot.path[0] else None, value)
        for name in names
    }
    declared = ", ".join(f"${n}: {field.args[n].type}" for n in names)
    passed = ", ".join(f"{n}: ${n}" for n in names)
    selection = "" if is_leaf_type(get_named_type(field.type)) else " { __typename }"
    operation = slot.root.lower()
    document = f"{operation} Probe({declared}) {{ {slot.field}({passed}){selection} }}"
    return document, variables


def _fill(type_: GraphQLInputType, rest: tuple[str, ...] | None, value: Any) -> Any:
    """A value of `type_`; with `rest` (the path to the slot below), `value` put there."""
    if isinstance(type_, GraphQLNonNull):
        return _fill(type_.of_type, rest, value)
    if isinstance(type_, GraphQLList):
        return [_fill(type_.of_type, rest, value)]
    if rest == ():
        return value
    if isinstance(type_, GraphQLInputObjectType):
        return {
            name: _fill(field.type, rest[1:] if rest and rest[0] == name else None, value)
            for name, field in type_.fields.items()
            if (rest and rest[0] == name) or is_non_null_type(field.type)
        }
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if type_.name == "ID":
        return to_global_id("Listing", 1)
    return DEFAULTS[type_.name]
