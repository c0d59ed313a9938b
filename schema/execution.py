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
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext


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
    """Hands the work graphql-core settles in the background to the request's context."""

    def settle_in_background(self, awaitables: list[Awaitable[Any]]) -> None:
        super().settle_in_background(awaitables)
        pending = getattr(self.context_value, "pending_work", None)
        if pending is not None:
            pending.update(self.background_futures)
