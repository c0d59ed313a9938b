"""Errors as data: the `Error` interface, its members, and the one helper that commits a mutation.

Expected, user-fixable errors are members of each mutation's result union. Not signed in and not
allowed are top-level errors with `extensions.code`. Anything else is a bug: masked and logged.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import strawberry
from graphql import GraphQLError
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from core.errors import Conflict, DomainError, InvalidInput, NotAllowed, NotAuthenticated, NotFound
from core.services import idempotency
from core.transactions import begin_writing
from schema.context import Info

T = TypeVar("T")


@strawberry.interface(description="Something the client can fix, returned in a mutation's result.")
class Error:
    message: str = strawberry.field(description="A sentence for people.")


@strawberry.type(description="One input field that is wrong, and why.")
class FieldError:
    field: str = strawberry.field(
        description="The path of the field in the mutation's input, e.g. `details.surfaceM2`."
    )
    message: str = strawberry.field(description="What is wrong with it.")


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
    if isinstance(error, InvalidInput):
        fields = [FieldError(field=camel_path(p.field), message=p.message) for p in error.problems]
        return InputError(message=error.message, fields=fields)
    if isinstance(error, NotFound):
        return NotFoundError(message=error.message)
    if isinstance(error, Conflict):
        return ConflictError(message=error.message)
    if isinstance(error, NotAllowed):
        return NotAllowedError(message=error.message)
    raise top_level(error)


def top_level(error: DomainError) -> GraphQLError:
    return GraphQLError(error.message, extensions={"code": error.code})


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
    success: Callable[[T], object],
    *,
    not_allowed_as_result: bool = False,
    idempotent: Idempotent[T] | None = None,
) -> object:
    """Run one service call and commit it, or roll everything back and return the error.

    Not allowed is a top-level error, unless the mutation's union has `NotAllowedError` (the
    viewer takes part, e.g. in an exchange, but lacks the role): then it is returned. With an
    idempotency key, a replay returns the first call's result and writes nothing.
    """
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
        if not_allowed_as_result:
            return NotAllowedError(message=error.message)
        raise top_level(error) from None
    except NotAuthenticated as error:
        await session.rollback()
        raise top_level(error) from None
    except DomainError as error:
        await session.rollback()
        return as_result(error)
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


def _claim(info: Info, idempotent: Idempotent[T] | None) -> idempotency.Claim | None:
    if idempotent is None or idempotent.key is None:
        return None
    return idempotency.claim(
        info.context.principal, idempotent.key, idempotent.operation, idempotent.payload
    )


async def _first_result(idempotent: Idempotent[T], pk: int) -> T:
    result = await idempotent.load(pk)
    if result is None:
        raise Conflict("What this idempotencyKey created is gone; use a new key.")
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
