"""Errors as data: the `Error` interface, its members, and the one helper that commits a mutation.

Expected, user-fixable errors are members of each mutation's result union, each with its `code`
(and every wrong field with its own). Not signed in and not allowed are top-level errors with
`extensions.code` (`UNAUTHENTICATED`, `FORBIDDEN`) and `extensions.reason` (the error's code).
Anything else is a bug: masked and logged.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar, cast

import strawberry
from graphql import GraphQLError
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from core.error_codes import IdempotencyErrorCode
from core.errors import (
    Conflict,
    DomainError,
    FieldProblem,
    InvalidInput,
    NotAllowed,
    NotAuthenticated,
    NotFound,
)
from core.services import idempotency
from core.transactions import begin_writing
from schema.context import Info
from schema.rate_limits import count_creation

T = TypeVar("T")
R = TypeVar("R")

CODE_DESCRIPTION = (
    "Why, for programs: a value of one of the `…ErrorCode` enums (e.g. "
    "`ListingErrorCode.DATES_OUT_OF_ORDER`), stable across releases and wordings."
)
VALUE_DESCRIPTION = (
    "What the `{value}` of the code's message stands for, if anything: a bound (`TOO_LONG`: the "
    "most characters allowed), what is left (`NOT_ENOUGH_LEFT`), a date (`BEFORE_AVAILABLE_FROM`), "
    "the text given (`UNKNOWN_COMMUNE`)."
)


@strawberry.interface(description="Something the client can fix, returned in a mutation's result.")
class Error:
    message: str = strawberry.field(description="A sentence for people.")
    code: str = strawberry.field(description=CODE_DESCRIPTION)
    value: str | None = strawberry.field(default=None, description=VALUE_DESCRIPTION)


@strawberry.type(description="One input field that is wrong, and why.")
class FieldError:
    field: str = strawberry.field(
        description="The path of the field in the mutation's input, e.g. `details.surfaceM2`."
    )
    message: str = strawberry.field(description="What is wrong with it.")
    code: str = strawberry.field(description=CODE_DESCRIPTION)
    value: str | None = strawberry.field(default=None, description=VALUE_DESCRIPTION)


@strawberry.type(description="The input is invalid; nothing was written.")
class InputError(Error):
    fields: list[FieldError] = strawberry.field(description="Every field that is wrong.")


@strawberry.type(description="The object does not exist, or the viewer may not see it.")
class NotFoundError(Error):
    pass


@strawberry.type(description="The request contradicts the current state; nothing was written.")
class ConflictError(Error):
    pass


@strawberry.type(
    description="The viewer takes part but may not do this (e.g. a member without the role); "
    "nothing was written."
)
class NotAllowedError(Error):
    pass


ErrorResult = InputError | NotFoundError | ConflictError | NotAllowedError


def camel_path(path: str) -> str:
    """`details.surface_m2` as the client wrote it: `details.surfaceM2`."""
    return ".".join(
        re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), part) for part in path.split(".")
    )


def as_result(error: DomainError) -> ErrorResult:
    message, code, value = error.message, error.code.name, error.value
    if isinstance(error, InvalidInput):
        fields = [field_error(problem) for problem in error.problems]
        return InputError(message=message, code=code, value=value, fields=fields)
    if isinstance(error, NotFound):
        return NotFoundError(message=message, code=code, value=value)
    if isinstance(error, Conflict):
        return ConflictError(message=message, code=code, value=value)
    if isinstance(error, NotAllowed):
        return NotAllowedError(message=message, code=code, value=value)
    raise top_level(error)


def field_error(problem: FieldProblem) -> FieldError:
    return FieldError(
        field=camel_path(problem.field),
        message=problem.message,
        code=problem.code.name,
        value=problem.value,
    )


def top_level(error: DomainError) -> GraphQLError:
    extensions = {"code": error.extension_code, "reason": error.code.name}
    return GraphQLError(error.message, extensions=extensions)


async def read_or_refuse(read: Awaitable[T]) -> T:
    """A field's read that a service may refuse (not allowed, not found): the refusal becomes
    the field's top-level error, as `top_level` words it."""
    try:
        return await read
    except DomainError as error:
        raise top_level(error) from None


@dataclass(frozen=True)
class Idempotent(Generic[T]):
    """How a creating mutation replays: its client's key, the input that key stands for, and how
    to load what the first call created."""

    key: str | None
    operation: str
    payload: object
    load: Callable[[int], Awaitable[T | None]]
    pk: Callable[[T], int | None]


class _Row(Protocol):
    @property
    def id(self) -> int | None: ...


class _KeyedInput(Protocol):
    @property
    def idempotency_key(self) -> str | None: ...


Row = TypeVar("Row", bound=_Row)


def creation(info: Info, operation: str, input: _KeyedInput, model: type[Row]) -> Idempotent[Row]:
    """How a mutation creating a `model` row from `input` replays: by the input's key, for the
    input without it; the first call's row is read back by its primary key."""
    return Idempotent(
        input.idempotency_key,
        operation,
        strawberry.asdict(input) | {"idempotency_key": None},
        lambda pk: info.context.session.get(model, pk),
        lambda row: row.id,
    )


async def run_mutation(
    info: Info,
    change: Callable[[], Awaitable[T]],
    success: Callable[[T], R],
    *,
    idempotent: Idempotent[T] | None = None,
) -> R:
    """Run one service call and commit it, or roll everything back and return the error.

    `R` is the resolver's result union: the success type, and the error types the mutation can
    return; an error outside that union is a bug (see `_in_union`). Not allowed is a top-level
    error, unless the mutation's union has `NotAllowedError` (the viewer takes part, e.g. in an
    exchange, but lacks the role): then it is returned. With an idempotency key, a replay returns
    the first call's result and writes nothing.
    """
    await count_creation(info)  # creating mutations: a budget per organization
    session = info.context.session
    try:
        await begin_writing(session)
        claim = _claim(info, idempotent)
        if idempotent and claim and (first := await idempotency.recall(session, claim)):
            result = await _first_result(idempotent, first)
            await session.commit()  # wrote nothing; a rollback would expire what was loaded
            return success(result)
        result = await change()
        if idempotent and claim:
            await _remember(session, claim, idempotent.pk(result))
        await session.commit()
        info.context.on_commit()
    except _Raced:
        # A concurrent call with the same key committed first: answer with its result.
        await session.rollback()
        assert idempotent is not None
        return await run_mutation(info, change, success, idempotent=idempotent)
    except NotAllowed as error:
        await session.rollback()
        if NotAllowedError in _members(info):
            return cast(R, as_result(error))
        raise top_level(error) from None
    except NotAuthenticated as error:
        await session.rollback()
        raise top_level(error) from None
    except DomainError as error:
        await session.rollback()
        return cast(R, _in_union(info, as_result(error)))
    except BaseException:
        await session.rollback()
        raise
    return success(result)


IDEMPOTENCY_KEY_DESCRIPTION = (
    "Your own unique key for this creation (1 to 100 letters, digits or `_.:-`): sent again, "
    "it returns what the first call created; with another input, a ConflictError."
)


def idempotency_key_field() -> Any:
    """The optional `idempotencyKey` of a creating mutation's input."""
    return strawberry.field(default=None, description=IDEMPOTENCY_KEY_DESCRIPTION)


def without_key(input: object) -> dict[str, Any]:
    """An input's values as the service reads them: without its idempotency key."""
    return {k: v for k, v in vars(input).items() if k != "idempotency_key"}


class _Raced(Exception):
    pass


def _in_union(info: Info, error: ErrorResult) -> ErrorResult:
    """`error`, a member of the resolver's union; a type the union lacks is a bug, raised as one
    (the union lists only the errors the mutation can return, so `R` holds what is returned)."""
    members = _members(info)
    if members and type(error) not in members:
        raise TypeError(f"{info.field_name} cannot return {type(error).__name__}: {error.code}")
    return error


def _members(info: Info) -> tuple[type, ...]:
    """The types of the resolver's result union (none for a mutation without one)."""
    return tuple(getattr(info.return_type, "types", ()))


def _claim(info: Info, idempotent: Idempotent[T] | None) -> idempotency.Claim | None:
    if idempotent is None or idempotent.key is None:
        return None
    return idempotency.claim(
        info.context.principal, idempotent.key, idempotent.operation, idempotent.payload
    )


async def _first_result(idempotent: Idempotent[T], pk: int) -> T:
    result = await idempotent.load(pk)
    if result is None:
        raise Conflict(IdempotencyErrorCode.IDEMPOTENT_RESULT_GONE)
    return result


async def _remember(session: AsyncSession, claim: idempotency.Claim, pk: int | None) -> None:
    assert pk is not None
    try:
        async with session.begin_nested():
            await idempotency.remember(session, claim, pk)
    except IntegrityError:
        raise _Raced from None


def should_mask(error: GraphQLError) -> bool:
    """Mask bugs: errors that came from an exception and carry no `extensions.code`."""
    return error.original_error is not None and not (error.extensions or {}).get("code")
