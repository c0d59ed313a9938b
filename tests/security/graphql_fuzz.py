"""Generated GraphQL documents for the fuzzer: valid queries and mutations from the committed SDL.

`documents(ids)` draws a query or a mutation of `schema/schema.graphql` (hypothesis-graphql),
with the custom scalars drawn here: ids are real global ids of existing objects or garbage
(out-of-range keys, wrong type names, not base64); dates and instants inside the product's years
or at Python's limits; decimals, sane or absurd. Mutations that take an `Upload` are left out.

`make_world(session)` makes the objects those ids name, and an admin's token.
`verdict(status, body)` says what is wrong with an answer, or None: a 5xx, a body that is not a
JSON object with `data` or `errors`, or an "Internal error." (an exception the schema did not
expect). Used by tests/security/test_fuzz_graphql.py (a bounded run in `make test`) and by
`python -m bench.fuzz` (a long run that counts).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import graphql
from hypothesis import strategies as st
from hypothesis_graphql import mutations, nodes, queries
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import Role
from schema.relay import MAX_PK, to_global_id
from tests.factories import (
    make_exchange,
    make_listing,
    make_member,
    make_organization,
    make_space,
    make_token,
)

SDL = Path(__file__).resolve().parents[2] / "schema" / "schema.graphql"
NODE_TYPE_NAMES = ("Listing", "Space", "Organization", "Alert", "Notification", "Exchange")
INTERNAL_ERROR = "Internal error."


@cache
def graphql_schema() -> graphql.GraphQLSchema:
    return graphql.build_schema(SDL.read_text(encoding="utf-8"))


def _raw_id(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


GARBAGE_IDS: tuple[str, ...] = (
    *(to_global_id(name, MAX_PK + 1) for name in NODE_TYPE_NAMES),
    to_global_id("Listing", 0),
    to_global_id("Listing", 2**63),
    to_global_id("Organization", 2**64 + 1),
    _raw_id("Listing:-1"),
    _raw_id("Listing:1e3"),
    _raw_id("Listing:"),
    _raw_id("Nothing:1"),
    _raw_id("offset:99999999999"),
    _raw_id("offset:2147483648"),
    "",
    "x",
    "!!!",
    "TGlzdGluZzox=====",
    "TGlzdGluZzox\x00",
)


def id_strategy(existing: Sequence[str]) -> st.SearchStrategy[graphql.ValueNode]:
    """Mostly ids of existing objects (so resolvers go deep), else garbage of every kind."""
    garbage = st.one_of(
        st.sampled_from(GARBAGE_IDS),
        st.text(max_size=20),
        st.builds(
            to_global_id,
            st.sampled_from(NODE_TYPE_NAMES),
            st.integers(min_value=0, max_value=2**70),
        ),
    )
    real = st.sampled_from(list(existing)) if existing else garbage
    return st.one_of(real, real, garbage).map(nodes.String)


DATES = st.one_of(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2199, 12, 31)).map(date.isoformat),
    st.sampled_from(["0001-01-01", "9999-12-31", "1999-12-31", "2200-01-01", "2026-02-30", ""]),
)
DATE_TIMES = st.one_of(
    st.datetimes(
        min_value=datetime(2000, 1, 2), max_value=datetime(2199, 12, 30), timezones=st.just(UTC)
    ).map(datetime.isoformat),
    st.sampled_from(
        ["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+14:00", "2026-01-01T00:00:00", "x"]
    ),
)
DECIMALS = st.one_of(
    st.decimals(min_value=Decimal(-1000), max_value=Decimal(100_000), places=2).map(str),
    st.sampled_from(["NaN", "Infinity", "-0", "1e999", "0.000000001", "12,5", ""]),
)


STRINGS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            "a\x00b",
            "\x00",
            "tab\there\x1b[31m",
            "Guéret",
            "fablab",
            "23",
            "reg-11",
            "93048",
            "200046977",
            "%_\\",
            "' OR 1=1 --",
            "\u202eevil",
            "x" * 5000,
        ]
    ),
)


def scalar_strategies(existing_ids: Sequence[str]) -> dict[str, st.SearchStrategy[Any]]:
    return {
        "String": STRINGS.map(nodes.String),
        "ID": id_strategy(existing_ids),
        "Date": DATES.map(nodes.String),
        "DateTime": DATE_TIMES.map(nodes.String),
        "Decimal": DECIMALS.map(nodes.String),
    }


def _takes_upload(field: graphql.GraphQLField) -> bool:
    return any(
        graphql.get_named_type(argument.type).name == "Upload"  # type: ignore[union-attr]
        for argument in field.args.values()
    )


def mutation_fields() -> list[str]:
    mutation = graphql_schema().mutation_type
    assert mutation is not None
    return sorted(name for name, field in mutation.fields.items() if not _takes_upload(field))


def documents(existing_ids: Sequence[str], kind: str) -> st.SearchStrategy[str]:
    """Valid `kind` ("query" or "mutation") documents of the schema, with our scalars."""
    scalars = scalar_strategies(existing_ids)
    if kind == "query":
        return queries(graphql_schema(), custom_scalars=scalars)
    return mutations(graphql_schema(), fields=mutation_fields(), custom_scalars=scalars)


def verdict(status: int, content: bytes) -> str | None:
    """What is wrong with this answer of /graphql, or None when it is a clean answer."""
    if status >= 500:
        return f"HTTP {status}"
    try:
        body = json.loads(content)
    except ValueError:
        return f"HTTP {status} with a body that is not JSON: {content[:200]!r}"
    if not isinstance(body, dict) or not ({"data", "errors"} & body.keys()):
        return f"HTTP {status} with a JSON body of no GraphQL answer: {content[:200]!r}"
    internal = [e for e in body.get("errors") or [] if e.get("message") == INTERNAL_ERROR]
    if internal:
        return f"HTTP {status}: {INTERNAL_ERROR} at {[e.get('path') for e in internal]}"
    return None


def error_codes(content: bytes) -> list[str]:
    """The `extensions.code` of each top-level error ("-" for one without a code)."""
    try:
        body = json.loads(content)
    except ValueError:
        return ["NOT_JSON"]
    if not isinstance(body, dict):
        return ["NOT_JSON"]
    return [
        str((error.get("extensions") or {}).get("code", "-")) for error in body.get("errors") or []
    ]


async def make_world(session: AsyncSession) -> tuple[list[str], str]:
    """A few objects of every kind the ids can name, and an admin's token of their organization."""
    lab = await make_organization(session, "Fablab du fuzz")
    other = await make_organization(session, "Recyclerie voisine")
    space = await make_space(session, lab)
    listing = await make_listing(session, lab, space_id=space.id)
    theirs = await make_listing(session, other)
    exchange = await make_exchange(session, theirs, lab)
    await make_member(session, lab, Role.MEMBER)
    token = await make_token(session, lab, Role.ADMIN)
    await session.commit()
    ids = [
        to_global_id("Organization", lab.id or 0),
        to_global_id("Organization", other.id or 0),
        to_global_id("Space", space.id or 0),
        to_global_id("Listing", listing.id or 0),
        to_global_id("Listing", theirs.id or 0),
        to_global_id("Exchange", exchange.id or 0),
    ]
    return ids, token
