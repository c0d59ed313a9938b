"""The security headers of every kind of response (`api/security_headers.py`), on the app as
`create_app` wires it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from api.auth.signin_page import STYLE, STYLE_HASH
from api.security_headers import content_security_policy, tile_origin
from core.db import Database
from core.settings import PROJECT_ROOT, Settings

DIST = PROJECT_ROOT / "frontend" / "dist"
COMMON = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
}


@asynccontextmanager
async def app_client(
    settings: Settings, database: Database, **changes: object
) -> AsyncIterator[httpx.AsyncClient]:
    configured = Settings.model_validate(settings.model_dump() | changes)
    app = create_app(configured, database)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=configured.base_url) as http:
        yield http


def _asset() -> str:
    return next(f"/assets/{p.name}" for p in (DIST / "assets").glob("*.js"))


def _directives(policy: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (d.split() for d in policy.split("; "))}


async def _every_kind(http: httpx.AsyncClient) -> dict[str, httpx.Response]:
    big = b"{" + b" " * (2 * 1024 * 1024) + b"}"
    return {
        "web app": await http.get("/"),
        "client route": await http.get("/lieux"),
        "asset": await http.get(_asset()),
        "missing asset": await http.get("/assets/nothing.js"),
        "graphql": await http.post("/graphql", json={"query": "{ __typename }"}),
        "graphql error": await http.post("/graphql", json={"query": "{"}),
        "too large": await http.post(
            "/graphql", content=big, headers={"content-type": "application/json"}
        ),
        "sign-in page": await http.get("/auth/signin"),
        "providers": await http.get("/auth/providers"),
        "sign-out": await http.post("/auth/logout", headers={"Origin": "https://evil.example"}),
        "media": await http.get("/media/photos/00000000000000000000000000000000/320.webp"),
        "export": await http.get("/export/territory/23096.csv"),
        "healthz": await http.get("/healthz"),
    }


@pytest.mark.skipif(not (DIST / "index.html").is_file(), reason="the web app is not built")
async def test_every_kind_of_response_carries_the_headers(
    settings: Settings, database: Database
) -> None:
    async with app_client(settings, database) as http:
        responses = await _every_kind(http)

    for kind, response in responses.items():
        assert response.status_code < 500, (kind, response.text)
        for name, value in COMMON.items():
            assert response.headers.get(name) == value, (kind, name, response.headers)
        assert "content-security-policy" in response.headers, kind
        assert "strict-transport-security" not in response.headers, kind  # http: no HSTS
    assert responses["too large"].status_code == 413
    policy = _directives(responses["web app"].headers["content-security-policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no inline script, no eval
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]  # no provider configured
    assert policy["connect-src"] == ["'self'", "ws://127.0.0.1:8000"]
    assert "https://tile.openstreetmap.org" in policy["img-src"]  # MAP_TILE_URL's default
    assert f"'{STYLE_HASH}'" in policy["style-src"]
    assert f"<style>{STYLE}</style>" in responses["sign-in page"].text


async def test_a_photo_keeps_its_own_stricter_policy(
    settings: Settings, database: Database, tmp_path: Path
) -> None:
    key = "photos/" + "a" * 32 + "/320.webp"
    (tmp_path / "media" / key).parent.mkdir(parents=True)
    (tmp_path / "media" / key).write_bytes(b"RIFF\0\0\0\0WEBP")
    async with app_client(settings, database, var_dir=tmp_path) as http:
        response = await http.get(f"/media/{key}")

    assert response.status_code == 200, response.text
    assert response.headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert response.headers["x-frame-options"] == "DENY"


async def test_over_https_hsts_and_a_secure_websocket(
    settings: Settings, database: Database
) -> None:
    async with app_client(settings, database, public_url="https://entrelieux.example") as http:
        graphql = await http.post("/graphql", json={"query": "{ __typename }"})
        page = await http.get("/auth/signin")

    for response in (graphql, page):
        assert response.headers["strict-transport-security"] == "max-age=31536000"
    policy = _directives(page.headers["content-security-policy"])
    assert policy["connect-src"] == ["'self'", "wss://entrelieux.example"]


async def test_the_tile_and_photo_hosts_come_from_the_settings_the_app_reads(
    settings: Settings, database: Database
) -> None:
    tiles = "https://{s}.tiles.example.org/{z}/{x}/{y}.png"
    photos = "https://cdn.example.net/photos"
    async with app_client(settings, database, map_tile_url=tiles, media_url=photos) as http:
        page = await http.get("/lieux")

    policy = _directives(page.headers["content-security-policy"])
    assert policy["img-src"] == [
        "'self'",
        "data:",
        "blob:",
        "https://*.tiles.example.org",
        "https://cdn.example.net",
    ]
    if (DIST / "index.html").is_file():  # the maps read the same setting from index.html
        assert f'<meta name="entrelieux:tiles" content="{tiles}"' in page.text


def test_a_tile_url_without_a_host_adds_none() -> None:
    assert tile_origin("") is None
    assert tile_origin("/tiles/{z}/{x}/{y}.png") is None
    assert tile_origin("http://127.0.0.1:9000/{z}/{x}/{y}.png") == "http://127.0.0.1:9000"


def test_sign_out_may_redirect_to_the_providers() -> None:
    policy = content_security_policy(
        Settings(environment="test"), ["https://auth.example.gouv.fr", "http://127.0.0.1:5556"]
    )

    assert _directives(policy)["form-action"] == [
        "'self'",
        "http://127.0.0.1:5556",
        "https://auth.example.gouv.fr",
    ]


async def test_graphiql_in_development_gets_its_own_policy_and_the_api_keeps_the_strict_one(
    settings: Settings, database: Database
) -> None:
    async with app_client(settings, database, environment="development") as http:
        ide = await http.get("/graphql", headers={"Accept": "text/html"})
        api = await http.post("/graphql", json={"query": "{ __typename }"})
    async with app_client(settings, database) as http:
        test = await http.get("/graphql", headers={"Accept": "text/html"})

    assert ide.status_code == 200
    assert "unpkg.com" in ide.text
    ide_policy = _directives(ide.headers["content-security-policy"])
    assert ide_policy["script-src"] == ["'self'", "'unsafe-inline'", "https://unpkg.com"]
    assert ide_policy["frame-ancestors"] == ["'none'"]
    assert _directives(api.headers["content-security-policy"])["script-src"] == ["'self'"]
    assert "unpkg" not in test.text
    assert _directives(test.headers["content-security-policy"])["script-src"] == ["'self'"]
