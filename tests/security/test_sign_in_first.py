"""Anonymous mutations are refused for want of a sign-in before their input is read.

`listingWithdraw(id: "x")` answered an `InputError` to a stranger: the input was checked before
the principal. Every mutation needs a signed-in person (the authorization matrix says so for
each), so every one is called here anonymously with garbage in each of its arguments.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.graphql import GraphQLClient
from tests.security.schema_walk import Slot, graphql_schema, request, slots
from tests.test_authorization_matrix import RULES, UNAUTHENTICATED

SCHEMA = graphql_schema()
GARBAGE: dict[str, Any] = {
    "ID": "x",
    "String": "\x00" + "x" * 10_000,
    "Int": -(2**31),
    "Float": -1e308,
    "Date": "9999-12-31",
    "DateTime": "0001-01-01T00:00:00",
}
SLOTS: list[tuple[Slot, Any]] = [
    (slot, value)
    for kind, value in GARBAGE.items()
    for slot in slots(SCHEMA, {kind})
    if slot.root == "Mutation"
]
SIGNED_IN_ONLY = sorted(
    name.removeprefix("Mutation.")
    for name, rule in RULES.items()
    if name.startswith("Mutation.") and rule.expect["anonymous"] == UNAUTHENTICATED
)


def test_every_mutation_needs_a_sign_in() -> None:
    """The gate refuses every anonymous mutation: a mutation open to anonymous callers would
    need its own rule in the matrix and here."""
    assert SCHEMA.mutation_type is not None
    assert sorted(SCHEMA.mutation_type.fields) == SIGNED_IN_ONLY


def test_the_walk_covers_every_mutation_but_uploads() -> None:
    walked = {slot.field for slot, _ in SLOTS}
    assert "listingWithdraw" in walked
    assert len(walked) >= len(SIGNED_IN_ONLY) - 6, set(SIGNED_IN_ONLY) - walked


async def test_anonymous_garbage_is_unauthenticated(client: GraphQLClient) -> None:
    problems = []
    for slot, value in SLOTS:
        document, variables = request(SCHEMA, slot, value)
        body = (await client.post(document, variables)).json()
        codes = [e.get("extensions", {}).get("code") for e in body.get("errors") or []]
        if body.get("data") is not None or codes != [UNAUTHENTICATED]:
            problems.append(f"{slot} = {str(value)[:20]!r}: {body}")
    assert not problems, "\n".join(problems)


async def test_listing_withdraw_of_x_is_unauthenticated(client: GraphQLClient) -> None:
    """The issue's example, as a literal."""
    errors = await client.errors('mutation { listingWithdraw(id: "x") { __typename } }')
    assert [e["extensions"] for e in errors] == [
        {"code": "UNAUTHENTICATED", "reason": "SIGN_IN_REQUIRED"}
    ]
    assert errors[0]["path"] == ["listingWithdraw"]


@pytest.mark.parametrize(
    ("document", "operation", "paths"),
    [
        (
            'mutation { a: listingWithdraw(id: "x") { __typename } b: alertDelete(id: "y") { __typename } }',
            None,
            [["a"], ["b"]],
        ),
        (
            'mutation { ...M } fragment M on Mutation { listingWithdraw(id: "x") { __typename } }',
            None,
            [["listingWithdraw"]],
        ),
        (
            'query Q { __typename } mutation M { listingWithdraw(id: "x") { __typename } }',
            "M",
            [["listingWithdraw"]],
        ),
    ],
    ids=["aliases", "fragment", "named operation"],
)
async def test_each_root_field_is_refused_by_its_name(
    client: GraphQLClient, document: str, operation: str | None, paths: list[list[str]]
) -> None:
    body = {"query": document, "operationName": operation}
    errors = (await client.http.post("/graphql", json=body)).json()["errors"]
    assert [e["path"] for e in errors] == paths
    assert {e["extensions"]["code"] for e in errors} == {UNAUTHENTICATED}


async def test_a_query_beside_a_mutation_still_runs(client: GraphQLClient) -> None:
    document = 'query Q { __typename } mutation M { listingWithdraw(id: "x") { __typename } }'
    body = {"query": document, "operationName": "Q"}
    response = (await client.http.post("/graphql", json=body)).json()
    assert response == {"data": {"__typename": "Query"}}
