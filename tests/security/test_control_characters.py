"""U+0000 and the other control characters, in any string a request gives: refused by name.

On PostgreSQL a NUL in a title, a ref, a name filter, an organization's name or an alert was an
"Internal error.": a text column refuses it. Every `String` and `ID` of every root field is
walked from the schema, in the variables (inside input objects and lists) and as a literal.
"""

from __future__ import annotations

import json
import re
import time

import pytest

from tests.graphql import GraphQLClient
from tests.security.schema_walk import graphql_schema, request, slots

SCHEMA = graphql_schema()
STRING_SLOTS = slots(SCHEMA, {"String", "ID"})
REFUSED = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x80", "\x85", "\x9f"]
KEPT = ["\t", "\n", "\r", "\xa0", "é", "\u2028"]


def test_the_walk_reaches_the_strings_the_issue_named() -> None:
    named = {str(slot) for slot in STRING_SLOTS}
    for expected in (
        "Mutation.listingPublish(input.title)",
        "Mutation.spaceCreate(input.ref)",
        "Mutation.organizationCreate(input.name)",
        "Mutation.alertCreate(input.search.text)",
        "Query.organizations(filter.query)",
    ):
        assert expected in named, sorted(named)


async def test_a_nul_anywhere_in_the_variables_is_refused_by_name(
    client: GraphQLClient, token: str
) -> None:
    problems = []
    for slot in STRING_SLOTS:
        document, variables = request(SCHEMA, slot, "a\x00b")
        response = await client.post(document, variables, token)
        body = response.json()
        errors = body.get("errors") or []
        fields = [e.get("extensions", {}).get("field", "") for e in errors]
        codes = {e.get("extensions", {}).get("code") for e in errors}
        # An item of a list is named by its index (`$input.clauses[0].title`); the walk's path
        # has none.
        named = all(re.sub(r"\[\d+\]", "", f).startswith(slot.variable_path) for f in fields)
        if response.status_code != 200 or body.get("data") or codes != {"BAD_USER_INPUT"}:
            problems.append(f"{slot}: {response.status_code} {body}")
        elif not named or "U+0000" not in errors[0]["message"]:
            problems.append(f"{slot}: not named {slot.variable_path}: {errors}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("character", REFUSED, ids=[f"U+{ord(c):04X}" for c in REFUSED])
async def test_every_control_character_is_refused(
    client: GraphQLClient, token: str, character: str
) -> None:
    document = "mutation($input: OrganizationCreateInput!) { organizationCreate(input: $input) {"
    document += " __typename } }"
    variables = {"input": {"name": f"Lab{character}", "kind": "TIERS_LIEU"}}
    errors = await client.errors(document, variables, token)
    assert [e["extensions"] for e in errors] == [{"code": "BAD_USER_INPUT", "field": "$input.name"}]
    assert f"U+{ord(character):04X}" in errors[0]["message"]


@pytest.mark.parametrize("character", KEPT, ids=[f"U+{ord(c):04X}" for c in KEPT])
async def test_tabs_line_breaks_and_printable_characters_are_kept(
    client: GraphQLClient, token: str, character: str
) -> None:
    document = """mutation($input: OrganizationCreateInput!) { organizationCreate(input: $input) {
      __typename ... on OrganizationCreateSuccess { organization { name } } } }"""
    variables = {"input": {"name": f"Lab{character}x", "kind": "TIERS_LIEU"}}
    data = await client.execute(document, variables, token)
    assert data["organizationCreate"]["__typename"] == "OrganizationCreateSuccess", data


async def test_a_control_character_in_a_literal_is_refused_by_argument(
    client: GraphQLClient,
) -> None:
    literal = json.dumps("Lab\x00")  # "Lab\u0000": a GraphQL string literal too
    errors = await client.errors(
        f"{{ organizations(filter: {{query: {literal}}}) {{ totalCount }} }}"
    )
    assert [e["extensions"] for e in errors] == [
        {"code": "BAD_USER_INPUT", "field": "organizations(filter.query)"}
    ]
    errors = await client.errors(
        f"query($q: String = {literal}) {{ organizations(filter: {{query: $q}}) {{ totalCount }} }}"
    )
    assert [e["extensions"]["field"] for e in errors] == ["$q"]
    raw = await client.errors('{ organizations(filter: {query: "Lab\x85"}) { totalCount } }')
    assert [e["extensions"]["field"] for e in raw] == ["organizations(filter.query)"]


async def test_lists_are_walked_item_by_item(client: GraphQLClient) -> None:
    document = "query($v: [String!]) { search(input: {categories: $v}) { totalHits } }"
    errors = await client.errors(document, {"v": ["ok", "ok", "\x00"]})
    assert [e["extensions"]["field"] for e in errors] == ["$v[2]"]
    errors = await client.errors('{ search(input: {categories: ["ok", "\\u0085"]}) { totalHits } }')
    assert [e["extensions"]["field"] for e in errors] == ["search(input.categories[1])"]


async def test_a_refusal_costs_little(client: GraphQLClient, token: str) -> None:
    """A 100 KB string with its NUL at the end, in a nested input: refused in a few ms of CPU."""
    document = "mutation($input: OrganizationCreateInput!) { organizationCreate(input: $input) {"
    document += " __typename } }"
    variables = {"input": {"name": "a" * 100_000 + "\x00", "kind": "TIERS_LIEU"}}
    started = time.process_time()
    errors = await client.errors(document, variables, token)
    assert time.process_time() - started < 0.05
    assert errors[0]["extensions"]["field"] == "$input.name"
