"""How graphql-core runs a request's resolvers here: no database work is left running after the
response.

graphql-core 3.3 cancels the sibling fields of one that fails in a non-null position, and settles
in the background the fields still pending when a synchronous one fails. A cancelled resolver may
be in the middle of a statement on the request's one session (or a loader's batch may be), and a
field settled in the background runs after the response, when the session is closed: the request
then failed with a 500 (`IllegalStateChangeError`, or SQLite's "closed database"), and on
PostgreSQL the pooled connection was left broken. So here siblings are never cancelled: they all
finish before the error goes on up (they are cheap: each is bounded by its own limits), and
background work is handed to the request, which waits for it before closing its session
(`Context.settle`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

import graphql.execution.executor as graphql_executor
from graphql import GraphQLObjectType, Undefined
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.fast_fields import PLAIN_LEAVES


async def _settle_then_raise(*awaitables: Awaitable[Any]) -> list[Any]:
    """Like `asyncio.gather`, but every awaitable finishes before the first error is raised."""
    results = await asyncio.gather(*awaitables, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


def settle_siblings() -> None:
    """Make graphql-core wait for every sibling field (called once, by `build_schema`)."""
    graphql_executor.gather_with_cancel = _settle_then_raise  # type: ignore[attr-defined]


class SettlingExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Hands the work graphql-core settles in the background to the request's context, and
    completes plain leaf fields itself (`execute_fields`)."""

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        """graphql-core's `execute_fields`, but a plain leaf (`schema/fast_fields.py`: a field
        that reads a scalar or an enum from its object, without arguments) is read and coerced
        here, without a path, a resolve info and the completion of a value of any type. Most of
        a page's fields are such leaves. Anything unusual on one (an error, a null where none
        may be) goes the usual way, which reports it as graphql-core does."""
        leaves = parent_type.extensions.get(PLAIN_LEAVES)
        middleware = self.middleware_manager
        if not leaves or (middleware is not None and middleware.middlewares):
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for response_name, field_details_list in grouped_field_set.items():
                node = field_details_list[0].node
                leaf = leaves.get(node.name.value)
                if leaf is not None and not node.arguments:
                    resolve, coerce, non_null = leaf
                    try:
                        value = resolve(source_value, None)
                        if value is None:
                            if not non_null:
                                results[response_name] = None
                                continue
                        else:
                            coerced = coerce(value)
                            if coerced is not None and coerced is not Undefined:
                                results[response_name] = coerced
                                continue
                    except Exception:  # noqa: S110 - reported by the usual way below
                        pass
                field_path = Path(path, response_name, parent_type.name)
                result = self.execute_field(
                    parent_type, source_value, field_details_list, field_path, position_context
                )
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[field] for field in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:
                field = awaitable_fields[0]
                results[field] = await results[field]
            else:
                awaited = await _settle_then_raise(*(results[f] for f in awaitable_fields))
                results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()

    def settle_in_background(self, awaitables: list[Awaitable[Any]]) -> None:
        super().settle_in_background(awaitables)
        pending = getattr(self.context_value, "pending_work", None)
        if pending is not None:
            pending.update(self.background_futures)
