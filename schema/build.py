"""Build the schema once per app, with its limits built once too (see DESIGN.md, known traps)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import strawberry
from graphql import GraphQLError
from graphql.validation import ASTValidationRule
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig

from core.settings import Settings
from schema.control_characters import RefuseControlCharacters
from schema.error_codes import ERROR_CODE_ENUMS
from schema.errors import should_mask
from schema.execution import SettlingExecutionContext, settle_siblings
from schema.root import NODE_TYPES, Mutation, Query
from schema.scalars import SCALAR_OVERRIDES
from schema.sign_in_first import SignInBeforeMutations
from schema.subscriptions import Subscription


def _limit_rules(settings: Settings) -> list[type[ASTValidationRule]]:
    """Depth and alias rules as classes made once: the validation cache keys on them."""
    depth = QueryDepthLimiter(max_depth=settings.graphql_max_depth)
    aliases = MaxAliasesLimiter(max_alias_count=settings.graphql_max_aliases)
    return [*depth.validation_rules, *aliases.validation_rules]


def build_schema(settings: Settings) -> strawberry.Schema:
    rules = _limit_rules(settings)
    extensions: list[Callable[[], SchemaExtension]] = [
        partial(MaxTokensLimiter, max_token_count=settings.graphql_max_tokens),
        partial(ParserCache, maxsize=256),
        partial(AddValidationRules, rules),
        partial(ValidationCache, maxsize=256),
        SignInBeforeMutations,
        RefuseControlCharacters,
        partial(MaskErrors, should_mask_error=should_mask, error_message="Internal error."),
    ]
    if not settings.is_development:
        extensions.append(DisableIntrospection)
    settle_siblings()
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[*NODE_TYPES, *ERROR_CODE_ENUMS],
        extensions=extensions,
        config=StrawberryConfig(auto_camel_case=True),
        scalar_overrides=SCALAR_OVERRIDES,
        execution_context_class=SettlingExecutionContext,
    )


def print_sdl(settings: Settings) -> str:
    return build_schema(settings).as_str() + "\n"


__all__ = ["GraphQLError", "build_schema", "print_sdl"]
