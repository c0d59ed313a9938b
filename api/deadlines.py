"""Every GraphQL operation over HTTP runs under a deadline, and stops when its client leaves.

`within_deadline` runs the operation as a task beside a watch on the connection: once the body
has been read (Strawberry reads it first, whole), nothing else reads `receive`, so the watch
reads it and sees `http.disconnect` when the client goes. Whichever comes first of the answer,
the deadline (`Settings.graphql_deadline_seconds`, counted from when the body is in) and the
client's leaving ends the others; the operation is cancelled where it stands (a statement in
flight included: SQLAlchemy then drops that connection from the pool instead of reusing it, and
on SQLite `core/db.py` interrupts its statement), and the caller settles the request's late work
and closes its session only after (`api/graphql_app.py` `_RequestSession.close`). A client that
leaves, while its body is read or while its operation runs, is a normal event: one INFO line
with the request's id, no answer attempted, counted in /metrics (`note_client_left`).

Past the deadline the client gets HTTP 504 and one error with `extensions.code: "TIMEOUT"`: a
5xx because no part of the answer is valid and the fault is not in what was sent (the same
operation may pass when the service is less busy); 504 as a gateway's, since the time went to
the database or the search engine behind the API. WebSocket subscriptions are not bounded here:
a stream lives as long as its client.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

from starlette.requests import ClientDisconnect
from starlette.responses import JSONResponse, Response
from starlette.types import Message, Receive, Scope, Send

from api.metrics import note_client_left

logger = logging.getLogger("entrelieux.deadlines")


class Ending(enum.Enum):
    ANSWERED = "answered"
    TIMED_OUT = "timed out"
    CLIENT_LEFT = "client left"


async def within_deadline(
    operation: Callable[[Receive, Send], Coroutine[Any, Any, None]],
    scope: Scope,
    receive: Receive,
    send: Send,
    seconds: float,
) -> Ending:
    """Run `operation(receive, send)` until it answers, `seconds` pass once its body is read,
    or the client leaves. Past the deadline, an operation that has not begun its answer is
    answered `timeout_response` at once, then waited for while it unwinds its cancellation."""
    body_read = asyncio.Event()
    answering = False
    silenced = False  # once the deadline has answered, the operation sends nothing more

    async def reading_body() -> Message:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            body_read.set()
        return message

    async def sending(message: Message) -> None:
        nonlocal answering
        if silenced:
            return
        answering = answering or message["type"] == "http.response.start"
        await send(message)

    async def client_leaves() -> None:
        await body_read.wait()
        while (await receive())["type"] != "http.disconnect":
            pass

    work = asyncio.create_task(operation(reading_body, sending), name="graphql-operation")
    read = asyncio.create_task(body_read.wait(), name="graphql-body-read")
    watch = asyncio.create_task(client_leaves(), name="graphql-disconnect-watch")
    ending = Ending.CLIENT_LEFT
    try:
        # The clock starts once the body is in: a photo on a slow link is not the operation's
        # time (its size is bounded while it is read, `api/limits.py`).
        await asyncio.wait({work, read}, return_when=asyncio.FIRST_COMPLETED)
        done, _ = await asyncio.wait(
            {work, watch}, timeout=seconds, return_when=asyncio.FIRST_COMPLETED
        )
        if work in done and _left_while_read(work):
            logger.info("the client left before its request was read: no answer sent")
            note_client_left(scope, "body")
        elif work in done:
            ending = Ending.ANSWERED
        elif watch in done:
            logger.info("GraphQL operation cancelled: the client left")
            note_client_left(scope, "operation")
        else:
            logger.warning("GraphQL operation cancelled after its %g s deadline", seconds)
            work.cancel()
            ending = Ending.ANSWERED if answering else Ending.TIMED_OUT
            silenced = True
            if ending is Ending.TIMED_OUT:
                await timeout_response(seconds)(scope, receive, send)
    finally:
        for task in (read, watch, work):
            # Once only: a second cancel would cut short the unwinding of the first (asyncpg
            # cancels the statement on the server before it closes the connection).
            if not task.done() and not task.cancelling():
                task.cancel()
            # The operation's own error, if any, goes on up; not its client's leaving.
            with contextlib.suppress(asyncio.CancelledError, ClientDisconnect):
                await task
    return ending


def _left_while_read(work: asyncio.Task[None]) -> bool:
    """The operation ended because its client left while its body was read (Starlette's
    `ClientDisconnect`: a closed tab, a load tool ending its run), not by answering."""
    return not work.cancelled() and isinstance(work.exception(), ClientDisconnect)


_ABANDONED_CONNECT = "unexpected connection_lost() call"


@contextlib.contextmanager
def quiet_abandoned_connects(loop: asyncio.AbstractEventLoop) -> Iterator[None]:
    """While the app runs, one known wart of asyncpg (MagicStack/asyncpg#1211, #1310) is not
    logged as an asyncio ERROR: when a cancelled operation's connection is closed
    while asyncpg is still opening a connection to send the server its cancel request, that
    connection's SSL negotiation future keeps a `ConnectionError("unexpected connection_lost()
    call")` that no one awaits, and asyncio reports "Future exception was never retrieved". It
    follows a client's leaving (`within_deadline`), already logged once, and is no error;
    every other unhandled exception is reported as before."""
    previous = loop.get_exception_handler()

    def handle(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        error = context.get("exception")
        if isinstance(error, ConnectionError) and str(error) == _ABANDONED_CONNECT:
            return
        if previous is not None:
            previous(loop, context)
        else:
            loop.default_exception_handler(context)

    loop.set_exception_handler(handle)
    try:
        yield
    finally:
        loop.set_exception_handler(previous)


def timeout_response(seconds: float) -> Response:
    message = f"The operation took longer than {seconds:g} s and was stopped."
    body = {"data": None, "errors": [{"message": message, "extensions": {"code": "TIMEOUT"}}]}
    return JSONResponse(body, status_code=504)
