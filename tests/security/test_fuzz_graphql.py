"""The GraphQL fuzzer: generated valid queries and mutations, anonymous and signed in, sent to the
app over HTTP on the real database, never get a 5xx, a body that is not JSON, or "Internal error."

The documents come from `tests.security.graphql_fuzz` (hypothesis-graphql on the committed SDL),
with ids of the objects made here. The run is derandomized (the same documents every run) and
bounded (`EXAMPLES` per case: 160 documents, ~20 s of CPU in all); `python -m bench.fuzz` runs
longer.
Hypothesis runs in a worker thread; each request runs on the test's event loop.
"""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, note, settings
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.graphql import GraphQLClient
from tests.security.graphql_fuzz import documents, make_world, verdict

EXAMPLES = 40


def _fuzz(
    client: GraphQLClient, ids: list[str], token: str | None, kind: str
) -> Callable[[], None]:
    loop = asyncio.get_running_loop()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(document=documents(ids, kind))
    def run(document: str) -> None:
        note(document)
        future = asyncio.run_coroutine_threadsafe(client.post(document, token=token), loop)
        try:
            response = future.result(timeout=60)
        except Exception:  # the app raised through the transport: a 500 in a real server
            raise AssertionError(f"the app raised:\n{traceback.format_exc()}") from None
        problem = verdict(response.status_code, response.content)
        assert problem is None, f"{problem}\n{response.text[:2000]}"

    return run  # type: ignore[no-any-return]


@pytest.mark.parametrize("kind", ["query", "mutation"])
@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "token"])
async def test_generated_documents_never_reach_an_internal_error(
    client: GraphQLClient, session: AsyncSession, kind: str, signed_in: bool
) -> None:
    ids, token = await make_world(session)
    await asyncio.to_thread(_fuzz(client, ids, token if signed_in else None, kind))
