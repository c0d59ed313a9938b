"""No control character in any string a request gives, refused by name before any resolver runs.

U+0000 cannot be stored by PostgreSQL (a text column refuses it, so the request failed as an
"Internal error."), and the other control characters are never part of a title, a name or a
search: the C0 range except tab, line feed and carriage return, DEL, and the C1 range
(U+0080–U+009F). They are refused, not stripped: the client learns which value was wrong.

Both channels are read: every string of the variables (nested input objects and lists included)
and every string literal of the document (arguments, and variables' default values). The error
is a `BAD_USER_INPUT` naming the value: `$input.title`, `$ids[2]`, or `listings(filter.query)`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    ListValueNode,
    Node,
    ObjectValueNode,
    StringValueNode,
    ValueNode,
    VariableDefinitionNode,
    visit,
)
from graphql.language import Visitor
from strawberry.extensions import SchemaExtension

CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""C0 but tab, LF and CR; DEL; C1."""
_C1 = re.compile(r"[\x7f-\x9f]")


def _refusal(path: str, character: str) -> GraphQLError:
    return GraphQLError(
        f"{path}: control characters are not allowed (found U+{ord(character):04X}).",
        extensions={"code": "BAD_USER_INPUT", "field": path},
    )


def in_variables(value: Any, path: str) -> Iterator[GraphQLError]:
    """Refusals for the strings of a variable's value (as sent: JSON objects, lists, strings)."""
    if isinstance(value, str):
        if found := CONTROL_CHARACTER.search(value):
            yield _refusal(path, found.group())
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from in_variables(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from in_variables(item, f"{path}[{index}]")


def _in_literal(node: ValueNode, path: str) -> Iterator[tuple[str, str]]:
    """(where, which character) for the strings of a literal value."""
    if isinstance(node, StringValueNode):
        if found := CONTROL_CHARACTER.search(node.value):
            yield path, found.group()
    elif isinstance(node, ObjectValueNode):
        for field in node.fields:
            yield from _in_literal(field.value, f"{path}.{field.name.value}")
    elif isinstance(node, ListValueNode):
        for index, item in enumerate(node.values):
            yield from _in_literal(item, f"{path}[{index}]")


class _Literals(Visitor):
    """Every argument and default value of the document, with the name of where it stands."""

    def __init__(self) -> None:
        super().__init__()
        self.errors: list[GraphQLError] = []
        self.field = ""

    def enter_field(self, node: Node, *_: object) -> None:
        self.field = node.name.value  # type: ignore[attr-defined]

    def enter_argument(self, node: ArgumentNode, *_: object) -> None:
        for path, character in _in_literal(node.value, node.name.value):
            self.errors.append(_refusal(f"{self.field}({path})", character))

    def enter_variable_definition(self, node: VariableDefinitionNode, *_: object) -> None:
        if node.default_value is not None:
            path = f"${node.variable.name.value}"
            for where, character in _in_literal(node.default_value, path):
                self.errors.append(_refusal(where, character))


def in_document(source: str | None, document: DocumentNode | None) -> list[GraphQLError]:
    """Refusals for the document's literals. Only a `\\u` escape or a raw C1 character can put
    a control character in a literal (the lexer refuses raw C0 ones): without either in the
    source, the document is not walked."""
    if document is None or not source or ("\\u" not in source and not _C1.search(source)):
        return []
    literals = _Literals()
    visit(document, literals)
    return literals.errors


class RefuseControlCharacters(SchemaExtension):
    """Answers a request carrying a control character with its refusals, and runs nothing."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.result is not None:  # already refused (anonymous mutation)
            yield
            return
        errors = [
            *in_document(context.query, context.graphql_document),
            *(
                error
                for name, value in (context.variables or {}).items()
                for error in in_variables(value, f"${name}")
            ),
        ]
        if errors:
            context.result = ExecutionResult(data=None, errors=errors)
        yield
