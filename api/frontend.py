"""The web app's built files at `/`, with `index.html` for every client route.

`make run` builds `frontend/dist`; hashed files under `assets/` are cached for a year, and
`index.html` never (it names the current assets). The map's tile server comes from settings:
the server writes it into `index.html`'s `<meta name="entrelieux:tiles">`, so one build serves
every deployment. Paths of the API (`/graphql`, `/auth/`, `/calendar/`, `/healthz`, `/media/`) are
routed before this and never fall back to the app.
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Route, request_response

from core.settings import Settings

_META = re.compile(r'(<meta name="entrelieux:(tiles|attribution)" content=")[^"]*(")')
_API_PREFIXES = ("graphql", "auth/", "calendar/", "healthz", "media/")
_IMMUTABLE = "public, max-age=31536000, immutable"

_MISSING = """<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>Entrelieux</title></head><body><main><h1>Entrelieux</h1>
<p>L’application web n’est pas construite : lancez <code>make run</code>
(ou <code>cd frontend &amp;&amp; npm run build</code>).</p>
<p>L’API GraphQL répond sur <a href="/graphql">/graphql</a>.</p></main></body></html>"""


class Frontend:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.root = settings.frontend_dir.resolve()
        self._index: str | None = None

    def routes(self) -> list[Route]:
        # Compressed for browsers that accept it (the JavaScript shrinks to a third); the API's
        # own responses are left as they are.
        app = GZipMiddleware(request_response(self.serve), minimum_size=1024)
        return [Route("/{path:path}", app, methods=["GET", "HEAD"])]

    async def serve(self, request: Request) -> Response:
        path = request.path_params["path"]
        if path.startswith(_API_PREFIXES):
            return Response("Not found", status_code=404, media_type="text/plain")
        file = self._file(path)
        if file is not None:
            cache = _IMMUTABLE if path.startswith("assets/") else "public, max-age=3600"
            return FileResponse(file, headers={"Cache-Control": cache})
        if Path(path).suffix and not path.endswith(".html"):
            # A missing file (an old asset, a typo): a 404, not the app's page.
            return Response("Not found", status_code=404, media_type="text/plain")
        return HTMLResponse(self.index(), headers={"Cache-Control": "no-cache"})

    def _file(self, path: str) -> Path | None:
        if not path or path == "index.html":
            return None
        candidate = (self.root / path).resolve()
        if not candidate.is_relative_to(self.root) or not candidate.is_file():
            return None
        return candidate

    def index(self) -> str:
        if self._index is None or self.settings.is_development:
            index = self.root / "index.html"
            if not index.is_file():
                return _MISSING
            self._index = _configured(index.read_text(encoding="utf-8"), self.settings)
        return self._index


def _configured(html: str, settings: Settings) -> str:
    values = {"tiles": settings.map_tile_url, "attribution": settings.map_attribution}
    return _META.sub(lambda m: f"{m.group(1)}{escape(values[m.group(2)])}{m.group(3)}", html)
