"""Resolvers graphql-core calls directly: what a field costs is what it reads.

Strawberry wraps every field: a field without a resolver reads its attribute through two calls of
its own, and one with a resolver builds an `Info`, converts its arguments and chains its
extensions, on every object of a page. A page of 50 listings resolves some 340 fields, so that
wrapping was a good part of its cost (issue 14).

`install(schema)`, once per schema:
- a plain field (no resolver, no extension) reads its attribute with one call;
- a field registered here (`register`) is resolved by its function, `(source, info) -> value`,
  where `info` is graphql-core's (`info.context` is the request's `Context`). A type backed by a
  row (`Listing`) registers how each field reads its row, so nothing is converted until a query
  selects it. Only fields without arguments, permission classes or field extensions may be
  registered: what Strawberry would have done for them is reading the value, nothing more; the
  Strawberry declaration stays the reference (the SDL, the type, the description).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from operator import attrgetter
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
)
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField
from strawberry.utils.str_converters import to_camel_case

Resolver = Callable[[Any, Any], Any]
Coercion = Callable[[Any], Any]
BACKREF = GraphQLCoreConverter.DEFINITION_BACKREF

_REGISTERED: dict[str, dict[str, Resolver]] = {}


def register(type_name: str, resolvers: Mapping[str, Resolver]) -> None:
    """Resolve these fields of the GraphQL type `type_name` (GraphQL names) with these functions."""
    _REGISTERED.setdefault(type_name, {}).update(resolvers)


PLAIN_LEAVES = "entrelieux_plain_leaves"
"""The key, in a GraphQL object type's `extensions`, of its fields that `execute_fields`
(`schema/execution.py`) may complete without graphql-core's machinery: name → (resolver,
coercion of its scalar or enum, non-null)."""


def attribute(name: str) -> Resolver:
    """Reads `source.<name>`."""

    def resolve(source: Any, _info: Any) -> Any:
        return getattr(source, name)

    resolve.plain = True  # type: ignore[attr-defined]
    return resolve


def install(schema: GraphQLSchema) -> None:
    """Give the fields of `schema` their direct resolvers; raises on a registered field that
    does not exist or that Strawberry must keep resolving (it has arguments or extensions)."""
    for type_name, resolvers in _REGISTERED.items():
        graphql_type = schema.type_map.get(type_name)
        if not isinstance(graphql_type, GraphQLObjectType):
            raise LookupError(f"fast resolvers for {type_name}, which is not an object type")
        for name, resolver in resolvers.items():
            field = graphql_type.fields.get(name)
            definition = (
                field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF) if field else None
            )
            if field is None or not isinstance(definition, StrawberryField):
                raise LookupError(f"fast resolver for {type_name}.{name}, which does not exist")
            if field.args or definition.extensions or definition.permission_classes:
                raise ValueError(f"{type_name}.{name} has arguments or extensions: keep it")
            field.resolve = resolver
    for graphql_type in schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
            continue
        registered = _REGISTERED.get(graphql_type.name, {})
        for name, field in graphql_type.fields.items():
            definition = field.extensions.get(BACKREF)
            plain = getattr(field.resolve, "__name__", "") == "_get_basic_result"
            if name not in registered and plain and isinstance(definition, StrawberryField):
                field.resolve = attribute(definition.python_name)
        graphql_type.extensions = {**graphql_type.extensions, PLAIN_LEAVES: _leaves(graphql_type)}


def _leaves(graphql_type: GraphQLObjectType) -> dict[str, tuple[Resolver, Coercion, bool]]:
    """The fields of a type that read a value without `info` (`plain`), take no argument and
    are a scalar or an enum (null or not): what `execute_fields` completes itself."""
    leaves: dict[str, tuple[Resolver, Coercion, bool]] = {}
    for name, field in graphql_type.fields.items():
        non_null = isinstance(field.type, GraphQLNonNull)
        named = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
        plain = getattr(field.resolve, "plain", False)
        if plain and not field.args and isinstance(named, GraphQLScalarType | GraphQLEnumType):
            assert field.resolve is not None
            leaves[name] = (field.resolve, named.coerce_output_value, non_null)
    return leaves


class RowBacked:
    """A GraphQL object over a database row, whose fields are read from the row when a query
    selects them (`rows`), not copied when the object is made.

    A subclass (a `strawberry.type` with a `row: strawberry.Private[Any]`) registers how each
    of its fields reads the row with `rows`; its `from_row` sets `row` and the private keys its
    resolvers use, with `new`. Python code reading a field (a test, another resolver) reads the
    same value through a property `rows` sets on the class once Strawberry has made it (no
    `__getattr__`: graphql-core and Strawberry probe objects for attributes they do not have,
    and a Python `__getattr__` would make each probe raise).
    """

    @classmethod
    def new(cls, row: Any, **private: Any) -> Any:
        made = cls.__new__(cls)
        made.__dict__.update(private, row=row)
        return made


def rows(cls: type[RowBacked], type_name: str, reads: Mapping[str, Callable[[Any], Any]]) -> None:
    """Register `reads` (Python field names, each a function of the row) as the direct resolvers
    of the row-backed GraphQL type `type_name` (the Strawberry type `cls`), and as properties of
    `cls`."""
    register(type_name, {to_camel_case(name): _of_row(read) for name, read in reads.items()})
    for name, read in reads.items():
        setattr(cls, name, property(_reader(read)))


def _reader(read: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def get(self: Any) -> Any:
        return read(self.row)

    return get


def column(name: str) -> Callable[[Any], Any]:
    """Reads one column of the row, as is."""
    return attrgetter(name)


def _of_row(read: Callable[[Any], Any]) -> Resolver:
    def resolve(source: Any, _info: Any) -> Any:
        return read(source.row)

    resolve.plain = True  # type: ignore[attr-defined]
    return resolve
