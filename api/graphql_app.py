"""The `/graphql` endpoint: Strawberry's ASGI app with our context and one session per request."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

import strawberry
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError
from sqlalchemy.exc import DBAPIError
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette import status
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLRequestData
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ErrorMessage,
    SubscribeMessage,
)
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from api.auth.bearer import InvalidCredentials, principal_from_header
from api.auth.cookies import SESSION, csrf_problem, read_cookie
from api.auth.jwt_bearer import JwtBearer
from api.auth.routes import SignIn
from api.deadlines import Ending, within_deadline
from api.json_body import BodyRefused, decode
from api.metrics import observe_operation, operation_label
from api.rate_limit import RateLimits, TooManyBadTokens, authenticate, too_many
from api.response_cache import Executed, ResponseCache
from api.search_runtime import SearchRuntime
from api.trusted_requests import DocumentRefused, is_browser, require_trusted, resolve
from core.db import Database
from core.media.storage import LocalMediaStorage, MediaStorage
from core.settings import Settings
from core.wakeup import Wakeup
from schema.context import Context
from schema.request_limits import unparsed_cost
from schema.trusted_documents import TrustedDocuments

logger = logging.getLogger("entrelieux.auth")
_PLAIN_ACK: UnsetType = UNSET  # `connection_ack` without a payload


class _RequestSession:
    """Opens a session only if a resolver asks for one; closed when the response is sent, with
    the request's uploaded files (their temporary files)."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.session: AsyncSession | None = None
        self.request: Request | None = None
        self.context: Context | None = None
        self.malformed_cost = 0
        """Charged for a body refused before it is a GraphQL request (`_answer`)."""
        self.cached_cost = 0
        """Charged for an answer served from the response cache: what it cost when computed."""
        self.executed: Executed | None = None
        """The operation run (`execute_single`), for the response cache."""
        self.browser = False
        """A browser's WebSocket (`api/trusted_requests.py`)."""

    def query_cost(self) -> int:
        measured = self.context.query_cost if self.context is not None else 0
        return max(measured, self.malformed_cost, self.cached_cost)

    def open(self) -> AsyncSession:
        if self.session is None:
            self.session = self.database.sessionmaker()
        return self.session

    async def discard_session(self) -> None:
        """Forget the session of an operation that is run again (`execute_single`)."""
        if self.context is not None:
            await self.context.settle(cancel=True)
            self.context = None
        if self.session is not None:
            await _close(self.session, cancelled=True)
            self.session = None

    async def close(self, cancelled: bool = False) -> None:
        if self.context is not None:
            await self.context.settle(cancel=cancelled)
        if self.request is not None:
            await self.request.close()
        if self.session is not None:
            await _close(self.session, cancelled)


async def _close(session: AsyncSession, cancelled: bool) -> None:
    """Roll back and give the connection back to the pool. A cancelled operation may have
    left its connection closed under the session (asyncpg closes it when the cancellation
    reaches it mid-exchange, SQLAlchemy still holds its transaction): rolling back then fails
    with "the underlying connection is closed", which is no error of the request's; the
    connection is then discarded from the pool instead (`invalidate`), nothing having been
    committed. Any other failure, or one after an answered operation, goes on up."""
    try:
        await session.close()
    except DBAPIError:
        if not cancelled:
            raise
        await session.invalidate()


class _TransportWS(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws, with `documentId` in a `subscribe` payload as over HTTP."""

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        view = self.view
        assert isinstance(view, GraphQLApp)
        try:
            payload = resolve(dict(message["payload"]), view.trusted, text_too=True)
            bearer = any(k.lower() == "authorization" for k in self.context.connection_params or {})
            if (
                view.settings.trusted_documents == "browsers"
                and self.context.browser
                and not bearer
            ):
                require_trusted(payload.get("query"), view.trusted)
        except DocumentRefused as refusal:
            error = GraphQLError(str(refusal), extensions={"code": refusal.code})
            refused = ErrorMessage(id=message["id"], type="error", payload=[error.formatted])
            await self.send_message(refused)
            return
        await super().handle_subscribe(
            SubscribeMessage(id=message["id"], type="subscribe", payload=payload)
        )


class GraphQLApp(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = _TransportWS

    def __init__(
        self,
        schema: strawberry.Schema,
        settings: Settings,
        database: Database,
        search: SearchRuntime,
        sign_in: SignIn | None = None,
        commits: Wakeup | None = None,
        media: MediaStorage | None = None,
        rate_limits: RateLimits | None = None,
        cache: ResponseCache | None = None,
        trusted: TrustedDocuments | None = None,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.is_development else None,
            allow_queries_via_get=False,
            # Photos (the GraphQL multipart request spec); a cookie-authenticated upload must
            # carry the Entrelieux-Upload header (api/auth/cookies.py), and its size is bounded
            # while it is read (api/limits.py).
            multipart_uploads_enabled=True,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(seconds=10),
            max_subscriptions_per_connection=10,
            allowed_origins=sorted(settings.allowed_origins),
        )
        self.settings = settings
        self.database = database
        self.search = search
        self.sign_in = sign_in
        self.commits = commits or Wakeup()
        self.media = media or LocalMediaStorage(settings.media_folder)
        self.jwt = JwtBearer(sign_in.providers) if sign_in is not None else None
        self.rate_limits = rate_limits
        self.cache = cache
        self.trusted = trusted or TrustedDocuments({})
        """The web app's documents by id (`schema/trusted_documents.py`); the same object the
        schema's `RequestLimits` was built with."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
            return
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        header = request.headers.get("authorization")
        try:
            principal = await authenticate(self.database, header, self.jwt, scope, self.rate_limits)
        except TooManyBadTokens as error:
            await too_many(error.verdict, str(error))(scope, receive, send)
            return
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
        if self.rate_limits is not None:  # refused before the document is even parsed
            refusal, send = await self.rate_limits.admit_graphql(
                scope, send, principal, header, holder.query_cost
            )
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        scope.setdefault("state", {})["graphql"] = (principal, holder)
        seconds = self.settings.graphql_deadline_seconds
        ending = Ending.CLIENT_LEFT  # unless it ends otherwise: settle by cancelling
        answer = self._answer(scope, holder)
        if self.cache is not None and principal is None and header is None:
            browser = self.settings.trusted_documents == "browsers" and is_browser(
                self.settings, request.headers
            )
            partition = b"browser" if browser else b""
            answer = self.cache.wrap(answer, scope, holder, partition)  # anonymous reads only
        try:
            ending = await within_deadline(answer, scope, receive, send, seconds)
        finally:
            await holder.close(cancelled=ending is not Ending.ANSWERED)

    def _answer(
        self, scope: Scope, holder: _RequestSession
    ) -> Callable[[Receive, Send], Coroutine[Any, Any, None]]:
        """The operation itself, reading and answering through what the deadline hands it; a
        request Strawberry refuses (a malformed body) is answered in JSON, and charged to the
        caller's budget (`unparsed_cost`), so a flood of them is soon refused before its body is
        read."""

        async def answer(receive: Receive, send: Send) -> None:
            try:
                response = await self.run(Request(scope, receive))
            except HTTPException as error:
                holder.malformed_cost = unparsed_cost(self.settings)
                response = _bad_request(error)
            except DocumentRefused as refusal:  # charged the request's floor only
                response = refusal.response()
            await response(scope, receive, send)

        return answer

    def parse_json(self, data: str | bytes) -> Any:
        """The body (and a multipart request's `operations` and `map`), strictly read; a
        `documentId` becomes its trusted document's text (`api/trusted_requests.py`)."""
        try:
            return resolve(self.decode_json(data), self.trusted)
        except BodyRefused as error:
            raise HTTPException(400, str(error)) from None

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        """Strawberry's; with `TRUSTED_DOCUMENTS=browsers`, a browser's request runs only the
        web app's documents."""
        parsed = await super().parse_http_body(request)
        if self.settings.trusted_documents == "browsers" and is_browser(
            self.settings, request.headers
        ):
            for item in parsed if isinstance(parsed, list) else [parsed]:
                require_trusted(item.query, self.trusted)
        return parsed

    def decode_json(self, data: str | bytes) -> object:
        """Any JSON the endpoint reads (a WebSocket message too), within its nesting limit."""
        return decode(data, self.settings.graphql_max_json_depth)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The handshake: a bearer header, or the session cookie from an allowed origin only
        (a page elsewhere must not open a socket with the visitor's cookie); a bearer token may
        also come later, in the `connection_init` payload (see `on_ws_connect`)."""
        websocket = WebSocket(scope, receive, send)
        try:
            header = websocket.headers.get("authorization")
            principal = await authenticate(self.database, header, self.jwt, scope, self.rate_limits)
        except InvalidCredentials:
            await websocket.close(code=status.WS_1008_POLICY_VIOLATION)
            return
        has_cookie = read_cookie(self.settings, websocket, SESSION) is not None
        if principal is None and has_cookie and self.sign_in is not None:
            if problem := _origin_problem(self.settings, websocket):
                logger.warning("cookie-authenticated WebSocket refused: %s", problem)
                await websocket.close(code=status.WS_1008_POLICY_VIOLATION)
                return
            principal = await self.sign_in.principal_from_cookie(websocket)
        holder = _RequestSession(self.database)
        holder.browser = is_browser(self.settings, websocket.headers)
        scope.setdefault("state", {})["graphql"] = (principal, holder)
        try:
            await super().__call__(scope, receive, send)
        finally:
            await holder.close()

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """`connection_init` may carry `{"Authorization": "Bearer ..."}`; a bad one is refused."""
        params = context.connection_params or {}
        header = params.get("Authorization", params.get("authorization"))
        if header is None:
            return _PLAIN_ACK  # anonymous: `Subscription.notifications` answers UNAUTHENTICATED
        if not isinstance(header, str):
            raise ConnectionRejectionError()
        try:
            context.principal = await principal_from_header(self.database, header, self.jwt)
        except InvalidCredentials as error:
            logger.info("WebSocket connection_init refused: %s", error)
            raise ConnectionRejectionError() from None
        return _PLAIN_ACK

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """Strawberry's, measured for /metrics under the operation's name (api/metrics.py)."""
        label = operation_label(
            request_data.operation_name,
            request_data.query,
            self.settings.metrics_max_operations,
        )
        started, outcome = time.perf_counter(), "failed"
        try:
            result = await super().execute_single(
                request, request_adapter, sub_response, context, root_value, request_data
            )
            if context.lost_connection:
                # A query met a pooled connection the server had closed since its last use (a
                # restart, `pg_terminate_backend`): nothing was written, so it runs once more,
                # with a fresh session (the pool has dropped the dead connections meanwhile).
                await request.state.graphql[1].discard_session()
                context = await self.get_context(request, sub_response)
                result = await super().execute_single(
                    request, request_adapter, sub_response, context, root_value, request_data
                )
            outcome = "errors" if result.errors else "ok"
            request.state.graphql[1].executed = Executed(
                request_data.query, request_data.operation_name, not result.errors
            )
            return result
        finally:
            observe_operation(label, outcome, time.perf_counter() - started)

    def _committed(self) -> None:
        self.search.wake()
        self.commits.notify()

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        principal, holder = request.state.graphql
        if isinstance(request, Request):
            holder.request = request  # its form's files are closed with the session
        context = Context(
            settings=self.settings,
            principal=principal,
            open_session=holder.open,
            search=self.search.client,
            on_commit=self._committed,
            new_session=self.database.sessionmaker,
            commits=self.commits,
            media=self.media,
            rate_limiter=self.rate_limits.limiter if self.rate_limits else None,
            browser=holder.browser,
        )
        holder.context = context  # the session waits for its late work before it closes
        return context


def _origin_problem(settings: Settings, websocket: WebSocket) -> str | None:
    """Why a WebSocket handshake may not use the session cookie, or None.

    Browsers always send `Origin` on a WebSocket handshake, and SameSite does not keep cookies
    off a cross-site one: the origin must be ours or an allowed one (as for cookie posts).
    """
    origin = websocket.headers.get("origin")
    if origin is None:
        return "a WebSocket with a session cookie needs an allowed Origin"
    if origin.rstrip("/") not in settings.allowed_origins:
        return f"origin {origin[:100]!r} is not allowed"
    return None


def _forbidden(problem: str) -> Response:
    message = f"Cross-site request refused: {problem}."
    body = {"errors": [{"message": message, "extensions": {"code": "CSRF_REFUSED"}}]}
    return JSONResponse(body, status_code=403)


def _bad_request(error: HTTPException) -> Response:
    """Strawberry's refusals of a request (not JSON, no query, wrong method) as JSON."""
    code = "BAD_REQUEST" if error.status_code == 400 else "HTTP_ERROR"
    body = {"errors": [{"message": error.reason, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=error.status_code)


def _unauthorized(message: str) -> Response:
    body = {"errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]}
    return JSONResponse(body, status_code=401, headers={"WWW-Authenticate": "Bearer"})
