"""One id per HTTP request: read from a sane `X-Request-Id` (a proxy's), or made here; kept in a
context variable the log formatter reads (`api/logs.py`) and returned in the response's
`X-Request-Id` header, on every response, a refusal or a crash's 500 included."""

from __future__ import annotations

import logging
import re
import secrets
from contextvars import ContextVar

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "X-Request-Id"
SANE = re.compile(r"[A-Za-z0-9._-]{1,64}")
REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
logger = logging.getLogger("entrelieux.http")


def request_id_of(header: str | None) -> str:
    """The client's (or proxy's) id when it is sane, else a new one."""
    if header is not None and SANE.fullmatch(header):
        return header
    return secrets.token_hex(8)


class RequestId:
    """Outermost middleware: the id is set before anything else runs, for the logs of all."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(Headers(scope=scope).get(HEADER))
        token = REQUEST_ID.set(request_id)
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except ClientDisconnect:
            # The client closed its connection while its body was read (a closed tab, a load
            # tool ending its run): a normal event, with no one left to answer (counted by
            # `HttpMetrics`).
            logger.info("the client left before its request was read: no answer sent")
        except Exception:
            if started:
                raise
            # Answered here rather than by Starlette's error middleware, so even this 500 says
            # its id; the traceback is logged once, with the id.
            logger.exception("unhandled error in %s %s", scope.get("method"), scope.get("path"))
            await send_with_id(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8")],
                }
            )
            await send({"type": "http.response.body", "body": b"Internal Server Error"})
        finally:
            REQUEST_ID.reset(token)
