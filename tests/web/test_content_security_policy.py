"""The Content-Security-Policy in a real Chromium: the main pages (search, /lieux and its map with
real tiles, a listing, a place, a territory, sign-in and sign-out through the development
provider) run without one `securitypolicyviolation` event and without one CSP console error.

The app runs with a map tile server of its own (MAP_TILE_URL on another loopback port, so
`'self'` does not cover it): the tiles load only if the policy takes their host from the setting
the maps read. This server always runs on SQLite: the policy does not depend on the database.
"""

from __future__ import annotations

import base64
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.images import png
from tests.web.conftest import _wait_until_ready, graphql, serving, sign_in, sign_out

# A 1×1 PNG: any tile.
TILE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


class _Tiles(BaseHTTPRequestHandler):
    served: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Tiles.served.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(TILE)))
        self.end_headers()
        self.wfile.write(TILE)

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def tile_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Tiles)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/{{z}}/{{x}}/{{y}}.png"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory, tile_server: str) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("csp")
    database_url = f"sqlite+aiosqlite:///{folder / 'csp.sqlite3'}"
    with serving(folder, database_url, MAP_TILE_URL=tile_server) as (url, process, log):
        _wait_until_ready(url, process, log)
        yield url


@pytest.fixture
def watched(browser: Browser, app_url: str) -> Iterator[tuple[BrowserContext, list[str]]]:
    """A context whose every page reports CSP violations (events and console errors) here."""
    context = browser.new_context(base_url=app_url, locale="fr-FR")
    context.set_default_timeout(15_000)
    violations: list[str] = []
    context.expose_binding("__reportCsp", lambda _source, text: violations.append(text))
    context.add_init_script(
        """document.addEventListener('securitypolicyviolation', (e) =>
            window.__reportCsp(`${location.href}: ${e.violatedDirective} blocked ${e.blockedURI}`))"""
    )

    def console(message: Any) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            violations.append(f"console: {message.text}")

    context.on("console", console)
    yield context, violations
    context.close()


def _visit(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response is not None
    assert "script-src 'self';" in response.headers["content-security-policy"]
    expect(page.locator("main h1").first).to_be_visible()
    page.wait_for_load_state("networkidle")


def test_the_main_pages_run_under_the_policy(
    watched: tuple[BrowserContext, list[str]], app_url: str, tmp_path: Path
) -> None:
    context, violations = watched
    page = context.new_page()
    _visit(page, "/")
    found = graphql(
        page,
        """{ search(input: {text: ""}) { hits { listing { id } } }
             spaces(first: 1) { edges { node { id } } } }""",
    )
    listing = found["search"]["hits"][0]["listing"]["id"]
    place = found["spaces"]["edges"][0]["node"]["id"]
    _Tiles.served.clear()

    _visit(page, "/lieux?department=93")
    expect(page.locator(".leaflet-tile-loaded").first).to_be_attached()
    tiles = len(_Tiles.served)
    _visit(page, "/?q=salle")
    _visit(page, f"/annonces/{listing}")
    _visit(page, f"/lieux/{place}")
    _visit(page, "/territoires/93048")
    _visit(page, "/connexion")
    page.goto("/auth/signin")  # the server's own page, its inline style allowed by its hash
    expect(page.get_by_role("heading", name="Se connecter à Entrelieux")).to_be_visible()
    sign_in(page, "agent-montreuil")  # the provider's pages, then back through the callback
    _visit(page, "/echanges")
    _visit(page, "/publier")  # a chosen photo's preview is a blob: URL
    page.get_by_role("radio", name="Offre", exact=True).check()
    page.get_by_role("radio", name="Matériel", exact=True).check()
    (tmp_path / "logo.png").write_bytes(png(300, 200))
    page.get_by_label("Ajouter des photos").set_input_files(tmp_path / "logo.png")
    preview = page.get_by_role("list", name="Photos de l’annonce").locator("img").first
    expect(preview).to_have_attribute("src", re.compile("^blob:"))
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=preview.element_handle()
    )
    sign_out(page)  # a form posted to /auth/logout, redirected to the provider

    assert tiles > 0, "the map loaded no tile: the test would prove nothing about img-src"
    assert violations == []
