"""The photo decoder on its own: what cameras and editors write comes out as plain WebP files."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from core.errors import InvalidInput
from core.media.images import PhotoRules, prepare_photo
from tests.images import read_image

RULES = PhotoRules(max_bytes=10 * 1024 * 1024, max_pixels=40_000_000, widths=(320, 640, 1280))


def encoded(image: Image.Image, format: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format, **options)
    return buffer.getvalue()


def frames(*colours: tuple[int, int, int]) -> list[Image.Image]:
    return [Image.new("RGB", (100, 80), colour) for colour in colours]


@pytest.mark.parametrize(
    ("data", "source", "mode", "pixel"),
    [
        pytest.param(
            encoded(Image.new("I;16", (100, 80), 40_000), "PNG"),
            "PNG",
            "RGB",
            (156,) * 3,
            id="grey16",
        ),
        pytest.param(
            encoded(Image.new("CMYK", (100, 80), (0, 255, 0, 0)), "JPEG"),
            "JPEG",
            "RGB",
            (255, 0, 255),
            id="cmyk",
        ),
        pytest.param(
            encoded(Image.new("P", (100, 80)), "PNG", transparency=0),
            "PNG",
            "RGBA",
            (0, 0, 0, 0),
            id="palette-transparent",
        ),
        pytest.param(
            encoded(
                frames((255, 0, 0))[0], "WEBP", save_all=True, append_images=frames((0, 255, 0))
            ),
            "WEBP",
            "RGB",
            (255, 0, 0),
            id="animated-webp-first-frame",
        ),
        pytest.param(
            encoded(
                frames((255, 0, 0))[0], "MPO", save_all=True, append_images=frames((0, 255, 0))
            ),
            "JPEG",
            "RGB",
            (255, 0, 0),
            id="multi-picture-jpeg",
        ),
    ],
)
def test_what_cameras_and_editors_write_is_read(
    data: bytes, source: str, mode: str, pixel: tuple[int, ...]
) -> None:
    prepared = prepare_photo(data, RULES)

    image = read_image(prepared.largest.data)
    assert prepared.source_format == source
    assert (image.format, image.mode, image.size) == ("WEBP", mode, (100, 80))
    assert all(abs(a - b) <= 3 for a, b in zip(image.getpixel((50, 40)), pixel, strict=True))


@pytest.mark.parametrize(
    ("width", "widths"),
    [(3000, [320, 640, 1280]), (1280, [320, 640, 1280]), (800, [320, 640, 800]), (200, [200])],
)
def test_a_photo_is_never_made_wider_than_it_is(width: int, widths: list[int]) -> None:
    prepared = prepare_photo(encoded(Image.new("RGB", (width, 100)), "PNG"), RULES)

    assert [r.width for r in prepared.renditions] == widths
    assert [read_image(r.data).width for r in prepared.renditions] == widths


def test_a_tall_image_over_the_pixel_limit_is_refused_from_its_header() -> None:
    # 2,000 × 25,000 = 50 million pixels: under Pillow's own guard, over ours.
    data = encoded(Image.new("1", (2_000, 25_000)), "PNG")

    with pytest.raises(InvalidInput) as refused:
        prepare_photo(data, RULES)

    [problem] = refused.value.problems
    assert (problem.field, problem.code.name, problem.value) == (
        "file",
        "PHOTO_TOO_MANY_PIXELS",
        "40000000",
    )
