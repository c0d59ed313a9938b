"""Relay plumbing: global ids, the Node interface, cursor connections with a lazy totalCount."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any, Generic, TypeVar

import strawberry
from graphql import GraphQLError
from strawberry.types.nodes import SelectedField

from core.errors import InputErrorCode, InvalidInput
from core.global_ids import global_id
from core.services.pagination import Page

T = TypeVar("T")


First = Annotated[
    int,
    strawberry.argument(description="How many items to return, from 1 to the page limit (100)."),
]
After = Annotated[
    str | None,
    strawberry.argument(description="Return the items after this cursor (`pageInfo.endCursor`)."),
]
NodeId = Annotated[strawberry.ID, strawberry.argument(description="The object's global id.")]


def to_global_id(type_name: str, pk: int) -> strawberry.ID:
    return strawberry.ID(global_id(type_name, pk))


MAX_PK = 2**31 - 1
"""The largest key (a primary key, an offset) an id may hold, an INTEGER column's: a larger one
names nothing, and would fail reaching the database (PostgreSQL: out of range)."""


def from_global_id(global_id: str) -> tuple[str, int] | None:
    """('Listing', 12) from an id made by `to_global_id`; None for anything else."""
    try:
        type_name, _, pk = base64.urlsafe_b64decode(global_id.encode()).decode().partition(":")
        if not (type_name and pk.isdigit() and int(pk) <= MAX_PK):
            return None
        return type_name, int(pk)
    except (binascii.Error, UnicodeError, ValueError):
        return None


def expect_id(global_id: str, type_name: str) -> int | None:
    """The primary key of a `type_name` id, or None when the id names something else."""
    decoded = from_global_id(global_id)
    return decoded[1] if decoded and decoded[0] == type_name else None


def input_id(global_id: str | None, type_name: str, field: str) -> int | None:
    """Decode an id given in a mutation's input; a wrong one is an `InvalidInput` on `field`."""
    if global_id is None:
        return None
    pk = expect_id(global_id, type_name)
    if pk is None:
        raise InvalidInput.one(field, InputErrorCode.NOT_AN_ID, value=type_name)
    return pk


def required_id(global_id: str, type_name: str, field: str) -> int:
    """`input_id` of a required input field: its id, or an `InvalidInput` on `field`."""
    pk = input_id(global_id, type_name, field)
    assert pk is not None  # a given id decodes to a key or raises
    return pk


def bad_argument(argument: str, reason: str) -> GraphQLError:
    return GraphQLError(
        f"{argument}: {reason}", extensions={"code": "BAD_USER_INPUT", "field": argument}
    )


@strawberry.interface(description="An object with a global id, fetchable with `node(id:)`.")
class Node:
    id: strawberry.ID = strawberry.field(description="The global id of this object.")


@strawberry.type(description="Where a page of a connection stands.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    has_previous_page: bool = strawberry.field(description="Items come before this page.")
    start_cursor: str | None = strawberry.field(description="The cursor of the first edge.")
    end_cursor: str | None = strawberry.field(
        description="The cursor of the last edge: pass it as `after` for the next page."
    )


@strawberry.type(description="One item of a connection, with its cursor.")
class Edge(Generic[T]):
    node: T = strawberry.field(description="The item.")
    cursor: str = strawberry.field(description="Where this item stands, for `after`.")


@strawberry.type(description="A page of items, with cursors and the total count.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The items of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page stands.")
    _count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many items match, over all pages.")
    async def total_count(self) -> int:
        return await self._count()

    @classmethod
    def of(
        cls, page: Page[Any], nodes: Sequence[T], key: Callable[[T], int], after: str | None
    ) -> Connection[T]:
        edges = [Edge(node=n, cursor=to_global_id("cursor", key(n))) for n in nodes]
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=after is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            _count=page.count,
        )


def selected_names(info: Any, path: Sequence[str]) -> set[str]:
    """The field names the query selects at `path` under the current field (fragments included)."""
    level: list[Any] = list(info.selected_fields)
    for name in (*path, None):
        selections = [s for node in level for s in _flatten(getattr(node, "selections", []))]
        if name is None:
            return {s.name for s in selections if hasattr(s, "name")}
        level = [s for s in selections if getattr(s, "name", None) == name]
    return set()


def _flatten(selections: Sequence[Any]) -> list[Any]:
    """Fields, with the fields of inline fragments and fragment spreads lifted up."""
    fields: list[Any] = []
    for selection in selections:
        if isinstance(selection, SelectedField):
            fields.append(selection)
        else:
            fields.extend(_flatten(selection.selections))
    return fields
