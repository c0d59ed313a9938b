"""Rate limits at the HTTP edge: who is calling, the `RateLimit-*` headers, the 429 answer.

`/graphql` charges each request to its caller's budget of points: a bearer token (by the SHA-256
of its secret, never the secret), a signed-in browser (by person), or else the client's IP. An
exhausted budget is refused before the document is even parsed; an admitted request is charged
what it turned out to cost (`Context.query_cost`, at least RATE_LIMIT_GRAPHQL_REQUEST_POINTS:
the HTTP request's own work) once it is answered, so one costly
request may overdraw the budget and the next ones wait. `/auth/login` counts per IP, and refused
bearer tokens per IP: past their budget, 429 before the token is looked at.

The client's IP is the peer's address (`scope["client"]`): `entrelieux serve` lets uvicorn
rewrite it from X-Forwarded-For only for the proxies of TRUSTED_PROXIES.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable

from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse, Response
from starlette.types import Message, Scope, Send

from api.auth.bearer import InvalidCredentials, principal_from_header
from api.auth.jwt_bearer import JwtBearer
from api.metrics import count_refusal
from core.db import Database
from core.rate_limiter import RateLimiter
from core.services.principal import Principal
from core.services.rate_limits import Budget, Budgets, Verdict
from core.settings import Settings


class RateLimits:
    """The app's one limiter and its budgets (built only when rate limits are on)."""

    def __init__(self, settings: Settings, database: Database) -> None:
        self.budgets = Budgets.from_settings(settings)
        self.request_points = settings.rate_limit_graphql_request_points
        self.limiter = RateLimiter(
            database.sessionmaker, settings.rate_limit_sync_seconds, on_refused=count_refusal
        )

    def graphql_caller(
        self, scope: Scope, principal: Principal | None, header: str | None
    ) -> tuple[Budget, str]:
        """The budget a GraphQL request is charged to, and its caller's key."""
        if header is not None and principal is not None:
            secret = header.partition(" ")[2].strip()
            return self.budgets.graphql_token, f"token:{_digest(secret)}"
        if principal is not None:
            return self.budgets.graphql_person, f"person:{principal.person_id}"
        return self.budgets.graphql_anonymous, f"ip:{client_ip(scope)}"

    async def admit_graphql(
        self,
        scope: Scope,
        send: Send,
        principal: Principal | None,
        header: str | None,
        cost: Callable[[], int],
    ) -> tuple[Response | None, Send]:
        """A 429 when the caller's budget is spent; else `send`, charging what `cost()` says
        once the response starts and adding the RateLimit-* headers."""
        budget, caller = self.graphql_caller(scope, principal, header)
        admitted = await self.limiter.check(budget, caller)
        if not admitted.allowed:
            return too_many(admitted, "Too many requests: this caller's budget is spent."), send
        return None, charging_send(send, ChargeAfter(self, budget, caller, admitted, cost))

    async def close(self) -> None:
        await self.limiter.close()


class TooManyBadTokens(InvalidCredentials):
    """This address sent too many refused bearer tokens: its next ones are not even checked."""

    def __init__(self, verdict: Verdict) -> None:
        super().__init__("Too many refused bearer tokens from this address: wait.")
        self.verdict = verdict


async def authenticate(
    database: Database,
    header: str | None,
    jwt: JwtBearer | None,
    scope: Scope,
    limits: RateLimits | None,
) -> Principal | None:
    """`principal_from_header`, refused at once (`TooManyBadTokens`) for an address past its
    budget of refused tokens; each `InvalidCredentials` is charged to the address."""
    if limits is None or header is None:
        return await principal_from_header(database, header, jwt)
    budget, address = limits.budgets.bad_tokens, client_ip(scope)
    verdict = await limits.limiter.peek(budget, address)
    if not verdict.allowed:
        raise TooManyBadTokens(verdict)
    try:
        return await principal_from_header(database, header, jwt)
    except InvalidCredentials:
        await limits.limiter.charge(budget, address, 1)
        raise


def client_ip(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()[:32]


def headers_of(verdict: Verdict) -> dict[str, str]:
    """The IETF draft's RateLimit-Limit, -Remaining and -Reset (seconds)."""
    return {
        "RateLimit-Limit": str(verdict.limit),
        "RateLimit-Remaining": str(verdict.remaining),
        "RateLimit-Reset": str(verdict.reset),
    }


def too_many(verdict: Verdict, message: str) -> JSONResponse:
    """HTTP 429 with Retry-After, and the body of a GraphQL error `RATE_LIMITED`."""
    extensions = {"code": "RATE_LIMITED", "retryAfter": verdict.retry_after}
    return JSONResponse(
        {"errors": [{"message": message, "extensions": extensions}]},
        status_code=429,
        headers={
            "Retry-After": str(verdict.retry_after),
            "Cache-Control": "no-store",
            **headers_of(verdict),
        },
    )


def charging_send(send: Send, charge: Callable[[], Awaitable[Verdict]]) -> Send:
    """`send`, adding the RateLimit-* headers once the request's cost is known (at the start
    of the response: Strawberry answers after running the document)."""

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            verdict = await charge()
            headers = MutableHeaders(scope=message)
            for name, value in headers_of(verdict).items():
                headers[name] = value
        await send(message)

    return wrapped


class ChargeAfter:
    """Charges an admitted request what its context says it cost, once."""

    def __init__(
        self,
        limits: RateLimits,
        budget: Budget,
        caller: str,
        admitted: Verdict,
        cost: Callable[[], int],
    ) -> None:
        self.limits = limits
        self.budget = budget
        self.caller = caller
        self.verdict = admitted
        self.cost = cost
        self.charged = False

    async def __call__(self) -> Verdict:
        if not self.charged:
            self.charged = True
            cost = max(self.limits.request_points, self.cost())
            # `check` charged 1 when it admitted the request: the rest now.
            if cost > 1:
                self.verdict = await self.limits.limiter.charge(self.budget, self.caller, cost - 1)
        return self.verdict
