"""The built web app at `/`: files, the fallback to index.html, the map settings, API paths."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from core.db import Database
from core.settings import Settings

INDEX = """<!doctype html><html><head>
<meta name="entrelieux:tiles" content="">
<meta name="entrelieux:attribution" content="">
<script type="module" src="/assets/app-1234.js"></script></head><body></body></html>"""


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(INDEX)
    (tmp_path / "assets" / "app-1234.js").write_text("console.log('app')")
    (tmp_path / "assets" / "big-1234.js").write_text("console.log('entrelieux');\n" * 500)
    (tmp_path / "favicon.svg").write_text("<svg/>")
    (tmp_path.parent / "secret.txt").write_text("not for the web")
    return tmp_path


async def _http(settings: Settings, database: Database) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(settings, database))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def web(
    settings: Settings, database: Database, dist: Path
) -> AsyncIterator[httpx.AsyncClient]:
    configured = settings.model_copy(
        update={
            "frontend_dir": dist,
            "map_tile_url": "https://tiles.example.org/{z}/{x}/{y}.png",
            "map_attribution": '© "OSM" <contributors>',
        }
    )
    async with await _http(configured, database) as http:
        yield http


async def test_client_routes_get_the_app_with_the_map_settings(web: httpx.AsyncClient) -> None:
    for path in ("/", "/annonces/TGlzdGluZzox", "/echanges/abc", "/connexion?next=/publier"):
        response = await web.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["cache-control"] == "no-cache"
        assert 'content="https://tiles.example.org/{z}/{x}/{y}.png"' in response.text
        assert 'content="© &quot;OSM&quot; &lt;contributors&gt;"' in response.text


async def test_assets_are_served_and_cached_for_good(web: httpx.AsyncClient) -> None:
    response = await web.get("/assets/app-1234.js")
    assert response.status_code == 200
    assert response.text == "console.log('app')"
    assert "immutable" in response.headers["cache-control"]
    assert (await web.get("/favicon.svg")).status_code == 200


async def test_files_go_compressed_to_browsers_that_accept_it(web: httpx.AsyncClient) -> None:
    compressed = await web.get("/assets/big-1234.js", headers={"Accept-Encoding": "gzip"})
    assert compressed.headers["content-encoding"] == "gzip"
    assert compressed.text == "console.log('entrelieux');\n" * 500
    plain = await web.get("/assets/big-1234.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers


@pytest.mark.parametrize(
    "path", ["/assets/gone-999.js", "/../secret.txt", "/assets/..%2F..%2Fsecret.txt", "/x.png"]
)
async def test_missing_files_and_escapes_are_not_found(web: httpx.AsyncClient, path: str) -> None:
    response = await web.get(path)
    assert response.status_code == 404
    assert "not for the web" not in response.text


async def test_api_paths_never_fall_back_to_the_app(web: httpx.AsyncClient) -> None:
    assert (await web.get("/healthz")).json()["status"] == "ok"
    assert (await web.get("/auth/nowhere")).status_code == 404
    assert (await web.get("/calendar/unknown.ics")).status_code == 404
    answer = await web.post("/graphql", json={"query": "{ __typename }"})
    assert answer.json() == {"data": {"__typename": "Query"}}


async def test_without_a_build_the_root_says_how_to_build(
    settings: Settings, database: Database, tmp_path: Path
) -> None:
    configured = settings.model_copy(update={"frontend_dir": tmp_path / "nothing"})
    async with await _http(configured, database) as http:
        response = await http.get("/")
    assert response.status_code == 200
    assert "make run" in response.text
