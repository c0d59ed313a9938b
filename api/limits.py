"""An ASGI middleware that refuses request bodies over a size, before the app reads them.

A photo upload (a multipart POST to `/graphql`) may be larger than any other request: it has a
limit of its own, and a refusal that says how large a photo may be.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(Exception):
    pass


@dataclass(frozen=True)
class UploadLimit:
    """Multipart requests to `path` may carry up to `max_bytes`; over it, `message`."""

    max_bytes: int
    message: str
    path: str = "/graphql"


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, upload: UploadLimit | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload = upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        limit, message = self._limit(scope, headers)
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._refuse(scope, receive, send, message)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(scope, receive, send, message)

    def _limit(self, scope: Scope, headers: dict[bytes, bytes]) -> tuple[int, str]:
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        upload = self.upload
        if (
            upload is not None
            and scope.get("method") == "POST"
            and scope.get("path") == upload.path
            and content_type == b"multipart/form-data"
        ):
            return upload.max_bytes, upload.message
        return self.max_bytes, f"The request body is larger than {self.max_bytes} bytes."

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, message: str) -> None:
        body = {"errors": [{"message": message, "extensions": {"code": "PAYLOAD_TOO_LARGE"}}]}
        await JSONResponse(body, status_code=413)(scope, receive, send)


class HeaderSizeLimit:
    """Refuses oversized request headers with 431 before any of them is parsed (cookies, tokens)."""

    def __init__(self, app: ASGIApp, max_field_bytes: int = 8192, max_total_bytes: int = 32768):
        self.app = app
        self.max_field_bytes = max_field_bytes
        self.max_total_bytes = max_total_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            sizes = [len(name) + len(value) for name, value in scope["headers"]]
            if sizes and (max(sizes) > self.max_field_bytes or sum(sizes) > self.max_total_bytes):
                body = {
                    "errors": [
                        {
                            "message": "The request headers are too large.",
                            "extensions": {"code": "HEADERS_TOO_LARGE"},
                        }
                    ]
                }
                await JSONResponse(body, status_code=431)(scope, receive, send)
                return
        await self.app(scope, receive, send)
