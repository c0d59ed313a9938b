"""Every id, cursor and number a root field takes, at the edges of its column: never a 500.

The issue found `Listing:2147483648` (beyond PostgreSQL's int4 keys) reaching "Internal error."
on 19 of 21 entry points. Here the entry points are walked from the schema: every `ID` argument
or input field of every `Query` and `Mutation` field, and every `after` cursor, gets each bad id
below, anonymously and signed in; every `Int` gets the ends of its 32 bits, every `Float` the
largest doubles. The answer is data, a typed error or a top-level error with a code: never a
5xx, never a masked bug.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tests.graphql import GraphQLClient
from tests.security.schema_walk import Slot, graphql_schema, node_type_names, request, slots


def _encoded(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


BAD_IDS = {
    "2^31": _encoded(f"Listing:{2**31}"),
    "2^63": _encoded(f"Listing:{2**63}"),
    "5000 digits": _encoded(f"Listing:{'9' * 5000}"),
    "negative": _encoded("Listing:-1"),
    "zero": _encoded("Listing:0"),
    "not base64": "!!not base64~~",
    "empty": "",
    "not UTF-8": base64.urlsafe_b64encode(b"\xff\xfe:1").decode(),
    "wrong type": _encoded("Nothing:1"),
    "cursor of 2^31": _encoded(f"cursor:{2**31}"),
}
"""Refused by their form, whatever type the slot expects."""
KEYS_AT_THE_EDGE = [2**31 - 1, 2**31, 2**63]
"""Sent with each type the slot may name: the largest INTEGER key, and beyond."""
NUMBERS = {"Int": [2**31 - 1, -(2**31)], "Float": [1.7976931348623157e308, -1.7e308, 5e-324]}

SCHEMA = graphql_schema()
ID_SLOTS = slots(SCHEMA, {"ID"})
CURSOR_SLOTS = [s for s in slots(SCHEMA, {"String"}) if s.path[-1] == "after"]
NODE_TYPES = node_type_names()
NUMBER_SLOTS = {kind: slots(SCHEMA, {kind}) for kind in NUMBERS}


def test_the_walk_finds_the_entry_points_the_issue_counted() -> None:
    assert len({(s.root, s.field) for s in ID_SLOTS}) >= 21, ID_SLOTS
    assert {"Listing", "MembershipRequest", "Photo", "SpaceMerge"} <= NODE_TYPES, NODE_TYPES
    assert CURSOR_SLOTS
    assert all(NUMBER_SLOTS.values())


def _problems(slot: Slot, status: int, body: dict[str, Any]) -> list[str]:
    """What is wrong with the answer: a 5xx, a masked bug, an error without a code."""
    if status >= 500:
        return [f"{slot}: HTTP {status}"]
    return [
        f"{slot}: {error}"
        for error in body.get("errors") or []
        if error["message"] == "Internal error." or not error.get("extensions", {}).get("code")
    ]


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
async def test_no_bad_id_reaches_an_internal_error(
    client: GraphQLClient, token: str, signed_in: bool
) -> None:
    problems: list[str] = []
    for slot in ID_SLOTS + CURSOR_SLOTS:
        types = {"cursor", "offset"} if slot in CURSOR_SLOTS else slot.node_types(NODE_TYPES)
        cases = list(BAD_IDS.items()) + [
            (f"{t}:{pk}", _encoded(f"{t}:{pk}")) for t in types for pk in KEYS_AT_THE_EDGE
        ]
        for name, bad in cases:
            document, variables = request(SCHEMA, slot, bad)
            response = await client.post(document, variables, token if signed_in else None)
            problems += [f"{p} [{name}]" for p in _problems(slot, *_answer(response))]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
async def test_no_number_at_the_edges_reaches_an_internal_error(
    client: GraphQLClient, token: str, signed_in: bool
) -> None:
    problems: list[str] = []
    for kind, values in NUMBERS.items():
        for slot, value in ((slot, value) for slot in NUMBER_SLOTS[kind] for value in values):
            document, variables = request(SCHEMA, slot, value)
            response = await client.post(document, variables, token if signed_in else None)
            problems += [f"{p} [{value}]" for p in _problems(slot, *_answer(response))]
    assert not problems, "\n".join(problems)


def _answer(response: Any) -> tuple[int, dict[str, Any]]:
    return response.status_code, response.json()
