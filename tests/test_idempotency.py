"""`idempotencyKey` on the mutations that create things: a replay returns the first result."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import Alert, IdempotencyKey, Listing, Role, Space
from schema.relay import to_global_id
from tests.factories import make_member, make_organization
from tests.graphql import GraphQLClient

SUCCESS = {
    "listingPublish": "... on ListingSuccess { listing { id } }",
    "spaceCreate": "... on SpaceSuccess { space { id } }",
    "alertCreate": "... on AlertCreateSuccess { alert { id } }",
}
CASES: dict[str, tuple[str, type[Any], dict[str, Any], dict[str, Any]]] = {
    "listingPublish": (
        "ListingPublishInput",
        Listing,
        {"direction": "OFFER", "kind": "EQUIPMENT", "title": "Découpeuse laser"},
        {"title": "Imprimante 3D"},
    ),
    "spaceCreate": (
        "SpaceCreateInput",
        Space,
        {"name": "Atelier partagé", "commune": "Guéret"},
        {"name": "Autre atelier"},
    ),
    "alertCreate": (
        "AlertCreateInput",
        Alert,
        {"name": "Lasers", "search": {"text": "laser"}},
        {"name": "Autre alerte"},
    ),
}


def mutation(name: str, input_type: str) -> str:
    return f"""mutation($input: {input_type}!) {{ {name}(input: $input) {{
      __typename ... on Error {{ message }} ... on InputError {{ fields {{ field }} }}
      {SUCCESS[name]} }} }}"""


def created_id(result: dict[str, Any]) -> str:
    return next(v["id"] for k, v in result.items() if isinstance(v, dict) and "id" in v)


async def count(session: AsyncSession, model: type[Any]) -> int:
    return int((await session.exec(select(func.count()).select_from(model))).one())


@pytest.mark.parametrize("name", CASES)
async def test_a_replayed_key_returns_the_first_result_and_creates_nothing(
    client: GraphQLClient, session: AsyncSession, name: str
) -> None:
    input_type, model, values, other = CASES[name]
    organization = await make_organization(session)
    member = await make_member(session, organization, Role.ADMIN)
    if name == "spaceCreate":
        values = values | {"organizationId": to_global_id("Organization", organization.id or 0)}
    before = await count(session, model)
    document = mutation(name, input_type)
    keyed = values | {"idempotencyKey": "create-1"}

    results = [
        (await client.execute(document, {"input": keyed}, member.token))[name] for _ in range(3)
    ]
    assert {r["__typename"] for r in results} == {results[0]["__typename"]}
    assert results[0]["__typename"].endswith("Success"), results[0]
    assert len({created_id(r) for r in results}) == 1
    assert await count(session, model) == before + 1

    changed = await client.execute(document, {"input": keyed | other}, member.token)
    assert changed[name]["__typename"] == "ConflictError"
    bad = await client.execute(
        document, {"input": values | {"idempotencyKey": "no spaces"}}, member.token
    )
    assert bad[name]["fields"] == [{"field": "idempotencyKey"}]
    assert await count(session, model) == before + 1
    assert await count(session, IdempotencyKey) == 1

    # Another person's identical key is theirs: it creates their own.
    other_member = await make_member(session, organization, Role.ADMIN)
    theirs = await client.execute(document, {"input": keyed}, other_member.token)
    assert created_id(theirs[name]) != created_id(results[0])
