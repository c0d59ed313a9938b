"""The security headers of every HTTP response: the web app, its assets, /graphql, /auth/*,
/media/*, the exports, the errors.

    Content-Security-Policy     scripts only from the app's own files (the built app inlines
                                none); images from the app, `data:` (small bundled icons),
                                `blob:` (a photo's preview before upload), the map's tile server
                                (MAP_TILE_URL, the setting the app's maps read) and the photos'
                                host (MEDIA_URL); requests and the subscriptions' WebSocket to
                                the app itself; forms posted to the app, whose sign-out may
                                redirect to a sign-in provider; never framed
    X-Content-Type-Options      nosniff
    X-Frame-Options             DENY (for browsers without frame-ancestors)
    Referrer-Policy             strict-origin-when-cross-origin
    Strict-Transport-Security   only when PUBLIC_URL is https (HSTS_MAX_AGE_SECONDS)

In development only, `/graphql`'s GraphiQL page (Strawberry's template: inline scripts, React
and GraphiQL from unpkg.com) gets a policy of its own that lets it run. A pure ASGI middleware:
the headers are added to the response's start, streaming and WebSockets untouched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth.oidc import Providers
from api.auth.signin_page import STYLE_HASH
from core.settings import Settings

_GRAPHIQL_CDN = "https://unpkg.com"


def tile_origin(tile_url: str) -> str | None:
    """The origin of a tile URL template: `{s}.tile.example.org` is any subdomain."""
    if not tile_url:
        return None
    parts = urlsplit(tile_url)
    host = re.sub(r"^\{[a-z]\}\.", "*.", parts.netloc)
    return f"{parts.scheme}://{host}" if parts.scheme and host else None


def media_origin(media_url: str) -> str | None:
    """The photos' host when they are not served by the app itself (a bucket or its CDN)."""
    parts = urlsplit(media_url)
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else None


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(settings: Settings, form_targets: Iterable[str] = ()) -> str:
    """The web app's policy. `form_targets`: where a form's redirect may go besides the app
    (the sign-in providers, for the sign-out's redirect to the provider)."""
    own = urlsplit(settings.base_url)
    socket = f"{'wss' if own.scheme == 'https' else 'ws'}://{own.netloc}"
    tiles, photos = tile_origin(settings.map_tile_url), media_origin(settings.media_url)
    directives: dict[str, list[str | None]] = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", f"'{STYLE_HASH}'"],
        "img-src": ["'self'", "data:", "blob:", tiles, photos],
        "connect-src": ["'self'", socket],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'", *sorted(set(form_targets))],
    }
    return "; ".join(
        f"{name} {' '.join(dict.fromkeys(v for v in values if v))}"
        for name, values in directives.items()
    )


def graphiql_policy() -> str:
    """Development's GraphiQL page: inline scripts and styles, its libraries from unpkg.com."""
    cdn = _GRAPHIQL_CDN
    return (
        f"default-src 'self'; script-src 'self' 'unsafe-inline' {cdn}; "
        f"style-src 'self' 'unsafe-inline' {cdn}; img-src 'self' data: {cdn}; "
        f"font-src 'self' data: {cdn}; connect-src 'self' ws: wss:; object-src 'none'; "
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    )


class SecurityHeaders:
    """Adds the headers above to every HTTP response; a response's own value is kept."""

    def __init__(self, app: ASGIApp, settings: Settings, providers: Providers) -> None:
        self.app = app
        self.settings = settings
        self.providers = providers
        self._policies: dict[tuple[str, ...], str] = {}
        self.fixed = {
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "strict-origin-when-cross-origin",
        }
        if settings.base_url.startswith("https://") and settings.hsts_max_age_seconds > 0:
            self.fixed["Strict-Transport-Security"] = f"max-age={settings.hsts_max_age_seconds}"

    def policy(self) -> str:
        # A provider's sign-out page (its end_session_endpoint) is taken to be on the origin of
        # its discovery URL, as at ProConnect and the development provider. The development
        # provider joins the providers when the app starts: read them on each response.
        targets = tuple(sorted({_origin(p.config.discovery_url) for p in self.providers}))
        if targets not in self._policies:
            self._policies[targets] = content_security_policy(self.settings, targets)
        return self._policies[targets]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        graphiql = self.settings.is_development and scope["path"] == "/graphql"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.fixed.items():
                    headers.setdefault(name, value)
                html = headers.get("content-type", "").startswith("text/html")
                policy = graphiql_policy() if graphiql and html else self.policy()
                headers.setdefault("Content-Security-Policy", policy)
            await send(message)

        await self.app(scope, receive, send_with_headers)
