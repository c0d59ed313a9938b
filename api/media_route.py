"""`GET /media/{key}`: the photos' files, from the media storage (a folder, or a bucket).

A file's key never changes content (a new photo gets a new key), so browsers and proxies keep it
for a year. Keys are random (128 bits) and reach only those who may see the photo's listing (the
API hands them out through the same visibility rules as the listing), or the two parties of its
exchange (condition photos): a key is the capability.
Only the keys photos are written under are served, with their own media type, never sniffed, and
no script may run in them.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from core.media.storage import MediaStorage

IMMUTABLE = "public, max-age=31536000, immutable"
_PHOTO_FILE = re.compile(r"photos/[0-9a-f]{32}/[0-9]{1,4}\.webp")
_HEADERS = {
    "Cache-Control": IMMUTABLE,
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}


def media_routes(storage: MediaStorage) -> list[Route]:
    async def serve(request: Request) -> Response:
        key = request.path_params["key"]
        found = await storage.get(key) if _PHOTO_FILE.fullmatch(key) else None
        if found is None:
            return PlainTextResponse(
                "Not Found", status_code=404, headers={"Cache-Control": "no-store"}
            )
        return Response(found.data, media_type=found.media_type, headers=_HEADERS)

    return [Route("/media/{key:path}", serve, methods=["GET", "HEAD"])]
