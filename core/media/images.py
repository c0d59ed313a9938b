"""An uploaded photo → checked, cleaned, re-encoded files: the only module that decodes images.

What the file says it is (its name, its declared type) is never read: its bytes are. Only JPEG,
PNG and WebP decoders are ever tried (Pillow has many more: each is attack surface). The header
alone gives the size, so a decompression bomb (a small file that decodes to billions of pixels)
is refused before any pixel is decoded; Pillow's own guard (`Image.MAX_IMAGE_PIXELS`) stays on
behind ours. Then the first frame is decoded, turned upright by its EXIF orientation, converted to
sRGB, and written again at a few widths as WebP with no metadata at all: no EXIF (GPS position,
camera serial number, date), no XMP, no ICC profile, no comments.

Problems are `InvalidInput` on the field `file`, each with its `PhotoErrorCode`.
"""

from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from core.error_codes import PhotoErrorCode
from core.errors import InvalidInput
from core.settings import Settings

logger = logging.getLogger("entrelieux.media")

FORMATS = ("JPEG", "PNG", "WEBP")
# A camera's multi-picture JPEG (a phone's depth map, a 3D pair) opens as MPO: a JPEG still.
SOURCE_FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP"}
MEDIA_TYPE = "image/webp"
EXTENSION = "webp"
MIN_SIDE = 16
QUALITY = 82
FIELD = "file"
MIB = 1024 * 1024

# Pillow refuses an image over twice this many pixels, and warns over it (an error here).
Image.MAX_IMAGE_PIXELS = 89_478_485  # Pillow's own default, stated: the second line of defence


@dataclass(frozen=True)
class PhotoRules:
    max_bytes: int
    max_pixels: int
    widths: tuple[int, ...]

    @classmethod
    def of(cls, settings: Settings) -> PhotoRules:
        return cls(
            settings.photo_max_bytes, settings.photo_max_pixels, tuple(settings.photo_widths)
        )


@dataclass(frozen=True)
class Rendition:
    width: int
    height: int
    data: bytes


@dataclass(frozen=True)
class PreparedPhoto:
    source_format: str
    renditions: tuple[Rendition, ...]
    """Narrowest first; the last one is the largest."""
    media_type: str = MEDIA_TYPE

    @property
    def largest(self) -> Rendition:
        return self.renditions[-1]


def refuse(code: PhotoErrorCode, value: str | None = None) -> InvalidInput:
    return InvalidInput.one(FIELD, code, value=value)


def size_text(byte_count: int) -> str:
    return f"{byte_count / MIB:g} MiB"


def prepare_photo(data: bytes, rules: PhotoRules) -> PreparedPhoto:
    """Check and re-encode one upload. CPU-bound: call it in a worker thread."""
    if not data:
        raise refuse(PhotoErrorCode.PHOTO_EMPTY)
    if len(data) > rules.max_bytes:
        raise refuse(PhotoErrorCode.PHOTO_TOO_LARGE, size_text(rules.max_bytes))
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = _open(data, rules)
        with image:
            source_format = SOURCE_FORMATS[str(image.format)]
            upright = _decode(image, max(rules.widths))
    renditions = tuple(_encode(upright, width) for width in _widths(upright.width, rules.widths))
    return PreparedPhoto(source_format=source_format, renditions=renditions)


def _open(data: bytes, rules: PhotoRules) -> Image.Image:
    """The image's header read, its size checked; no pixel decoded yet."""
    too_many = refuse(PhotoErrorCode.PHOTO_TOO_MANY_PIXELS, str(rules.max_pixels))
    try:
        image = Image.open(io.BytesIO(data), formats=FORMATS)
    except UnidentifiedImageError:
        raise refuse(PhotoErrorCode.PHOTO_FORMAT_REFUSED) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_many from None
    except Exception as error:  # a header that lies: whatever the decoder says, it is damaged
        logger.info("photo refused at its header: %r", error)
        raise refuse(PhotoErrorCode.PHOTO_DAMAGED) from None
    width, height = image.size
    if image.format not in SOURCE_FORMATS:
        image.close()
        raise refuse(PhotoErrorCode.PHOTO_FORMAT_REFUSED)
    if width * height > rules.max_pixels:
        image.close()
        raise too_many
    if min(width, height) < MIN_SIDE:
        image.close()
        raise refuse(PhotoErrorCode.PHOTO_TOO_SMALL, str(MIN_SIDE))
    return image


def _decode(image: Image.Image, widest: int) -> Image.Image:
    """The first frame's pixels, upright, in sRGB, as RGB or RGBA, with no metadata left."""
    try:
        if SOURCE_FORMATS[str(image.format)] == "JPEG":
            # Decode at the smallest scale (1/2, 1/4, 1/8) still at least `widest` both ways.
            image.draft("RGB", (widest, widest))
        image.load()
        upright = ImageOps.exif_transpose(image)
        icc = image.info.get("icc_profile")
        pixels = _to_srgb(upright, icc) if icc else upright
        if pixels.mode.startswith("I"):  # 16-bit grey: to 8 bits, not clipped to white
            pixels = pixels.convert("I").point(lambda v: v / 256).convert("L")
        mode = "RGBA" if _has_alpha(pixels) else "RGB"
        converted = pixels.convert(mode)
        # A fresh image of the same pixels: nothing of the file's `info` (EXIF, XMP, ICC,
        # comments, the PNG's text chunks) can travel with it into the new files.
        return Image.frombytes(mode, converted.size, converted.tobytes())
    except InvalidInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise refuse(PhotoErrorCode.PHOTO_TOO_MANY_PIXELS) from None
    except Exception as error:  # truncated, corrupt, or a decoder's own complaint
        logger.info("photo refused while decoding: %r", error)
        raise refuse(PhotoErrorCode.PHOTO_DAMAGED) from None


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (
        image.mode == "P" and "transparency" in image.info
    )


def _to_srgb(image: Image.Image, icc: bytes) -> Image.Image:
    """Colours as the camera meant them, once the profile is gone; unchanged if it is unusable."""
    if image.mode not in ("RGB", "RGBA", "CMYK", "L"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        output = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode=output
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image
    return converted if converted is not None else image


def _widths(width: int, wanted: tuple[int, ...]) -> list[int]:
    """The wanted widths narrower than the image, and the image's own width up to the widest:
    never wider than it is."""
    widest = min(width, max(wanted))
    return sorted({w for w in wanted if w < widest} | {widest})


def _encode(image: Image.Image, width: int) -> Rendition:
    height = max(1, round(image.height * width / image.width))
    resized = (
        image
        if width == image.width
        else image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
    )
    buffer = io.BytesIO()
    resized.save(buffer, format="WEBP", quality=QUALITY, method=4, exif=b"", icc_profile=None)
    return Rendition(width=width, height=resized.height, data=buffer.getvalue())
