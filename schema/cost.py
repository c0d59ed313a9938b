"""What a request's document costs, measured on the parsed document before anything else reads it.

One walk of each operation, fragments expanded but each fragment measured once (memoized by name
and the page size it is spread under), so the measure is linear in the document's size: a
"fragment bomb" (`fragment F1 on Query {...F0 ...F0}` ... 25 levels, 2^25 fields once expanded,
under 1 KB) is measured in microseconds and refused before graphql-core's validation rules,
which walk every expanded spread, ever see it. A fragment that spreads itself is refused.

The measure of a document:
- **cost**: every field costs 1, or its weight in `WEIGHTS` (the fields that call Meilisearch or
  scan); a field's selection is added once, except for a list: its items' selection counts once
  per item. The items of a page (`edges`, `hits`, `nodes` of the type a paginated field returns,
  or the list a paginated field returns itself) are the page size the paginated field asks for:
  its `first` or `last` (a literal or a variable, else the argument's default, `SearchInput.first`
  for `search`), at most the page limit (`GRAPHQL_MAX_PAGE_SIZE`: a larger one is refused by the
  field itself). Any other list of objects counts `LIST_SIZES` items (`DEFAULT_LIST_SIZE` unless
  named there). So `{ listings(first: 100) { edges { node { title } } } }` costs
  1 + 1 + 100 × (1 + 1) = 202.
- **depth**: how deep fields nest, as Strawberry's depth limiter counted it: a root field with a
  selection is 1 deep, `{ a { b { c } } }` is 2; introspection fields (`__schema`) are not counted.
- **aliases** and **fields**: how many aliased fields and fields the expanded document holds (a
  fragment spread twice counts twice; pages do not multiply them).

A document's measure sums its operations (the deepest for `depth`); fragments no operation spreads
count in `fields` too, since validation walks them all the same. `schema/request_limits.py`
compares it with the settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    NullValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
)

SEARCH = 20
"""A Meilisearch search, and loading its hits back from the database."""
SCAN = 5
"""A statement that reads many rows to answer a few: a window of days, GROUP BY figures."""

WEIGHTS: dict[str, int] = {
    "Query.search": SEARCH,
    "Query.communes": SEARCH,
    "Listing.matches": SEARCH,
    # a calendar window (up to 366 days), a territory's or a network's figures, the impact report
    "Listing.availability": SCAN,
    "Listing.calendar": SCAN,
    "SpaceConnection.typologyCounts": SCAN,
    "Territory.placesByTypology": SCAN,
    "Territory.places": SCAN,
    "Territory.organizations": SCAN,
    "Territory.listings": SCAN,
    "Territory.premises": SCAN,
    "Territory.exchanges": SCAN,
    "Territory.impact": SCAN,
    "Query.impact": SCAN,
    "Query.networkDesk": 2 * SCAN,
}
"""The fields that cost more than 1, by `Type.field`: what one call does, in database-row units."""

SEARCHED_WHEN: dict[str, frozenset[str]] = {
    "Query.spaces": frozenset({"text", "near", "nearCommune"}),
}
"""Fields that go to Meilisearch (and cost `SEARCH`) when their `filter` has one of these."""

DEFAULT_LIST_SIZE = 10
LIST_SIZES: dict[str, int] = {"Listing.photos": 8, "Exchange.photos": 16}
"""How many items a list of objects that is not a page counts: bounded by the domain, not asked."""

PAGE_ARGUMENTS = ("first", "last")


@dataclass(frozen=True)
class Measure:
    cost: int = 0
    depth: int = 0
    aliases: int = 0
    fields: int = 0

    def __add__(self, other: Measure) -> Measure:
        return Measure(
            self.cost + other.cost,
            max(self.depth, other.depth),
            self.aliases + other.aliases,
            self.fields + other.fields,
        )


class FragmentCycleError(Exception):
    """A fragment spreads itself, directly or through others."""

    def __init__(self, name: str) -> None:
        super().__init__(f"Cannot spread fragment '{name}' within itself.")
        self.name = name


def measure(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Mapping[str, Any] | None,
    max_page_size: int,
) -> Measure:
    """The measure of every operation of the document (and of the fragments none spreads)."""
    walk = _Walk(schema, document, variables or {}, max_page_size)
    total = Measure()
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            walk.variable_defaults(definition)
            root = schema.get_root_type(definition.operation)
            total += walk.selections(definition.selection_set, root, None)
    for name in walk.fragments.keys() - walk.spread:
        total += Measure(fields=walk.fragment(name, None).fields)
    return total


class _Walk:
    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        variables: Mapping[str, Any],
        max_page_size: int,
    ) -> None:
        self.schema = schema
        self.variables = dict(variables)
        self.max_page_size = max_page_size
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.spread: set[str] = set()
        self.memo: dict[tuple[str, int | None], Measure] = {}
        self.in_progress: set[str] = set()

    def variable_defaults(self, operation: OperationDefinitionNode) -> None:
        for definition in operation.variable_definitions or ():
            name = definition.variable.name.value
            if name not in self.variables and isinstance(definition.default_value, IntValueNode):
                self.variables[name] = int(definition.default_value.value)

    def fragment(self, name: str, page: int | None) -> Measure:
        key = (name, page)
        if key in self.memo:
            return self.memo[key]
        if name in self.in_progress:
            raise FragmentCycleError(name)
        definition = self.fragments.get(name)
        if definition is None:
            return Measure()  # unknown: validation names it
        self.in_progress.add(name)
        parent = self.schema.get_type(definition.type_condition.name.value)
        result = self.selections(definition.selection_set, parent, page)
        self.in_progress.discard(name)
        self.memo[key] = result
        return result

    def selections(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType | None, page: int | None
    ) -> Measure:
        """`page`: the page size of the paginated field this selection set belongs to."""
        total = Measure()
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, page)
            elif isinstance(selection, FragmentSpreadNode):
                self.spread.add(selection.name.value)
                total += self.fragment(selection.name.value, page)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selections(selection.selection_set, inner, page)
        return total

    def field(self, node: FieldNode, parent: GraphQLNamedType | None, page: int | None) -> Measure:
        name = node.name.value
        key = f"{parent.name if parent else '?'}.{name}"
        definition = _field_of(parent, name)
        alias = 1 if node.alias else 0
        if node.selection_set is None:
            return Measure(cost=self.weight(key, node), aliases=alias, fields=1)
        child_type = get_named_type(definition.type) if definition else None
        is_list = definition is not None and is_list_type(get_nullable_type(definition.type))
        asked = self.page_size(node, definition, key)
        items = self.items(key, parent, page, asked) if is_list else 1
        inner = self.selections(node.selection_set, child_type, None if is_list else asked)
        depth = 0 if name.startswith("__") else 1 + inner.depth
        return Measure(
            cost=self.weight(key, node) + items * inner.cost,
            depth=depth,
            aliases=alias + inner.aliases,
            fields=1 + inner.fields,
        )

    @staticmethod
    def items(
        key: str, parent: GraphQLNamedType | None, page: int | None, asked: int | None
    ) -> int:
        """How many times a list's selection counts: its items."""
        if asked is not None:
            return asked  # a paginated list (`communes`)
        if page is not None:
            return page  # the page of a connection (`edges`)
        if parent is None or parent.name.startswith("__"):
            return 1  # introspection
        return LIST_SIZES.get(key, DEFAULT_LIST_SIZE)

    def page_size(self, node: FieldNode, definition: GraphQLField | None, key: str) -> int | None:
        """The page a paginated field asks for, at most the page limit; None for other fields."""
        if definition is None:
            return None
        if key == "Query.search":
            given = self.argument_path(node, "input", "first")
            search_input = self.schema.get_type("SearchInput")
            if given is None and isinstance(search_input, GraphQLInputObjectType):
                given = search_input.fields["first"].default_value
            return self.bounded(given)
        for argument in PAGE_ARGUMENTS:
            if argument in definition.args:
                given = self.argument(node, argument)
                if given is None:
                    given = definition.args[argument].default_value
                return self.bounded(given)
        return None

    def bounded(self, value: Any) -> int:
        if not isinstance(value, int) or isinstance(value, bool):
            return self.max_page_size
        return max(1, min(value, self.max_page_size))

    def weight(self, key: str, node: FieldNode) -> int:
        searched = SEARCHED_WHEN.get(key)
        if searched is not None and self.filter_names(node) & searched:
            return SEARCH
        return WEIGHTS.get(key, 1)

    def filter_names(self, node: FieldNode) -> set[str]:
        value = self.value_of(node, "filter")
        if isinstance(value, ObjectValueNode):
            return {f.name.value for f in value.fields if not isinstance(f.value, NullValueNode)}
        if isinstance(value, VariableNode):
            given = self.variables.get(value.name.value)
            if isinstance(given, dict):
                return {k for k, v in given.items() if v is not None}
        return set()

    def argument(self, node: FieldNode, name: str) -> Any:
        return self.literal(self.value_of(node, name))

    def argument_path(self, node: FieldNode, name: str, inner: str) -> Any:
        value = self.value_of(node, name)
        if isinstance(value, ObjectValueNode):
            field = next((f for f in value.fields if f.name.value == inner), None)
            return self.literal(field.value) if field else None
        given = self.literal(value)
        return given.get(inner) if isinstance(given, dict) else None

    def literal(self, value: ValueNode | None) -> Any:
        if isinstance(value, IntValueNode):
            return int(value.value)
        if isinstance(value, VariableNode):
            return self.variables.get(value.name.value)
        return None

    @staticmethod
    def value_of(node: FieldNode, name: str) -> ValueNode | None:
        return next((a.value for a in node.arguments or () if a.name.value == name), None)


def _field_of(parent: GraphQLNamedType | None, name: str) -> GraphQLField | None:
    if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
        return None  # a union (only `__typename` and inline fragments), or an unknown type
    field: GraphQLField | None = parent.fields.get(name)
    return field
