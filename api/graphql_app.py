"""The `/graphql` endpoint: Strawberry's ASGI app with our context and one session per request."""

from __future__ import annotations

import logging
from typing import Any

import strawberry
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from api.auth.bearer import InvalidCredentials, principal_from_header
from api.auth.cookies import csrf_problem
from api.auth.jwt_bearer import JwtBearer
from api.auth.routes import SignIn
from api.db import Database
from api.search_runtime import SearchRuntime
from api.settings import Settings
from schema.context import Context

logger = logging.getLogger("entrelieux.auth")


class _RequestSession:
    """Opens a session only if a resolver asks for one; closed when the response is sent."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.session: AsyncSession | None = None

    def open(self) -> AsyncSession:
        if self.session is None:
            self.session = self.database.sessionmaker()
        return self.session

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()


class GraphQLApp(GraphQL[Context, None]):
    def __init__(
        self,
        schema: strawberry.Schema,
        settings: Settings,
        database: Database,
        search: SearchRuntime,
        sign_in: SignIn | None = None,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.is_development else None,
            allow_queries_via_get=False,
        )
        self.settings = settings
        self.database = database
        self.search = search
        self.sign_in = sign_in
        self.jwt = JwtBearer(sign_in.providers) if sign_in is not None else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        header = request.headers.get("authorization")
        try:
            principal = await principal_from_header(self.database, header, self.jwt)
        except InvalidCredentials as error:
            await _unauthorized(str(error))(scope, receive, send)
            return
        if header is None and self.sign_in is not None:
            principal = await self.sign_in.principal_from_cookie(request)
            posted = principal is not None and request.method == "POST"
            if posted and (problem := csrf_problem(self.settings, request)):
                logger.warning("cookie-authenticated request refused: %s", problem)
                await _forbidden(problem)(scope, receive, send)
                return
        holder = _RequestSession(self.database)
        scope.setdefault("state", {})["graphql"] = (principal, holder)
        try:
            await super().__call__(scope, receive, send)
        finally:
            await holder.close()

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        principal, holder = request.state.graphql
        return Context(
            settings=self.settings,
            principal=principal,
            open_session=holder.open,
            search=self.search.client,
            on_commit=self.search.wake,
        )


def _forbidden(problem: str) -> Response:
    message = f"Cross-site request refused: {problem}."
    body = {"errors": [{"message": message, "extensions": {"code": "CSRF_REFUSED"}}]}
    return JSONResponse(body, status_code=403)


def _unauthorized(message: str) -> Response:
    body = {"errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]}
    return JSONResponse(body, status_code=401, headers={"WWW-Authenticate": "Bearer"})
