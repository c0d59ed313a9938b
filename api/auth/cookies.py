"""Browser cookies (a random id, nothing else) and the CSRF rule for cookie-authenticated posts.

Over https the cookies are `Secure` and carry the `__Host-` prefix (no Domain, Path=/), so a
sibling subdomain cannot plant or read them. `SameSite=Lax` keeps them off cross-site posts; the
Origin check below also covers browsers and same-site attackers that Lax does not stop.
"""

from __future__ import annotations

from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from core.settings import Settings

SESSION = "elx_session"
PRE_LOGIN = "elx_login"
"""Set when a sign-in or sign-out starts: binds the provider's `state` to this browser."""


def is_https(settings: Settings) -> bool:
    return settings.base_url.startswith("https://")


def cookie_name(settings: Settings, name: str) -> str:
    return f"__Host-{name}" if is_https(settings) else name


def read_cookie(settings: Settings, request: HTTPConnection, name: str) -> str | None:
    value = request.cookies.get(cookie_name(settings, name))
    return value if value and len(value) <= 128 else None


def set_cookie(settings: Settings, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        cookie_name(settings, name),
        value,
        max_age=max_age,
        path="/",
        secure=is_https(settings),
        httponly=True,
        samesite="lax",
    )


def clear_cookie(settings: Settings, response: Response, name: str) -> None:
    response.delete_cookie(
        cookie_name(settings, name),
        path="/",
        secure=is_https(settings),
        httponly=True,
        samesite="lax",
    )


JSON_TYPES = ("application/json", "application/graphql-response+json")
UPLOAD_HEADER = "entrelieux-upload"
"""A photo upload (multipart) with a session cookie must carry this header: a custom header is
what a cross-site page cannot send without a CORS preflight, which the API never grants it."""


def csrf_problem(settings: Settings, request: Request) -> str | None:
    """Why a cookie-authenticated state-changing request is refused, or None.

    A form or `text/plain` body is what a cross-site page can send without a preflight, so only
    JSON is accepted, or a multipart upload with the `Entrelieux-Upload` header (which needs a
    preflight); and the request must come from an allowed origin.
    """
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    is_graphql = request.url.path == "/graphql"
    upload = content_type == "multipart/form-data" and UPLOAD_HEADER in request.headers
    if request.method == "POST" and is_graphql and content_type not in JSON_TYPES and not upload:
        return f"content type {content_type or 'none'!r} is refused with a session cookie"
    origin = request.headers.get("origin")
    if origin is not None:
        if origin.rstrip("/") in settings.allowed_origins:
            return None
        return f"origin {origin[:100]!r} is not allowed"
    if request.headers.get("sec-fetch-site") == "same-origin":
        return None
    return "a request with a session cookie needs an allowed Origin"
