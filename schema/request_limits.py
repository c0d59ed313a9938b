"""What a request's document may hold, checked before any resolver runs, in one extension.

1. Parsing, cached by text: at most `GRAPHQL_MAX_TOKENS` tokens and `GRAPHQL_MAX_FIELDS` fields
   written (the parser stops at the first one over, so a field repeated 1,900 times is refused
   after a quarter of the work of parsing it).
2. Its measure (`schema/cost.py`: cost, depth, aliases, fields, one linear pass with fragments
   memoized) against the settings, on every request: the cost depends on the variables, so no
   cache may skip it. A document over a limit is refused there, before graphql-core's validation
   rules, some of which walk every expanded fragment spread (a "fragment bomb" cost them 54 s).
   Each limit exceeded is one error naming it, with `extensions.code`: `QUERY_TOO_COSTLY` (with
   `cost` and `maxCost`), `QUERY_TOO_DEEP`, `TOO_MANY_ALIASES`, `TOO_MANY_FIELDS`.
3. graphql-core's rules, their result cached per document (the parser cache hands the same
   document back for the same text).

A trusted document (the web app's, sent by its id: `schema/trusted_documents.py`) is parsed and
validated once, at its first use, and measured once per shape of its variables; its requests meet
the same limits and pay the same cost.

Outside development (where introspection is off) no error suggests a name the client did not
write ("Did you mean 'listing'?"): validation and the coercion of variables hide suggestions.
In development each response says what it cost in `extensions.cost`.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    Source,
    validate,
)
from graphql.language.parser import Parser
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from core.settings import Settings
from schema.cost import FragmentCycleError, Measure, measure
from schema.execution import SettlingExecutionContext
from schema.trusted_documents import (
    MEASURES_PER_DOCUMENT,
    TrustedDocument,
    TrustedDocuments,
    variables_shape,
)

STRAWBERRY_RULES = (MaybeNullValidationRule, OneOfInputValidationRule)


class RequestLimits(SchemaExtension):
    """Parse (cached), measure, refuse over a limit, else validate (cached)."""

    def __init__(self, settings: Settings, trusted: TrustedDocuments | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.trusted = trusted
        self.measured: Measure | None = None
        self.document: TrustedDocument | None = None

    def on_parse(self) -> Iterator[None]:
        run = self.execution_context
        if self.trusted is not None and run.query is not None:
            self.document = self.trusted.by_text.get(run.query)
        if self.document is not None:
            run.graphql_document = self._parsed(self.document, run.context)
        elif run.query is not None:
            settings = self.settings
            try:
                run.graphql_document = _parse(
                    run.query, settings.graphql_max_tokens, settings.graphql_max_fields
                )
            except GraphQLError:
                _charge(run.context, unparsed_cost(settings))
                raise
        yield

    def on_validate(self) -> Iterator[None]:
        run = self.execution_context
        schema = run.schema._schema
        document = run.graphql_document
        assert document is not None
        if self.document is not None:
            self._trusted(self.document, schema, run.variables)
            yield
            return
        refusals = self.refusals(schema, document, run.variables)
        if refusals:
            run.pre_execution_errors = refusals
            asked = (
                self.measured.cost if self.measured is not None else self.settings.graphql_max_cost
            )
            _charge(run.context, min(asked, self.settings.graphql_max_cost))
        else:
            rules = (*run.validation_rules, *STRAWBERRY_RULES)
            hide = not self.settings.is_development
            run.pre_execution_errors = list(_validate(schema, document, rules, hide))
            if self.measured is not None:
                _charge(run.context, self.measured.cost)
        yield

    def refusals(
        self, schema: GraphQLSchema, document: DocumentNode, variables: dict[str, Any] | None
    ) -> list[GraphQLError]:
        try:
            self.measured = measure(
                schema, document, variables, self.settings.graphql_max_page_size
            )
        except FragmentCycleError as cycle:
            return [GraphQLError(str(cycle), extensions={"code": "GRAPHQL_VALIDATION_FAILED"})]
        except RecursionError:
            return [_too_deep(None, self.settings.graphql_max_depth)]
        return over_limits(self.measured, self.settings)

    def _parsed(self, trusted: TrustedDocument, context: object) -> DocumentNode:
        """The trusted document's syntax tree, parsed at its first use (with the same limits)."""
        if trusted.document is None and not trusted.parse_errors:
            settings = self.settings
            try:
                trusted.document = _FieldCountingParser(
                    trusted.text, settings.graphql_max_tokens, settings.graphql_max_fields
                ).parse_document()
            except GraphQLError as error:  # a manifest of another schema's limits
                trusted.parse_errors = (error,)
        if trusted.parse_errors:
            _charge(context, unparsed_cost(self.settings))
            raise trusted.parse_errors[0]
        assert trusted.document is not None
        return trusted.document

    def _trusted(
        self,
        trusted: TrustedDocument,
        schema: GraphQLSchema,
        variables: dict[str, Any] | None,
    ) -> None:
        """Refusals, validation and cost of a trusted document, each worked out once."""
        run = self.execution_context
        assert trusted.document is not None
        shape = variables_shape(variables)
        measured = trusted.measures.get(shape)
        if measured is None:
            refusals = self.refusals(schema, trusted.document, variables)
            if refusals or self.measured is None:  # refused: answered as for any text
                run.pre_execution_errors = refusals
                asked = self.measured.cost if self.measured else self.settings.graphql_max_cost
                _charge(run.context, min(asked, self.settings.graphql_max_cost))
                return
            if len(trusted.measures) < MEASURES_PER_DOCUMENT:
                trusted.measures[shape] = self.measured
            measured = self.measured
        self.measured = measured
        rules = (*run.validation_rules, *STRAWBERRY_RULES)
        hide = not self.settings.is_development
        key = (rules, hide)
        errors = trusted.validation.get(key)
        if errors is None:
            errors = trusted.validation[key] = tuple(
                validate(schema, trusted.document, rules, hide_suggestions=hide)
            )
        run.pre_execution_errors = list(errors)
        _charge(run.context, measured.cost)

    def get_results(self) -> dict[str, Any]:
        if not self.settings.is_development or self.measured is None:
            return {}
        return {
            "cost": {"requested": self.measured.cost, "maximum": self.settings.graphql_max_cost}
        }


def unparsed_cost(settings: Settings) -> int:
    """What a request refused before it is a document (while parsing, or a body that is not a
    GraphQL request at all) costs its caller: as much as the most fields a document may hold."""
    return settings.graphql_max_fields


def _charge(context: object, cost: int) -> None:
    """What the caller's budget pays (`Context.query_cost`, `api/rate_limit.py`): a document
    that runs, its cost; one refused by a limit, what it asked for up to GRAPHQL_MAX_COST (or,
    refused while parsing, GRAPHQL_MAX_FIELDS), so refused attacks spend a budget as fast as
    costly queries do."""
    if hasattr(context, "query_cost"):
        context.query_cost = cost


def over_limits(measured: Measure, settings: Settings) -> list[GraphQLError]:
    """One error per limit the measure exceeds."""
    errors = []
    if measured.cost > settings.graphql_max_cost:
        errors.append(
            GraphQLError(
                f"This request costs {measured.cost}, more than the {settings.graphql_max_cost} "
                "allowed (GRAPHQL_MAX_COST): ask for smaller pages or fewer nested lists.",
                extensions={
                    "code": "QUERY_TOO_COSTLY",
                    "cost": measured.cost,
                    "maxCost": settings.graphql_max_cost,
                },
            )
        )
    if measured.depth > settings.graphql_max_depth:
        errors.append(_too_deep(measured.depth, settings.graphql_max_depth))
    if measured.aliases > settings.graphql_max_aliases:
        errors.append(
            GraphQLError(
                f"{measured.aliases} aliases found. Allowed: {settings.graphql_max_aliases} "
                "(GRAPHQL_MAX_ALIASES).",
                extensions={
                    "code": "TOO_MANY_ALIASES",
                    "aliases": measured.aliases,
                    "maxAliases": settings.graphql_max_aliases,
                },
            )
        )
    if measured.fields > settings.graphql_max_fields:
        errors.append(_too_many_fields(measured.fields, settings.graphql_max_fields))
    return errors


def _too_many_fields(fields: int, limit: int) -> GraphQLError:
    return GraphQLError(
        f"This request has more than {limit} fields, fragments expanded (GRAPHQL_MAX_FIELDS).",
        extensions={"code": "TOO_MANY_FIELDS", "fields": fields, "maxFields": limit},
    )


def _too_deep(depth: int | None, limit: int) -> GraphQLError:
    return GraphQLError(
        f"The operation exceeds maximum operation depth of {limit} (GRAPHQL_MAX_DEPTH).",
        extensions={"code": "QUERY_TOO_DEEP", "depth": depth, "maxDepth": limit},
    )


class _FieldCountingParser(Parser):
    """graphql-core's parser, stopped at the first field over the limit."""

    def __init__(self, source: str, max_tokens: int, max_fields: int) -> None:
        super().__init__(Source(source), max_tokens=max_tokens)
        self.fields_left = max_fields
        self.max_fields = max_fields

    def parse_field(self) -> FieldNode:
        self.fields_left -= 1
        if self.fields_left < 0:
            raise _too_many_fields(self.max_fields + 1, self.max_fields)
        return super().parse_field()


@lru_cache(maxsize=256)
def _parse(query: str, max_tokens: int, max_fields: int) -> DocumentNode:
    return _FieldCountingParser(query, max_tokens, max_fields).parse_document()


@lru_cache(maxsize=256)
def _validate(
    schema: GraphQLSchema,
    document: DocumentNode,
    rules: tuple[type[ASTValidationRule], ...],
    hide_suggestions: bool,
) -> tuple[GraphQLError, ...]:
    return tuple(validate(schema, document, rules, hide_suggestions=hide_suggestions))


class QuietExecutionContext(SettlingExecutionContext):
    """Coerces variables without suggesting names ("Did you mean …?"): outside development."""

    @classmethod
    def build(cls, *args: Any, **kwargs: Any) -> Any:
        kwargs["hide_suggestions"] = True
        return super().build(*args, **kwargs)
