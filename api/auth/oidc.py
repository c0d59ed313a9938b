"""OpenID Connect relying party: discovery, authorization URL, code exchange, token checks.

Authlib's OAuth 2 protocol pieces build the authorization URL (PKCE S256), the token request and
its client authentication, sent with our httpx client (Authlib's own httpx integration now warns
that it wants `httpx2`); joserfc (Authlib's JOSE library) verifies every JWT against the JWKS.
ProConnect (`kind: "proconnect"`) gets no PKCE and only its documented /authorize parameters, and
its userinfo is a signed JWT whose `sub` must be the ID token's.

    SignInRefused        the provider's answer or a token failed a check (HTTP 401)
     └── ProviderDown    the provider cannot be reached or answers garbage (HTTP 502)
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.oauth2.auth import ClientAuth
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from core.settings import OidcProvider

logger = logging.getLogger("entrelieux.auth")

ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
"""Never `none`, never HS*: an HMAC keyed with the provider's public key is the classic forgery."""
LEEWAY_SECONDS = 30
JWKS_REFRESH_SECONDS = 30.0
MAX_JWT_BYTES = 16 * 1024


class SignInRefused(Exception):
    """Why the sign-in stops; the message goes to the log, never a token."""


class ProviderDown(SignInRefused):
    pass


@dataclass
class Provider:
    """One configured provider; its metadata and keys are fetched on first use and cached."""

    config: OidcProvider
    http: httpx.AsyncClient
    _metadata: dict[str, Any] | None = None
    _keys: KeySet | None = None
    _refreshed_at: float = float("-inf")
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def is_proconnect(self) -> bool:
        return self.config.kind == "proconnect"

    async def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            document = await self._get_json(self.config.discovery_url)
            missing = [
                key
                for key in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
                if not isinstance(document.get(key), str)
            ]
            if missing:
                raise ProviderDown(f"{self.name}: discovery document lacks {missing}")
            self._metadata = document
        return self._metadata

    async def issuer(self) -> str:
        return str((await self.metadata())["issuer"])

    async def authorization_url(
        self, redirect_uri: str, state: str, nonce: str, code_verifier: str
    ) -> str:
        metadata = await self.metadata()
        pkce = (
            {}
            if self.is_proconnect  # ProConnect documents no PKCE and refuses unknown parameters
            else {
                "code_challenge": create_s256_code_challenge(code_verifier),
                "code_challenge_method": "S256",
            }
        )
        return str(
            prepare_grant_uri(
                metadata["authorization_endpoint"],
                client_id=self.config.client_id,
                response_type="code",
                redirect_uri=redirect_uri,
                scope=" ".join(self.config.scopes),
                state=state,
                nonce=nonce,
                **pkce,
            )
        )

    async def exchange_code(
        self, code: str, redirect_uri: str, code_verifier: str
    ) -> dict[str, Any]:
        endpoint = str((await self.metadata())["token_endpoint"])
        extra = {} if self.is_proconnect else {"code_verifier": code_verifier}
        body = prepare_token_request(
            "authorization_code", code=code, redirect_uri=redirect_uri, **extra
        )
        method = "client_secret_post" if self.is_proconnect else "client_secret_basic"
        auth = ClientAuth(self.config.client_id, self.config.client_secret, method)
        headers = {
            "Accept": "application/json",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        _, headers, body = auth.prepare("POST", endpoint, headers, body)
        try:
            response = await self.http.post(endpoint, content=body, headers=headers)
        except httpx.HTTPError as error:
            failure = type(error).__name__
            raise ProviderDown(f"{self.name}: token endpoint failed: {failure}") from error
        token = _json_object(response)
        if response.status_code != 200 or "error" in token:
            refusal = token.get("error")
            raise SignInRefused(f"{self.name}: token endpoint refused the code: {refusal}")
        if not isinstance(token.get("id_token"), str):
            raise SignInRefused(f"{self.name}: the token response has no ID token")
        if not isinstance(token.get("access_token"), str):
            raise SignInRefused(f"{self.name}: the token response has no access token")
        return token

    async def verify_id_token(self, id_token: str, nonce: str) -> dict[str, Any]:
        claims = await self.verify_jwt(id_token, audience=self.config.client_id, kind="ID token")
        if not isinstance(claims.get("sub"), str) or not isinstance(claims.get("iat"), int | float):
            raise SignInRefused(f"{self.name}: the ID token lacks sub or iat")
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.config.client_id:
            raise SignInRefused(f"{self.name}: the ID token has several audiences and no azp")
        if not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
            raise SignInRefused(f"{self.name}: the ID token's nonce is not the one sent")
        return claims

    async def userinfo(self, access_token: str, subject: str) -> dict[str, Any]:
        """Userinfo claims; ProConnect's come as a signed JWT (`application/jwt`)."""
        endpoint = (await self.metadata()).get("userinfo_endpoint")
        if not isinstance(endpoint, str):
            if self.is_proconnect:
                raise ProviderDown(f"{self.name}: no userinfo endpoint")
            return {}
        try:
            response = await self.http.get(
                endpoint, headers={"Authorization": f"Bearer {access_token}"}
            )
        except httpx.HTTPError as error:
            raise ProviderDown(f"{self.name}: userinfo failed: {type(error).__name__}") from error
        if response.status_code != 200:
            raise SignInRefused(f"{self.name}: userinfo answered {response.status_code}")
        media_type = response.headers.get("content-type", "").split(";")[0].strip()
        if media_type == "application/jwt":
            claims = await self.verify_jwt(
                response.text.strip(), audience=self.config.client_id, kind="userinfo"
            )
        elif self.is_proconnect:
            raise SignInRefused(f"{self.name}: userinfo must be a signed JWT, got {media_type}")
        else:
            claims = _json_object(response)
        if claims.get("sub") != subject:
            raise SignInRefused(f"{self.name}: userinfo sub differs from the ID token's")
        return claims

    async def end_session_url(
        self, id_token: str, state: str, post_logout_redirect_uri: str
    ) -> str | None:
        endpoint = (await self.metadata()).get("end_session_endpoint")
        if not isinstance(endpoint, str):
            return None
        query = urlencode(
            {
                "id_token_hint": id_token,
                "state": state,
                "post_logout_redirect_uri": post_logout_redirect_uri,
            }
        )
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"

    async def verify_jwt(self, token: str, *, audience: str, kind: str) -> dict[str, Any]:
        """Signature from the JWKS (one refresh for an unknown kid), then iss, aud, exp."""
        if len(token) > MAX_JWT_BYTES:
            raise SignInRefused(f"{self.name}: the {kind} is too large")
        try:
            header = jws.extract_compact(token.encode()).protected
        except (JoseError, ValueError) as error:
            raise SignInRefused(f"{self.name}: the {kind} is not a JWS: {error}") from error
        algorithm = header.get("alg")
        if algorithm not in ASYMMETRIC_ALGORITHMS:
            raise SignInRefused(f"{self.name}: the {kind} uses alg {algorithm!r}, refused")
        keys = await self._keys_for(header.get("kid"))
        try:
            decoded = jwt.decode(token, keys, algorithms=[algorithm])
            jwt.JWTClaimsRegistry(
                leeway=LEEWAY_SECONDS,
                iss={"essential": True, "value": await self.issuer()},
                aud={"essential": True, "value": audience},
                exp={"essential": True},
            ).validate(decoded.claims)
        except (JoseError, ValueError) as error:
            raise SignInRefused(f"{self.name}: the {kind} failed its check: {error}") from error
        return dict(decoded.claims)

    async def _keys_for(self, kid: object) -> KeySet:
        keys = await self._jwks()
        if not _has_kid(keys, kid):
            keys = await self._jwks(refresh=True)
            if not _has_kid(keys, kid):
                raise SignInRefused(f"{self.name}: no key {kid!r} in the provider's JWKS")
        return keys

    async def _jwks(self, *, refresh: bool = False) -> KeySet:
        async with self._lock:
            # One refresh per JWKS_REFRESH_SECONDS: unknown kids cannot make us hammer the provider.
            may_refresh = time.monotonic() - self._refreshed_at > JWKS_REFRESH_SECONDS
            if self._keys is None or (refresh and may_refresh):
                document = await self._get_json(str((await self.metadata())["jwks_uri"]))
                try:
                    self._keys = KeySet.import_key_set(document)  # type: ignore[arg-type]
                except (JoseError, ValueError) as error:
                    raise ProviderDown(f"{self.name}: unreadable JWKS: {error}") from error
                if refresh:
                    self._refreshed_at = time.monotonic()
            return self._keys

    async def _get_json(self, url: str) -> dict[str, Any]:
        try:
            response = await self.http.get(url)
        except httpx.HTTPError as error:
            raise ProviderDown(f"{self.name}: {url} failed: {type(error).__name__}") from error
        if response.status_code != 200:
            raise ProviderDown(f"{self.name}: {url} answered {response.status_code}")
        return _json_object(response)


def _has_kid(keys: KeySet, kid: object) -> bool:
    if kid is None:
        return len(keys.keys) == 1
    return any(key.kid == kid for key in keys.keys)


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        document = response.json()
    except json.JSONDecodeError:
        raise ProviderDown(f"{response.url} did not answer JSON") from None
    if not isinstance(document, dict):
        raise ProviderDown(f"{response.url} did not answer a JSON object")
    return document


class Providers:
    """The configured providers by name; `add` registers the development provider at start."""

    def __init__(
        self,
        configs: Sequence[OidcProvider] = (),
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.http = httpx.AsyncClient(transport=transport, timeout=10.0)
        self._providers: dict[str, Provider] = {}
        for config in configs:
            self.add(config)

    def add(self, config: OidcProvider) -> Provider:
        provider = Provider(config=config, http=self.http)
        self._providers[config.name] = provider
        return provider

    def get(self, name: str) -> Provider | None:
        return self._providers.get(name)

    def __iter__(self) -> Any:
        return iter(self._providers.values())

    def listing(self) -> list[Mapping[str, str]]:
        return [
            {
                "name": p.name,
                "label": p.config.label,
                "kind": p.config.kind,
                "login_url": f"/auth/login/{p.name}",
            }
            for p in self._providers.values()
        ]

    async def close(self) -> None:
        await self.http.aclose()
