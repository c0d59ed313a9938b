"""The cost model of `schema/cost.py`, on small documents with exact numbers; and every document
of the web app passes the limits with room."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSchema,
    OperationDefinitionNode,
    Visitor,
    parse,
    visit,
)

from core.settings import Settings
from schema.build import build_schema
from schema.context import Context
from schema.cost import FragmentCycleError, Measure, measure
from schema.request_limits import over_limits

DEFAULTS = Settings(environment="test")
FRONTEND = Path(__file__).resolve().parent.parent / "frontend" / "src"


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema(DEFAULTS)._schema


def cost_of(schema: GraphQLSchema, query: str, variables: dict[str, Any] | None = None) -> int:
    return measure(schema, parse(query), variables, DEFAULTS.graphql_max_page_size).cost


@pytest.mark.parametrize(
    ("query", "cost"),
    [
        # listings, edges, then 100 × (node + title)
        ("{ listings(first: 100) { edges { node { title } } } }", 1 + 1 + 100 * 2),
        # the page multiplies its items, not the connection's other fields
        ("{ spaces(first: 5) { totalCount pageInfo { hasNextPage } } }", 1 + 1 + 2),
        # no `first`: the argument's default, 20
        ("{ listings { edges { node { title } } } }", 1 + 1 + 20 * 2),
        # over the page limit: counted at the limit (the field refuses it by name)
        ("{ listings(first: 1000) { edges { node { title } } } }", 1 + 1 + 100 * 2),
        # nested pages multiply; `matches` is a search (20) and a paginated list itself
        (
            "{ listings(first: 10) { edges { node { matches(first: 5) { score } } } } }",
            1 + 1 + 10 * (1 + 20 + 5 * 1),
        ),
        # `search` reads its page size in its input
        (
            '{ search(input: {text: "scie", first: 7}) { totalHits hits { listing { title } } } }',
            20 + 1 + 1 + 7 * (1 + 1),
        ),
        # `spaces` is a search with a text, a database read without
        ('{ spaces(filter: {text: "lab"}, first: 2) { edges { node { name } } } }', 20 + 1 + 2 * 2),
        ('{ spaces(filter: {department: "23"}, first: 2) { edges { node { name } } } }', 1 + 1 + 4),
        # lists that are not pages: photos count 8, others 10; a list of scalars is one field
        ('{ listing(id: "x") { photos { url } tags } }', 1 + (1 + 8 * 1) + 1),
        ("{ categories { code } }", 1 + 10 * 1),
        # a fragment spread twice costs twice; one on a connection gets its page
        ("{ ...A ...A } fragment A on Query { listings(first: 2) { totalCount } }", 2 * (1 + 1)),
        (
            "{ listings(first: 3) { ...P } } fragment P on ListingConnection { edges { node { id } } }",
            1 + 1 + 3 * 2,
        ),
    ],
)
def test_the_cost_of_a_document(schema: GraphQLSchema, query: str, cost: int) -> None:
    assert cost_of(schema, query) == cost


def test_variables_set_the_page_size(schema: GraphQLSchema) -> None:
    query = "query($n: Int!) { listings(first: $n) { edges { node { title } } } }"
    with_default = "query($n: Int = 7) { listings(first: $n) { edges { node { title } } } }"
    search = "query($f: SpaceFilter) { spaces(filter: $f, first: 2) { totalCount } }"

    assert cost_of(schema, query, {"n": 3}) == 1 + 1 + 3 * 2
    assert cost_of(schema, query, {"n": 50}) == 1 + 1 + 50 * 2
    assert cost_of(schema, with_default) == 1 + 1 + 7 * 2
    assert cost_of(schema, query, {"n": "many"}) == 1 + 1 + 100 * 2  # refused later, by name
    assert cost_of(schema, search, {"f": {"text": "lab"}}) == 20 + 1
    assert cost_of(schema, search, {"f": {"text": None, "region": "75"}}) == 1 + 1


def test_depth_aliases_and_fields(schema: GraphQLSchema) -> None:
    parents = "parent { " * 8 + "name" + " }" * 8
    deep = "{ listings { edges { node { organization { " + parents + " } } } } }"

    assert measure(schema, parse(deep), None, 100).depth == 12
    assert measure(schema, parse("{ __typename }"), None, 100) == Measure(1, 0, 0, 1)
    assert measure(schema, parse("{ listings { totalCount } }"), None, 100).depth == 1
    assert measure(schema, parse("{ __schema { types { name } } }"), None, 100).depth == 0
    assert measure(schema, parse("{ a: __typename b: __typename }"), None, 100).aliases == 2
    fragments = "{ ...A ...A } fragment A on Query { a: __typename listings { totalCount } }"
    assert measure(schema, parse(fragments), None, 100) == Measure(
        cost=2 * (1 + 2), depth=1, aliases=2, fields=2 * 3
    )
    unused = "{ __typename } fragment U on Query { __typename __typename }"
    assert measure(schema, parse(unused), None, 100).fields == 1 + 2


def test_a_fragment_bomb_is_measured_once_per_fragment(schema: GraphQLSchema) -> None:
    lines = ["{ ...F24 }", "fragment F0 on Query { __typename }"]
    lines += [f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, 25)]
    document = parse("\n".join(lines))

    started = time.process_time()
    measured = measure(schema, document, None, 100)
    spent = time.process_time() - started

    assert measured == Measure(cost=2**24, depth=0, aliases=0, fields=2**24)
    assert spent < 0.005


def test_a_fragment_that_spreads_itself_is_refused(schema: GraphQLSchema) -> None:
    with pytest.raises(FragmentCycleError, match="'A'"):
        measure(
            schema,
            parse("{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }"),
            None,
            100,
        )


# The web app's documents: `graphql(`...`)` in frontend/src, fragments shared by name across
# files (what `npm run codegen` gathers, frontend/codegen.ts).

GRAPHQL_CALL = re.compile(r"\bgraphql\(\s*`([^`]*)`", re.S)

# The page sizes the web app sends for its `$first` variables (the rest take the page limit).
SENT_PAGE_SIZES = {
    "ListingMatches": 6,
    "Communes": 8,
    "AlertsPage": 50,
    "NotificationsPage": 20,
    "InboxExchanges": 20,
    "InboxExchangesMore": 20,
    "PlacesDirectory": 20,
}


def web_app_documents() -> dict[str, tuple[DocumentNode, OperationDefinitionNode]]:
    definitions = []
    for path in sorted([*FRONTEND.rglob("*.ts"), *FRONTEND.rglob("*.vue")]):
        if "gql" not in path.relative_to(FRONTEND).parts:
            for text in GRAPHQL_CALL.findall(path.read_text(encoding="utf-8")):
                definitions.extend(parse(text).definitions)
    fragments = {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
    operations = [d for d in definitions if isinstance(d, OperationDefinitionNode)]
    return {
        operation.name.value if operation.name else "?": (
            DocumentNode(definitions=(operation, *_fragments_used(operation, fragments))),
            operation,
        )
        for operation in operations
    }


def _fragments_used(
    node: OperationDefinitionNode | FragmentDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
) -> list[FragmentDefinitionNode]:
    names: list[str] = []

    class Spreads(Visitor):
        def enter_fragment_spread(self, spread: FragmentSpreadNode, *_: Any) -> None:
            names.append(spread.name.value)

    visit(node, Spreads())
    used: list[FragmentDefinitionNode] = []
    for name in dict.fromkeys(names):
        used += [fragments[name], *_fragments_used(fragments[name], fragments)]
    return list({f.name.value: f for f in used}.values())


def _variables(operation: OperationDefinitionNode, first: int) -> dict[str, Any]:
    """Page sizes, and a text in every place filter (so `spaces` counts as a search)."""
    variables: dict[str, Any] = {}
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if name in ("first", "last"):
            variables[name] = first
        elif name == "filter":
            variables[name] = {"text": "atelier"}
    return variables


def test_the_web_app_documents_are_found() -> None:
    documents = web_app_documents()

    assert len(documents) > 60
    assert {"ListingMatches", "PlacesDirectory", "InboxExchanges", "TerritoryPage"} <= set(
        documents
    )


def test_every_web_app_document_passes_the_limits_with_room(schema: GraphQLSchema) -> None:
    """With the page sizes the app sends, each costs at most a quarter of the budget and holds
    at most half the fields; with every page at its limit, each still passes."""
    for name, (document, operation) in web_app_documents().items():
        sent = _variables(operation, SENT_PAGE_SIZES.get(name, DEFAULTS.graphql_max_page_size))
        largest = _variables(operation, DEFAULTS.graphql_max_page_size)
        usual = measure(schema, document, sent, DEFAULTS.graphql_max_page_size)
        worst = measure(schema, document, largest, DEFAULTS.graphql_max_page_size)

        assert usual.cost * 4 <= DEFAULTS.graphql_max_cost, (name, usual)
        assert usual.fields * 2 <= DEFAULTS.graphql_max_fields, (name, usual)
        assert usual.depth <= DEFAULTS.graphql_max_depth - 3, (name, usual)
        assert over_limits(worst, DEFAULTS) == [], (name, worst)


async def test_the_context_holds_the_cost_of_a_request_that_passes() -> None:
    """What the caller's budget is charged (`Context.query_cost`): a passing document's cost; a
    refused one's, up to the maximum (`tests/security/test_rate_limits.py` spends it)."""
    app_schema = build_schema(DEFAULTS)

    def context() -> Context:
        return Context(settings=DEFAULTS, principal=None, open_session=_no_session)

    passed, refused = context(), context()
    answered = await app_schema.execute("{ a: __typename b: __typename }", context_value=passed)
    over = "{ " + " ".join(f"a{i}: __typename" for i in range(16)) + " }"
    refusal = await app_schema.execute(over, context_value=refused)

    assert answered.errors is None
    assert passed.query_cost == 2
    assert refusal.errors
    assert refused.query_cost == 16  # 16 aliases over the limit of 15, each field costing 1


def _no_session() -> Any:
    raise AssertionError("no resolver of these documents opens a session")
