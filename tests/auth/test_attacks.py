"""Forged callbacks and tokens: each is refused with a clear status and writes nothing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from joserfc.jwk import RSAKey
from sqlalchemy import update

from core.db import Database
from core.models import PendingLogin
from core.models.base import utcnow
from tests.auth.conftest import (
    Browser,
    Tamper,
    counts,
    query_of,
    sign,
    unverified_claims,
)


async def _authorized(
    browser: Browser, provider: str = "generic", login: str = "fablab-gueret"
) -> str:
    return await browser.authorize(await browser.start(provider), login)


async def test_a_callback_without_state_creates_no_session(
    browser: Browser, database: Database
) -> None:
    callback = await _authorized(browser)
    before = await counts(database)

    response = await browser.app.get(
        "/auth/callback/generic", params={"code": query_of(callback)["code"]}
    )

    assert response.status_code == 400
    assert "elx_session=" not in response.headers.get("set-cookie", "")
    assert await counts(database) == before


async def test_a_callback_with_a_wrong_state_creates_no_session(
    browser: Browser, database: Database
) -> None:
    callback = await _authorized(browser)
    before = await counts(database)

    response = await browser.finish(callback.replace("state=", "state=x"))

    assert response.status_code == 400
    assert await counts(database) == before


async def test_a_replayed_callback_is_refused(browser: Browser, database: Database) -> None:
    callback = await _authorized(browser)
    assert (await browser.finish(callback)).status_code == 303
    before = await counts(database)

    replay = await browser.finish(callback)

    assert replay.status_code == 400
    assert await counts(database) == before


async def test_an_expired_state_is_refused(browser: Browser, database: Database) -> None:
    callback = await _authorized(browser)
    async with database.session() as session:
        past = utcnow() - timedelta(seconds=1)
        await session.exec(update(PendingLogin).values(expires_at=past))  # type: ignore[call-overload]
        await session.commit()
    before = await counts(database)

    response = await browser.finish(callback)

    assert response.status_code == 400
    assert await counts(database) == before


async def test_a_state_started_in_another_browser_is_refused(
    browser: Browser, app_http: httpx.AsyncClient, database: Database
) -> None:
    callback = await _authorized(browser)
    app_http.cookies.clear()  # the victim's browser never started this sign-in
    before = await counts(database)

    response = await browser.finish(callback)

    assert response.status_code == 400
    assert await counts(database) == before


def _forged(change: Callable[[dict[str, Any]], str]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def rewrite(tokens: dict[str, Any]) -> dict[str, Any]:
        return tokens | {"id_token": change(unverified_claims(tokens["id_token"]))}

    return rewrite


def _unsigned(claims: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'kid': 'test-signing-key'})}.{part(claims)}."


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _hs256_with_public_key(key: RSAKey) -> Callable[[dict[str, Any]], str]:
    """The classic confusion: an HMAC keyed with the provider's public key (PEM), which anyone has."""

    def forge(claims: dict[str, Any]) -> str:
        header = _b64(json.dumps({"alg": "HS256", "kid": key.kid}).encode())
        signing_input = f"{header}.{_b64(json.dumps(claims).encode())}"
        mac = hmac.new(key.as_pem(private=False), signing_input.encode(), hashlib.sha256)
        return f"{signing_input}.{_b64(mac.digest())}"

    return forge


ATTACKS: dict[str, Callable[[RSAKey], Callable[[dict[str, Any]], str]]] = {
    "alg none": lambda _key: _unsigned,
    "HS256 keyed with the public key": _hs256_with_public_key,
    "wrong audience": lambda key: lambda c: sign(c | {"aud": "another-client"}, key),
    "wrong issuer": lambda key: lambda c: sign(c | {"iss": "https://evil.example"}, key),
    "expired": lambda key: lambda c: sign(c | {"exp": int(time.time()) - 3600}, key),
    "nonce mismatch": lambda key: lambda c: sign(c | {"nonce": "n" * 43}, key),
    "no nonce": lambda key: lambda c: sign({k: v for k, v in c.items() if k != "nonce"}, key),
    "tampered payload": lambda key: lambda c: sign(c, key).rsplit(".", 1)[0] + "." + "A" * 342,
}


@pytest.mark.parametrize("attack", ATTACKS)
async def test_a_forged_id_token_is_refused_and_nothing_is_written(
    attack: str,
    browser: Browser,
    database: Database,
    tamper: Tamper,
    signing_key: RSAKey,
    caplog: pytest.LogCaptureFixture,
) -> None:
    callback = await _authorized(browser, login="agent-montreuil")
    tamper.on_token = _forged(ATTACKS[attack](signing_key))
    before = await counts(database)

    with caplog.at_level(logging.WARNING, logger="entrelieux.auth"):
        response = await browser.finish(callback)

    assert response.status_code == 401, response.text
    assert response.json()["error"] == "sign_in_failed"
    assert await counts(database) == before
    assert "sign-in refused" in caplog.text
    assert "eyJ" not in caplog.text


async def test_an_unknown_kid_is_refused_after_one_jwks_refresh(
    browser: Browser, database: Database, tamper: Tamper
) -> None:
    stranger = RSAKey.generate_key(2048, parameters={"kid": "attacker-key", "alg": "RS256"})
    callback = await _authorized(browser)
    tamper.on_token = _forged(lambda claims: sign(claims, stranger))
    before = await counts(database)

    response = await browser.finish(callback)

    assert response.status_code == 401
    assert tamper.jwks_fetches == 2  # the first load, then exactly one refresh
    assert await counts(database) == before


async def test_proconnect_userinfo_for_another_subject_is_refused(
    browser: Browser, database: Database, tamper: Tamper, signing_key: RSAKey
) -> None:
    callback = await _authorized(browser, provider="proconnect", login="agent-montreuil")

    def other_subject(response: httpx.Response) -> httpx.Response:
        claims = unverified_claims(response.text) | {"sub": "fablab-gueret"}
        return httpx.Response(
            200, content=sign(claims, signing_key), headers={"content-type": "application/jwt"}
        )

    tamper.on_userinfo = other_subject
    before = await counts(database)

    response = await browser.finish(callback)

    assert response.status_code == 401
    assert await counts(database) == before


async def test_proconnect_userinfo_as_plain_json_is_refused(
    browser: Browser, database: Database, tamper: Tamper
) -> None:
    callback = await _authorized(browser, provider="proconnect", login="agent-montreuil")
    tamper.on_userinfo = lambda response: httpx.Response(
        200, json=unverified_claims(response.text) | {"siret": "85271946700015"}
    )
    before = await counts(database)

    response = await browser.finish(callback)

    assert response.status_code == 401
    assert await counts(database) == before


async def test_a_siret_claim_failing_luhn_is_refused_with_nothing_written(
    browser: Browser, database: Database
) -> None:
    callback = await _authorized(browser, login="siret-invalide")
    before = await counts(database)

    response = await browser.finish(callback)

    assert response.status_code == 403
    assert "Luhn" in response.json()["message"]
    assert await counts(database) == before


async def test_an_oversized_header_is_refused(app_http: httpx.AsyncClient) -> None:
    response = await app_http.post(
        "/graphql",
        json={"query": "{ __typename }"},
        headers={"Authorization": "Bearer " + "a" * 20000},
    )

    assert response.status_code == 431


async def test_an_unknown_provider_is_not_found(app_http: httpx.AsyncClient) -> None:
    assert (await app_http.get("/auth/login/nope")).status_code == 404
    assert (await app_http.get("/auth/callback/nope?state=x&code=y")).status_code == 404


async def test_the_return_path_cannot_leave_the_site(browser: Browser) -> None:
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        callback = await browser.authorize(await browser.start("generic", target), "fablab-gueret")
        response = await browser.finish(callback)
        assert response.headers["location"] == "/", target
