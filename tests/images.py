"""Images made at test time with Pillow: photos with GPS EXIF, renamed files, bombs, polyglots."""

from __future__ import annotations

import io
import json
from typing import Any

import httpx
from PIL import ExifTags, Image, ImageDraw

GPS_PARIS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (48.0, 51.0, 24.0),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (2.0, 21.0, 3.0),
}


def picture(width: int, height: int, seed: int = 0) -> Image.Image:
    """A colourful gradient with a block in its top left corner (to see the orientation)."""
    gradient = Image.linear_gradient("L").resize((width, height))
    red = gradient
    green = gradient.transpose(Image.Transpose.ROTATE_90).resize((width, height))
    blue = Image.new("L", (width, height), (seed * 67) % 256)
    image = Image.merge("RGB", (red, green, blue))
    image.paste((255, 255, 255), (0, 0, max(1, width // 5), max(1, height // 8)))
    return image


def scene(width: int, height: int, seed: int = 0) -> Image.Image:
    """A machine on a workbench, drawn: what a listing's photo could show."""
    sky = Image.linear_gradient("L").resize((width, height)).point(lambda v: 255 - v // 3)
    image = Image.merge("RGB", (sky.point(lambda v: v * 0.75), sky.point(lambda v: v * 0.85), sky))
    draw = ImageDraw.Draw(image)
    w, h = width, height
    draw.rectangle((0, int(h * 0.62), w, h), fill=(150, 111, 74))
    draw.rectangle((int(w * 0.1), int(h * 0.66), int(w * 0.9), int(h * 0.72)), fill=(196, 160, 112))
    x, y = int(w * (0.15 + 0.1 * (seed % 4))), int(h * 0.38)
    body = (x, y, x + int(w * 0.4), y + int(h * 0.28))
    draw.rounded_rectangle(body, radius=max(1, int(h * 0.03)), fill=(40, 44, 52))
    dial = (
        x + int(w * 0.05),
        y + int(h * 0.05),
        x + int(w * 0.05) + int(h * 0.1),
        y + int(h * 0.15),
    )
    draw.ellipse(dial, fill=(230, 120, 30))
    screen = (x + int(w * 0.2), y + int(h * 0.06), x + int(w * 0.36), y + int(h * 0.14))
    draw.rectangle(screen, fill=(90, 200, 230))
    return image


def noisy_scene(width: int, height: int) -> Image.Image:
    """Noise compresses badly: a JPEG of a few megabytes."""
    noise = Image.merge("RGB", [Image.effect_noise((width, height), 80) for _ in range(3)])
    return Image.blend(scene(width, height), noise, 0.3)


def jpeg_with_gps(
    width: int = 1600, height: int = 1200, orientation: int = 6, noisy: bool = False
) -> bytes:
    """A JPEG as a phone writes it: rotated by its EXIF orientation, with the camera, the date
    and the GPS position of where it was taken."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "Fairphone"
    exif[ExifTags.Base.Model] = "FP5"
    exif[ExifTags.Base.DateTime] = "2026:11:30 10:12:00"
    exif[ExifTags.IFD.GPSInfo] = GPS_PARIS
    if noisy:  # drawn upright, stored as the sensor saw it: the orientation turns it back
        turned = orientation in (6, 8)
        upright = noisy_scene(height, width) if turned else noisy_scene(width, height)
        image = upright.transpose(Image.Transpose.ROTATE_90) if orientation == 6 else upright
    else:
        image = picture(width, height)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92, exif=exif.tobytes(), comment=b"secret comment")
    return buffer.getvalue()


def has_gps(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as image:
        return bool(image.getexif().get_ifd(ExifTags.IFD.GPSInfo))


def png(width: int = 400, height: int = 300, alpha: bool = False, drawn: bool = False) -> bytes:
    image = scene(width, height, 2) if drawn else picture(width, height)
    if alpha:
        image.putalpha(128)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def small_jpeg(seed: int = 0, width: int = 64, height: int = 48, drawn: bool = False) -> bytes:
    buffer = io.BytesIO()
    (scene(width, height, seed) if drawn else picture(width, height, seed)).save(
        buffer, "JPEG", quality=80
    )
    return buffer.getvalue()


def decompression_bomb() -> bytes:
    """A PNG of a few dozen kilobytes that decodes to 400 million pixels."""
    buffer = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def gif_html_polyglot() -> bytes:
    """A valid GIF that is also read as HTML with a script by a browser that sniffs."""
    buffer = io.BytesIO()
    Image.new("P", (32, 32)).save(buffer, "GIF", comment=b"<script>alert(1)</script>")
    return buffer.getvalue() + b"<html><body><script>alert(document.cookie)</script></body></html>"


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="400" height="300">'
    b'<script>alert(1)</script><rect width="400" height="300" fill="red"/></svg>'
)


def read_image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def multipart(
    query: str,
    variables: dict[str, Any],
    file: tuple[str, bytes, str],
    file_variable: str = "file",
) -> dict[str, Any]:
    """httpx arguments of a GraphQL multipart request (operations, map, then the file)."""
    operations = {"query": query, "variables": {**variables, file_variable: None}}
    return {
        "data": {
            "operations": json.dumps(operations),
            "map": json.dumps({"0": [f"variables.{file_variable}"]}),
        },
        "files": {"0": file},
    }


async def post_upload(
    http: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any],
    file: tuple[str, bytes, str],
    token: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    sent = dict(headers or {})
    if token:
        sent["Authorization"] = f"Bearer {token}"
    return await http.post("/graphql", headers=sent, **multipart(query, variables, file))
