"""Browser sign-in: `/auth/login/{provider}`, `/auth/callback/{provider}`, `/auth/logout`.

The callback creates a session only after every check passed: the `state` is this browser's,
unexpired and unused; the code is exchanged at the exact redirect URI; the ID token (and, for
ProConnect, the userinfo JWT) is verified; the SIRET claim passes its check. A refusal writes
nothing but the spent `state`, and is logged without any token.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from urllib.parse import quote

from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from api.auth.cookies import (
    PRE_LOGIN,
    SESSION,
    clear_cookie,
    csrf_problem,
    read_cookie,
    set_cookie,
)
from api.auth.oidc import Provider, ProviderDown, Providers, SignInRefused
from api.auth.signin_page import demo_accounts, signin_page
from api.rate_limit import RateLimits, client_ip
from core.db import Database
from core.errors import InvalidInput
from core.models import PendingLogin, PendingPurpose
from core.services.identities import SignedIn, VerifiedIdentity, sign_in
from core.services.principal import Principal
from core.services.web_sessions import (
    close_session,
    consume_state,
    new_secret,
    open_session,
    remember_state,
    session_principal,
)
from core.settings import Settings
from core.transactions import begin_writing, commit_touch

logger = logging.getLogger("entrelieux.auth")

_SAFE_RETURN = re.compile(r"/(?![/\\])[^\s\\]{0,400}")
LOGOUT_CALLBACK = "/auth/logout/callback"


def _first_stop(signed: SignedIn, return_to: str) -> str:
    """On a first sign-in that left a name to tell (the person's, or their new organization's
    when the provider gave only its SIRET), the welcome page asks for it, then goes on."""
    organization = signed.organization
    unnamed = organization is not None and not organization.name_confirmed
    if signed.new_person and (not signed.person.name_confirmed or unnamed):
        return f"/bienvenue?next={quote(return_to, safe='/')}"
    return return_to


def _problem(status: int, error: str, message: str) -> JSONResponse:
    return JSONResponse(
        {"error": error, "message": message},
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )


class SignIn:
    """The sign-in routes and the session cookie's principal, over one set of providers."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        providers: Providers,
        limits: RateLimits | None = None,
    ) -> None:
        self.settings = settings
        self.database = database
        self.providers = providers
        self.limits = limits

    def routes(self) -> list[Route]:
        return [
            Route("/auth/providers", self.list_providers, methods=["GET"]),
            Route("/auth/signin", self.page, methods=["GET"]),
            Route("/auth/login/{provider}", self.login, methods=["GET"]),
            Route("/auth/callback/{provider}", self.callback, methods=["GET"]),
            Route("/auth/logout", self.logout, methods=["POST"]),
            Route(LOGOUT_CALLBACK, self.logout_callback, methods=["GET"]),
        ]

    def redirect_uri(self, provider: Provider) -> str:
        return f"{self.settings.base_url}/auth/callback/{provider.name}"

    async def principal_from_cookie(self, request: HTTPConnection) -> Principal | None:
        """The session cookie's person, from an HTTP request or a WebSocket handshake."""
        secret = read_cookie(self.settings, request, SESSION)
        if secret is None:
            return None
        idle = timedelta(seconds=self.settings.session_idle_seconds)
        async with self.database.session() as session:
            principal = await session_principal(session, secret, idle)
            await commit_touch(session)
        return principal

    async def page(self, _request: Request) -> Response:
        return signin_page(self.settings, self.providers)

    async def list_providers(self, _request: Request) -> Response:
        listing: dict[str, object] = {"providers": self.providers.listing()}
        if self.settings.is_development:
            listing["demo_accounts"] = demo_accounts()
        return JSONResponse(listing)

    async def login(self, request: Request) -> Response:
        provider = self.providers.get(request.path_params["provider"])
        if provider is None:
            return _problem(404, "unknown_provider", "No such sign-in provider.")
        if self.limits is not None:  # each sign-in started writes a pending_login row
            verdict = await self.limits.limiter.check(
                self.limits.budgets.login, client_ip(request.scope)
            )
            if not verdict.allowed:
                response = _problem(429, "rate_limited", "Too many sign-ins started: wait.")
                response.headers["Retry-After"] = str(verdict.retry_after)
                return response
        wanted = request.query_params.get("next", "/")
        return_to = wanted if _SAFE_RETURN.fullmatch(wanted) else "/"
        browser = read_cookie(self.settings, request, PRE_LOGIN) or new_secret()
        async with self.database.session() as session:
            await begin_writing(session)  # writes: SQLite takes its lock at BEGIN
            issued = await remember_state(
                session,
                purpose=PendingPurpose.LOGIN,
                provider=provider.name,
                browser_secret=browser,
                lifetime=timedelta(seconds=self.settings.login_state_seconds),
                return_to=return_to,
                keep_at_most=self.settings.pending_login_max_rows,
            )
            try:
                url = await provider.authorization_url(
                    self.redirect_uri(provider), issued.state, issued.nonce, issued.code_verifier
                )
            except ProviderDown as error:
                logger.warning("sign-in not started: %s", error)
                return _problem(502, "provider_unavailable", "The provider does not answer.")
            await session.commit()
        redirect = RedirectResponse(url, status_code=302, headers={"Cache-Control": "no-store"})
        set_cookie(self.settings, redirect, PRE_LOGIN, browser, self.settings.login_state_seconds)
        return redirect

    async def callback(self, request: Request) -> Response:
        provider = self.providers.get(request.path_params["provider"])
        if provider is None:
            return _problem(404, "unknown_provider", "No such sign-in provider.")
        params = request.query_params
        state = params.get("state", "")
        pending = None
        if 0 < len(state) <= 128:
            async with self.database.session() as session:
                await begin_writing(session)  # writes: SQLite takes its lock at BEGIN
                pending = await consume_state(
                    session,
                    state,
                    browser_secret=read_cookie(self.settings, request, PRE_LOGIN),
                    purpose=PendingPurpose.LOGIN,
                    provider=provider.name,
                )
                await session.commit()  # spent, whatever comes next
        if pending is None:
            return self._refused(provider, 400, "the state is missing, wrong, reused or expired")
        if "error" in params:
            return self._refused(provider, 401, f"the provider answered {params['error'][:64]!r}")
        code = params.get("code", "")
        if not 0 < len(code) <= 512:
            return self._refused(provider, 400, "the callback has no code")
        try:
            if "iss" in params and params["iss"] != await provider.issuer():
                raise SignInRefused(f"{provider.name}: the callback's iss is not the issuer")
            tokens = await provider.exchange_code(
                code, self.redirect_uri(provider), pending.code_verifier
            )
            claims = await provider.verify_id_token(tokens["id_token"], pending.nonce)
            userinfo = await provider.userinfo(tokens["access_token"], claims["sub"])
            identity = VerifiedIdentity.from_claims(claims["iss"], {**claims, **userinfo})
        except ProviderDown as error:
            return self._refused(provider, 502, str(error))
        except SignInRefused as error:
            return self._refused(provider, 401, str(error))
        except InvalidInput as error:
            return self._refused(provider, 403, error.message)
        return await self._open_session(request, provider, identity, tokens["id_token"], pending)

    async def _open_session(
        self,
        request: Request,
        provider: Provider,
        identity: VerifiedIdentity,
        id_token: str,
        pending: PendingLogin,
    ) -> Response:
        lifetime = self.settings.session_absolute_seconds
        async with self.database.session() as session:
            await begin_writing(session)  # writes: SQLite takes its lock at BEGIN
            if previous := read_cookie(self.settings, request, SESSION):
                await close_session(session, previous)  # no session fixation
            signed = await sign_in(session, identity)
            assert signed.person.id is not None
            secret = await open_session(
                session, signed.person.id, provider.name, id_token, timedelta(seconds=lifetime)
            )
            await session.commit()
        logger.info("signed in: person %s through %s", signed.person.id, provider.name)
        response = RedirectResponse(
            _first_stop(signed, pending.return_to), 303, headers={"Cache-Control": "no-store"}
        )
        set_cookie(self.settings, response, SESSION, secret, lifetime)
        clear_cookie(self.settings, response, PRE_LOGIN)
        return response

    def _refused(self, provider: Provider, status: int, reason: str) -> Response:
        logger.warning("sign-in refused (%s): %s", provider.name, reason)
        messages = {
            400: "This sign-in link is invalid or has expired: start again.",
            401: "The identity provider's answer could not be verified.",
            403: f"Your account cannot sign in here: {reason}",
            502: "The identity provider does not answer; try again later.",
        }
        response = _problem(status, "sign_in_failed", messages[status])
        clear_cookie(self.settings, response, PRE_LOGIN)
        return response

    async def logout(self, request: Request) -> Response:
        if problem := csrf_problem(self.settings, request):
            logger.warning("sign-out refused: %s", problem)
            return _problem(403, "forbidden", "Sign out from the site itself.")
        secret = read_cookie(self.settings, request, SESSION)
        ended = None
        if secret is not None:
            async with self.database.session() as session:
                await begin_writing(session)  # writes: SQLite takes its lock at BEGIN
                ended = await close_session(session, secret)
                await session.commit()
        response: Response = RedirectResponse("/", status_code=303)
        provider = self.providers.get(ended.provider) if ended else None
        if ended is not None and provider is not None and ended.id_token:
            response = await self._provider_logout(provider, ended.id_token) or response
        clear_cookie(self.settings, response, SESSION)
        return response

    async def _provider_logout(self, provider: Provider, id_token: str) -> Response | None:
        """RP-initiated logout: id_token_hint, a state bound to this browser, the exact return."""
        browser = new_secret()
        async with self.database.session() as session:
            await begin_writing(session)  # writes: SQLite takes its lock at BEGIN
            issued = await remember_state(
                session,
                purpose=PendingPurpose.LOGOUT,
                provider=provider.name,
                browser_secret=browser,
                lifetime=timedelta(seconds=self.settings.login_state_seconds),
                keep_at_most=self.settings.pending_login_max_rows,
            )
            try:
                url = await provider.end_session_url(
                    id_token, issued.state, self.settings.base_url + LOGOUT_CALLBACK
                )
            except ProviderDown as error:
                logger.warning("provider sign-out skipped: %s", error)
                return None
            if url is None:
                return None
            await session.commit()
        response = RedirectResponse(url, status_code=303)
        set_cookie(self.settings, response, PRE_LOGIN, browser, self.settings.login_state_seconds)
        return response

    async def logout_callback(self, request: Request) -> Response:
        state = request.query_params.get("state", "")
        pending = None
        if 0 < len(state) <= 128:
            async with self.database.session() as session:
                await begin_writing(session)  # writes: SQLite takes its lock at BEGIN
                pending = await consume_state(
                    session,
                    state,
                    browser_secret=read_cookie(self.settings, request, PRE_LOGIN),
                    purpose=PendingPurpose.LOGOUT,
                    provider=None,
                )
                await session.commit()
        if pending is None:
            logger.warning("sign-out return refused: the state is missing, wrong, used or expired")
            return _problem(400, "sign_out_failed", "This sign-out link is invalid or has expired.")
        response = RedirectResponse("/", status_code=303)
        clear_cookie(self.settings, response, PRE_LOGIN)
        return response
