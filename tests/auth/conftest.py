"""The real OIDC provider (dev/oidc/provider.mjs), twice: a generic one and one in ProConnect mode.

Both start once per session on free loopback ports with a signing key the tests own, so an attack
test can sign what a compromised or confused provider would send. The app talks to them over
real HTTP through `Tamper`, a transport that can rewrite the token or userinfo response on its way
back: the forged answer still arrives after a real authorization-code flow.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import AsyncIterator, Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from sqlalchemy import func
from sqlmodel import select

from api.app import create_app
from api.auth.dev_provider import DevOidcProvider
from api.auth.oidc import Providers
from core.db import Database
from core.models import Organization, Person, WebSession
from core.settings import PROJECT_ROOT, OidcProvider, Settings

APP = "http://testserver"
CLIENT_ID = "entrelieux-test"
CLIENT_SECRET = "test-client-secret-that-is-long-enough"
KID = "test-signing-key"
PRIVATE_SIRET_ACCOUNT = "salarie-entreprise"


@pytest.fixture(scope="session")
def signing_key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": KID, "alg": "RS256", "use": "sig"})


@pytest.fixture(scope="session")
def provider_files(tmp_folder: Path, signing_key: RSAKey) -> tuple[Path, Path]:
    folder = tmp_folder / "oidc"
    folder.mkdir(exist_ok=True)
    jwks = folder / "jwks.json"
    jwks.write_text(json.dumps(KeySet([signing_key]).as_dict(private=True)))
    accounts = json.loads((PROJECT_ROOT / "dev" / "oidc" / "accounts.json").read_text())
    accounts["siret-invalide"] = {
        "password": "demo",
        "email": "dominique@exemple.fr",
        "given_name": "Dominique",
        "usual_name": "Faux",
        "siret": "21930048000008",
    }
    accounts["siret-seul"] = {  # a provider that sends only a SIRET: no name, no unit
        "password": "demo",
        "email": "contact@exemple-sarl.fr",
        "siret": "44306184100005",
    }
    accounts_file = folder / "accounts.json"
    accounts_file.write_text(json.dumps(accounts))
    return jwks, accounts_file


def _client(name: str) -> dict[str, Any]:
    origins = [APP, APP.replace("http://", "https://")]
    return {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uris": [f"{origin}/auth/callback/{name}" for origin in origins],
        "post_logout_redirect_uris": [f"{origin}/auth/logout/callback" for origin in origins],
    }


def _start(name: str, files: tuple[Path, Path], tmp: Path, proconnect: bool) -> DevOidcProvider:
    jwks, accounts = files
    server = DevOidcProvider(
        clients=[_client(name)],
        proconnect=proconnect,
        accounts=accounts,
        jwks=jwks,
        log_path=tmp / f"oidc-{name}.log",
    )
    server.start()
    return server


@pytest.fixture(scope="session")
def generic_op(provider_files: tuple[Path, Path], tmp_folder: Path) -> Iterator[DevOidcProvider]:
    server = _start("generic", provider_files, tmp_folder, proconnect=False)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def proconnect_op(provider_files: tuple[Path, Path], tmp_folder: Path) -> Iterator[DevOidcProvider]:
    server = _start("proconnect", provider_files, tmp_folder, proconnect=True)
    yield server
    server.stop()


@pytest.fixture
def auth_settings(
    settings: Settings, generic_op: DevOidcProvider, proconnect_op: DevOidcProvider
) -> Settings:
    return settings_for(settings, generic_op, proconnect_op, APP)


def settings_for(
    settings: Settings, generic: DevOidcProvider, proconnect: DevOidcProvider, public_url: str
) -> Settings:
    scopes = [
        "openid",
        "email",
        "given_name",
        "usual_name",
        "siret",
        "organizational_unit",
        "legal_category",
    ]
    providers = [
        OidcProvider(
            name="generic",
            label="Fournisseur générique",
            discovery_url=generic.discovery_url,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            scopes=scopes,
        ),
        OidcProvider(
            name="proconnect",
            label="ProConnect",
            discovery_url=proconnect.discovery_url,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            scopes=scopes,
            kind="proconnect",
        ),
    ]
    return Settings.model_validate(
        settings.model_dump() | {"oidc_providers": providers, "public_url": public_url}
    )


class Tamper(httpx.AsyncBaseTransport):
    """Real HTTP, with optional rewrites of the token and userinfo answers; counts JWKS fetches."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.on_token: Callable[[dict[str, Any]], dict[str, Any]] | None = None
        self.on_userinfo: Callable[[httpx.Response], httpx.Response] | None = None
        self.jwks_fetches = 0
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        response = await self.inner.handle_async_request(request)
        path = request.url.path
        if path == "/jwks":
            self.jwks_fetches += 1
        if path == "/token" and self.on_token is not None:
            await response.aread()
            body = self.on_token(json.loads(response.content))
            return httpx.Response(200, json=body)
        if path == "/me" and self.on_userinfo is not None:
            await response.aread()
            return self.on_userinfo(response)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
async def tamper() -> AsyncIterator[Tamper]:
    transport = Tamper()
    yield transport
    await transport.aclose()


@pytest.fixture
async def app_http(
    auth_settings: Settings, database: Database, tamper: Tamper
) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(auth_settings, database, tamper) as http:
        yield http


class app_client:
    """An httpx client on the app (ASGI) with its own sign-in providers over `tamper`."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        tamper: Tamper | None = None,
        providers: Providers | None = None,
    ) -> None:
        self.own = providers is None
        self.providers = providers or Providers(settings.oidc_providers, transport=tamper)
        app = create_app(settings, database, providers=self.providers)
        base = settings.base_url
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base)

    async def __aenter__(self) -> httpx.AsyncClient:
        return self.http

    async def __aexit__(self, *_exc: object) -> None:
        await self.http.aclose()
        if self.own:
            await self.providers.close()


class _Form(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = values.get("action")
        if tag == "input" and values.get("name"):
            self.fields[str(values["name"])] = values.get("value") or ""


def parse_form(html: str) -> tuple[str, dict[str, str]]:
    form = _Form()
    form.feed(html)
    assert form.action is not None, html
    return form.action, form.fields


class Browser:
    """One person's browser: the app's cookies and the provider's, redirects followed by hand."""

    def __init__(self, app: httpx.AsyncClient) -> None:
        self.app = app
        self.op = httpx.AsyncClient(timeout=10)

    async def start(self, provider: str, next_path: str | None = None) -> str:
        """GET /auth/login/{provider}: the authorization URL at the provider."""
        params = {"next": next_path} if next_path else {}
        response = await self.app.get(f"/auth/login/{provider}", params=params)
        assert response.status_code == 302, response.text
        return response.headers["location"]

    async def authorize(self, url: str, login: str, password: str = "demo") -> str:  # noqa: S107
        """Follow the provider to its login form, post it, return the callback URL to the app."""
        response = await self.op.get(url)
        for _ in range(10):
            if response.status_code in (302, 303):
                location = urljoin(str(response.url), response.headers["location"])
                if location.startswith(str(self.app.base_url)):
                    return location
                response = await self.op.get(location)
            elif response.status_code == 200 and 'name="login"' in response.text:
                action, _ = parse_form(response.text)
                response = await self.op.post(
                    urljoin(str(response.url), action),
                    data={"login": login, "password": password},
                )
            else:
                raise AssertionError(f"{response.status_code} at {response.url}: {response.text}")
        raise AssertionError("too many redirects at the provider")

    async def finish(self, callback_url: str) -> httpx.Response:
        return await self.app.get(callback_url)

    async def sign_in(self, provider: str, login: str) -> httpx.Response:
        return await self.finish(await self.authorize(await self.start(provider), login))

    async def provider_logout(self, end_session_url: str) -> str:
        """Confirm the sign-out at the provider; the URL it sends the browser back to."""
        page = await self.op.get(end_session_url)
        assert page.status_code == 200, page.text
        action, fields = parse_form(page.text)
        response = await self.op.post(
            urljoin(str(page.url), action), data=fields | {"logout": "yes"}
        )
        assert response.status_code in (302, 303), response.text
        return urljoin(str(response.url), response.headers["location"])

    async def aclose(self) -> None:
        await self.op.aclose()


@pytest.fixture
async def browser(app_http: httpx.AsyncClient) -> AsyncIterator[Browser]:
    opened = Browser(app_http)
    yield opened
    await opened.aclose()


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def unverified_claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))  # type: ignore[no-any-return]


def sign(claims: dict[str, Any], key: RSAKey, header: dict[str, Any] | None = None) -> str:
    return jwt.encode(header or {"alg": "RS256", "kid": key.kid}, claims, key)


async def counts(database: Database) -> dict[str, int]:
    """Rows that a refused sign-in must not add."""
    async with database.session() as session:
        return {
            model.__name__: (await session.exec(select(func.count()).select_from(model))).one()
            for model in (Person, Organization, WebSession)
        }


SESSION_COOKIE = re.compile(r"(__Host-)?elx_session=([^;]*)")
