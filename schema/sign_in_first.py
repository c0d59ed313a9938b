"""Every mutation needs a signed-in person, and says so before it reads its input.

A service checks the principal, but a resolver decodes its ids and drafts first: an anonymous
`listingWithdraw(id: "x")` answered an `InputError`, telling a stranger what the input lacked.
This step refuses an anonymous mutation operation as a whole, each root field with the same
top-level `UNAUTHENTICATED` error its service would raise, before any variable is coerced and
any resolver runs.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationType,
    SelectionSetNode,
    get_operation_ast,
)
from strawberry.extensions import SchemaExtension

from core.error_codes import AccountErrorCode
from core.errors import NotAuthenticated
from schema.errors import top_level


def _root_fields(
    selections: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode]
) -> Iterator[FieldNode]:
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _root_fields(selection.selection_set, fragments)
        elif isinstance(selection, FragmentSpreadNode) and (
            fragment := fragments.pop(selection.name.value, None)
        ):
            yield from _root_fields(fragment.selection_set, fragments)


def _refusal(field: FieldNode) -> GraphQLError:
    error = top_level(NotAuthenticated(AccountErrorCode.SIGN_IN_REQUIRED))
    key = field.alias.value if field.alias else field.name.value
    return GraphQLError(error.message, nodes=[field], path=[key], extensions=error.extensions)


class SignInBeforeMutations(SchemaExtension):
    """Answers an anonymous mutation with UNAUTHENTICATED for each of its fields."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        anonymous = getattr(context.context, "principal", None) is None
        document, name = context.graphql_document, context.operation_name
        if context.result is None and anonymous and (errors := _refusals(document, name)):
            context.result = ExecutionResult(data=None, errors=errors)
        yield


def _refusals(document: DocumentNode | None, operation_name: str | None) -> list[GraphQLError]:
    """The refusals of the operation's root fields, when it is a mutation; else none."""
    if document is None:
        return []
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation != OperationType.MUTATION:
        return []
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    fields = _root_fields(operation.selection_set, fragments)
    return [_refusal(field) for field in fields if field.name.value != "__typename"]
