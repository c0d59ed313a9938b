"""Build the schema once per app, with its limits built once too (see DESIGN.md, known traps)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

import strawberry
from graphql import GraphQLError
from sqlalchemy.exc import DBAPIError
from strawberry.extensions import (
    DisableIntrospection,
    MaskErrors,
    SchemaExtension,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from core.settings import Settings
from schema import fast_fields
from schema.context import Context
from schema.control_characters import RefuseControlCharacters
from schema.error_codes import ERROR_CODE_ENUMS
from schema.errors import should_mask
from schema.execution import SettlingExecutionContext, settle_siblings
from schema.request_limits import QuietExecutionContext, RequestLimits
from schema.root import NODE_TYPES, Mutation, Query
from schema.scalars import SCALAR_OVERRIDES
from schema.sign_in_first import SignInBeforeMutations
from schema.subscriptions import Subscription
from schema.trusted_documents import TrustedDocuments

logger = logging.getLogger("strawberry.execution")


class _Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log bugs (what `MaskErrors` hides) with their traceback; a refusal the caller reads
        in its answer (a limit, a bad input, a missing sign-in) only at DEBUG, so a flood of
        refused requests is not a flood of log lines. A query that met a connection the server
        had closed (a restart, `pg_terminate_backend`) is marked to run again (`Context`)."""
        for error in errors:
            if execution_context is not None and _lost_connection(error):
                context = execution_context.context
                if isinstance(context, Context):
                    read = execution_context.operation_type == OperationType.QUERY
                    context.lost_connection = context.lost_connection or read
            if should_mask(error):
                logger.error(error, exc_info=error.original_error)
            else:
                logger.debug("refused: %s", error.message)


def _lost_connection(error: GraphQLError) -> bool:
    original = error.original_error
    return isinstance(original, DBAPIError) and original.connection_invalidated


def build_schema(settings: Settings, trusted: TrustedDocuments | None = None) -> strawberry.Schema:
    # Tokens and fields are counted while parsing; cost, depth, aliases and fields on the parsed
    # document, before graphql-core's validation rules (`schema/request_limits.py`); the web
    # app's `trusted` documents once each (`schema/trusted_documents.py`).
    extensions: list[Callable[[], SchemaExtension]] = [
        partial(RequestLimits, settings, trusted),
        SignInBeforeMutations,
        RefuseControlCharacters,
        partial(MaskErrors, should_mask_error=should_mask, error_message="Internal error."),
    ]
    if not settings.is_development:
        extensions.append(DisableIntrospection)
    settle_siblings()
    schema = _Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[*NODE_TYPES, *ERROR_CODE_ENUMS],
        extensions=extensions,
        config=StrawberryConfig(auto_camel_case=True),
        scalar_overrides=SCALAR_OVERRIDES,
        execution_context_class=(
            SettlingExecutionContext if settings.is_development else QuietExecutionContext
        ),
    )
    fast_fields.install(schema._schema)
    return schema


def print_sdl(settings: Settings) -> str:
    return build_schema(settings).as_str() + "\n"


__all__ = ["GraphQLError", "build_schema", "print_sdl"]
