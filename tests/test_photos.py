"""Photos through the API: uploads checked by their content, cleaned of every metadata, served
with long cache headers; refusals that name the field and leave nothing behind; who may."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.app import create_app
from core.db import Database, StatementCounter
from core.media.storage import LocalMediaStorage
from core.models import Listing, Photo, Role, Visibility
from core.settings import Settings
from schema.relay import to_global_id
from tests.factories import make_listing, make_member, make_organization, make_space
from tests.graphql import GraphQLClient
from tests.images import (
    SVG,
    decompression_bomb,
    gif_html_polyglot,
    has_gps,
    jpeg_with_gps,
    png,
    post_upload,
    read_image,
    small_jpeg,
)

MIB = 1024 * 1024

ADD = """
mutation Add($listingId: ID!, $file: Upload!, $alt: String!) {
  listingPhotoAdd(listingId: $listingId, file: $file, alt: $alt) {
    __typename
    ... on ListingPhotoSuccess {
      photo { id alt position width height url srcset contentType sources { url width height } }
      listing { photos { id alt position } coverPhoto { id } }
    }
    ... on InputError { code message fields { field code message value } }
    ... on NotFoundError { code message }
  }
}"""

PHOTO_RESULT = """
    __typename
    ... on ListingPhotoSuccess { photo { id alt position } listing { photos { id alt position } } }
    ... on InputError { code fields { field code value } }
    ... on NotFoundError { code }
"""
UPDATE = f"mutation($id: ID!, $alt: String!) {{ listingPhotoUpdate(id: $id, alt: $alt) {{ {PHOTO_RESULT} }} }}"
MOVE = f"mutation($id: ID!, $position: Int!) {{ listingPhotoMove(id: $id, position: $position) {{ {PHOTO_RESULT} }} }}"
DELETE = f"mutation($id: ID!) {{ listingPhotoDelete(id: $id) {{ {PHOTO_RESULT} }} }}"

SPACE_SET = """
mutation($spaceId: ID!, $file: Upload!, $alt: String!) {
  spacePhotoSet(spaceId: $spaceId, file: $file, alt: $alt) {
    __typename
    ... on SpacePhotoSuccess { photo { id alt url } space { photo { id } } }
    ... on InputError { fields { field code } }
  }
}"""
ORGANIZATION_SET = """
mutation($organizationId: ID!, $file: Upload!, $alt: String!) {
  organizationPhotoSet(organizationId: $organizationId, file: $file, alt: $alt) {
    __typename
    ... on OrganizationPhotoSuccess { photo { id alt url } organization { photo { id alt } } }
    ... on InputError { fields { field code } }
  }
}"""


@pytest.fixture
def media(tmp_path: Path) -> LocalMediaStorage:
    return LocalMediaStorage(tmp_path / "media")


@pytest.fixture
async def http(
    settings: Settings, database: Database, media: LocalMediaStorage
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, database, media=media)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def stored_files(media: LocalMediaStorage) -> list[Path]:
    return sorted(p for p in media.root.rglob("*") if p.is_file()) if media.root.exists() else []


async def photo_rows(session: AsyncSession) -> int:
    return int((await session.exec(select(func.count()).select_from(Photo))).one())


async def own_listing(session: AsyncSession, **fields: Any) -> tuple[Listing, str]:
    organization = await make_organization(session)
    listing = await make_listing(session, organization, **fields)
    member = await make_member(session, organization, Role.MEMBER)
    await session.commit()
    return listing, member.token


async def add(
    http: httpx.AsyncClient,
    token: str | None,
    listing: Listing,
    data: bytes,
    name: str = "photo.jpg",
    content_type: str = "image/jpeg",
    alt: str = "La découpeuse laser dans l’atelier",
) -> dict[str, Any]:
    variables = {"listingId": to_global_id("Listing", listing.id or 0), "alt": alt}
    response = await post_upload(http, ADD, variables, (name, data, content_type), token)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]["listingPhotoAdd"]  # type: ignore[no-any-return]


async def test_a_phone_jpeg_is_served_upright_at_three_widths_without_any_metadata(
    http: httpx.AsyncClient, session: AsyncSession, media: LocalMediaStorage
) -> None:
    listing, token = await own_listing(session)
    original = jpeg_with_gps(1600, 1200, orientation=6)  # taken sideways: 1200 × 1600 upright
    assert has_gps(original)

    result = await add(http, token, listing, original)

    assert result["__typename"] == "ListingPhotoSuccess", result
    photo = result["photo"]
    assert (photo["width"], photo["height"]) == (1200, 1600)
    assert [s["width"] for s in photo["sources"]] == [320, 640, 1200]
    assert photo["contentType"] == "image/webp"
    assert photo["srcset"] == ", ".join(f"{s['url']} {s['width']}w" for s in photo["sources"])
    assert result["listing"]["coverPhoto"]["id"] == photo["id"]
    assert len(stored_files(media)) == 3
    for source in photo["sources"]:
        served = await http.get(source["url"])
        assert served.status_code == 200
        assert served.headers["content-type"] == "image/webp"
        assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert served.headers["x-content-type-options"] == "nosniff"
        image = read_image(served.content)
        assert image.format == "WEBP"
        assert image.size == (source["width"], source["height"])
        assert not image.getexif()
        assert not {"exif", "xmp", "icc_profile", "comment"} & set(image.info)
        assert b"Fairphone" not in served.content
        assert b"GPS" not in served.content
    # Upright: the white block of the top left corner of the sensor is now at the top right.
    largest = read_image((await http.get(photo["url"])).content).convert("RGB")
    assert largest.getpixel((largest.width - 5, 5)) > (240, 240, 240)


async def test_a_png_named_jpg_is_read_as_the_png_it_is(
    http: httpx.AsyncClient, session: AsyncSession
) -> None:
    listing, token = await own_listing(session)

    result = await add(http, token, listing, png(alpha=True), "photo.jpg", "image/jpeg")

    assert result["__typename"] == "ListingPhotoSuccess", result
    row = (await session.exec(select(Photo))).one()
    assert row.source_format == "PNG"
    served = read_image((await http.get(result["photo"]["url"])).content)
    assert served.mode == "RGBA"  # its transparency kept


async def test_a_twelve_mebibyte_upload_is_refused_before_it_is_read_and_says_why(
    http: httpx.AsyncClient, session: AsyncSession, media: LocalMediaStorage
) -> None:
    listing, token = await own_listing(session)
    variables = {"listingId": to_global_id("Listing", listing.id or 0), "alt": "Trop grande"}
    big = small_jpeg() + b"\0" * (12 * MIB)

    response = await post_upload(http, ADD, variables, ("big.jpg", big, "image/jpeg"), token)

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/json"
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert error["message"] == "A photo may weigh at most 10 MiB: this upload is larger."
    assert await photo_rows(session) == 0
    assert stored_files(media) == []


async def test_a_file_just_over_ten_mebibytes_is_an_input_error_on_the_file(
    http: httpx.AsyncClient, session: AsyncSession, media: LocalMediaStorage
) -> None:
    listing, token = await own_listing(session)

    result = await add(http, token, listing, small_jpeg() + b"\0" * (10 * MIB))

    assert result["__typename"] == "InputError"
    assert result["fields"] == [
        {
            "field": "file",
            "code": "PHOTO_TOO_LARGE",
            "message": "the file is larger than 10 MiB (the most a photo may weigh)",
            "value": "10 MiB",
        }
    ]
    assert stored_files(media) == []


def _truncated_jpeg() -> bytes:
    data = jpeg_with_gps(800, 600, orientation=1)
    return data[: len(data) * 2 // 3]


@pytest.mark.parametrize(
    ("data", "name", "content_type", "code"),
    [
        pytest.param(_truncated_jpeg(), "cut.jpg", "image/jpeg", "PHOTO_DAMAGED", id="truncated"),
        pytest.param(
            gif_html_polyglot(), "x.gif", "image/gif", "PHOTO_FORMAT_REFUSED", id="gif-polyglot"
        ),
        pytest.param(
            gif_html_polyglot(), "x.jpg", "image/jpeg", "PHOTO_FORMAT_REFUSED", id="gif-as-jpg"
        ),
        pytest.param(
            decompression_bomb(), "b.png", "image/png", "PHOTO_TOO_MANY_PIXELS", id="bomb"
        ),
        pytest.param(SVG, "logo.svg", "image/svg+xml", "PHOTO_FORMAT_REFUSED", id="svg"),
        pytest.param(SVG, "logo.png", "image/png", "PHOTO_FORMAT_REFUSED", id="svg-as-png"),
        pytest.param(b"", "empty.jpg", "image/jpeg", "PHOTO_EMPTY", id="empty"),
        pytest.param(
            small_jpeg(width=8, height=8), "dot.jpg", "image/jpeg", "PHOTO_TOO_SMALL", id="tiny"
        ),
        pytest.param(
            b"%PDF-1.7\n" + b"0" * 500, "doc.jpg", "image/jpeg", "PHOTO_FORMAT_REFUSED", id="pdf"
        ),
    ],
)
async def test_a_bad_file_is_refused_on_the_file_field_and_leaves_nothing(
    http: httpx.AsyncClient,
    session: AsyncSession,
    media: LocalMediaStorage,
    data: bytes,
    name: str,
    content_type: str,
    code: str,
) -> None:
    listing, token = await own_listing(session)

    result = await add(http, token, listing, data, name, content_type)

    assert result["__typename"] == "InputError", result
    assert [(f["field"], f["code"]) for f in result["fields"]] == [("file", code)]
    assert result["fields"][0]["message"]
    assert await photo_rows(session) == 0
    assert stored_files(media) == []


async def test_a_photo_needs_its_alt_text(
    http: httpx.AsyncClient, session: AsyncSession, media: LocalMediaStorage
) -> None:
    listing, token = await own_listing(session)

    blank = await add(http, token, listing, small_jpeg(), alt="   ")
    long = await add(http, token, listing, small_jpeg(), alt="x" * 301)

    assert [(f["field"], f["code"]) for f in blank["fields"]] == [("alt", "ALT_REQUIRED")]
    assert [(f["field"], f["code"], f["value"]) for f in long["fields"]] == [
        ("alt", "TOO_LONG", "300")
    ]
    assert stored_files(media) == []


async def test_a_file_sent_as_json_text_is_refused_on_the_file_field(
    client: GraphQLClient, session: AsyncSession
) -> None:
    listing, token = await own_listing(session)
    variables = {"listingId": to_global_id("Listing", listing.id or 0), "alt": "x", "file": "abc"}

    data = await client.execute(ADD, variables, token)

    fields = data["listingPhotoAdd"]["fields"]
    assert [(f["field"], f["code"]) for f in fields] == [("file", "NOT_A_FILE")]


async def test_a_listing_has_at_most_eight_photos(
    http: httpx.AsyncClient, session: AsyncSession, media: LocalMediaStorage
) -> None:
    listing, token = await own_listing(session)
    for seed in range(8):
        assert (await add(http, token, listing, small_jpeg(seed)))["__typename"] == (
            "ListingPhotoSuccess"
        )

    ninth = await add(http, token, listing, small_jpeg(9))

    assert [(f["field"], f["code"], f["value"]) for f in ninth["fields"]] == [
        ("listingId", "TOO_MANY_PHOTOS", "8")
    ]
    assert await photo_rows(session) == 8
    assert len(stored_files(media)) == 8  # 64 px wide: one file each


async def test_photos_are_described_reordered_and_deleted_with_their_files(
    http: httpx.AsyncClient,
    client: GraphQLClient,
    session: AsyncSession,
    media: LocalMediaStorage,
) -> None:
    listing, token = await own_listing(session)
    ids = [
        (await add(http, token, listing, small_jpeg(i, 400, 300), alt=f"Photo {i}"))["photo"]["id"]
        for i in range(3)
    ]
    graph = GraphQLClient(http)

    moved = (await graph.execute(MOVE, {"id": ids[2], "position": 0}, token))["listingPhotoMove"]
    assert [p["id"] for p in moved["listing"]["photos"]] == [ids[2], ids[0], ids[1]]
    assert [p["position"] for p in moved["listing"]["photos"]] == [0, 1, 2]
    last = (await graph.execute(MOVE, {"id": ids[2], "position": 99}, token))["listingPhotoMove"]
    assert [p["id"] for p in last["listing"]["photos"]] == [ids[0], ids[1], ids[2]]

    described = await graph.execute(UPDATE, {"id": ids[1], "alt": "  Vue de face  "}, token)
    assert described["listingPhotoUpdate"]["photo"]["alt"] == "Vue de face"

    before = stored_files(media)
    deleted = (await graph.execute(DELETE, {"id": ids[0]}, token))["listingPhotoDelete"]

    assert deleted["photo"] is None
    assert [(p["id"], p["position"]) for p in deleted["listing"]["photos"]] == [
        (ids[1], 0),
        (ids[2], 1),
    ]
    assert len(before) == 6
    assert len(stored_files(media)) == 4
    again = (await graph.execute(DELETE, {"id": ids[0]}, token))["listingPhotoDelete"]
    assert again == {"__typename": "NotFoundError", "code": "PHOTO_NOT_FOUND"}


async def test_another_organization_may_neither_add_nor_change_nor_delete(
    http: httpx.AsyncClient, session: AsyncSession, media: LocalMediaStorage
) -> None:
    listing, token = await own_listing(session)
    other = await make_member(session, await make_organization(session, "Ailleurs"), Role.ADMIN)
    await session.commit()
    photo_id = (await add(http, token, listing, small_jpeg()))["photo"]["id"]
    files = stored_files(media)
    variables = {"listingId": to_global_id("Listing", listing.id or 0), "alt": "Intrus"}

    added = await post_upload(
        http, ADD, variables, ("a.jpg", small_jpeg(1), "image/jpeg"), other.token
    )
    anonymous = await post_upload(http, ADD, variables, ("a.jpg", small_jpeg(1), "image/jpeg"))
    graph = GraphQLClient(http)
    deleted = await graph.errors(DELETE, {"id": photo_id}, other.token)
    described = await graph.errors(UPDATE, {"id": photo_id, "alt": "Volé"}, other.token)
    moved = await graph.errors(MOVE, {"id": photo_id, "position": 3}, other.token)

    assert added.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    for errors in (deleted, described, moved):
        assert errors[0]["extensions"] == {"code": "FORBIDDEN", "reason": "NOT_A_MEMBER"}
    assert await photo_rows(session) == 1
    assert stored_files(media) == files


async def test_the_photos_of_a_private_listing_are_not_found_by_others(
    http: httpx.AsyncClient, session: AsyncSession
) -> None:
    listing, token = await own_listing(session, visibility=Visibility.PRIVATE)
    other = await make_member(session, await make_organization(session, "Ailleurs"))
    await session.commit()
    photo_id = (await add(http, token, listing, small_jpeg()))["photo"]["id"]

    added = await add(http, other.token, listing, small_jpeg(2))
    deleted = await GraphQLClient(http).execute(DELETE, {"id": photo_id}, other.token)

    assert added == {
        "__typename": "NotFoundError",
        "code": "LISTING_NOT_FOUND",
        "message": f"No listing with id {listing.id}.",
    }
    assert deleted["listingPhotoDelete"] == {
        "__typename": "NotFoundError",
        "code": "PHOTO_NOT_FOUND",
    }


class _FailingSecondWrite(LocalMediaStorage):
    """A storage that fails while writing the photo's second file (a full disk, a lost bucket)."""

    writes = 0

    async def put(self, key: str, data: bytes, media_type: str) -> None:
        self.writes += 1
        if self.writes == 2:
            raise OSError("No space left on device")
        await super().put(key, data, media_type)


async def test_a_storage_failure_half_way_leaves_neither_files_nor_row(
    settings: Settings, database: Database, session: AsyncSession, tmp_path: Path
) -> None:
    listing, token = await own_listing(session)
    failing = _FailingSecondWrite(tmp_path / "failing")
    app = create_app(settings, database, media=failing)
    variables = {"listingId": to_global_id("Listing", listing.id or 0), "alt": "Photo"}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        response = await post_upload(
            http, ADD, variables, ("a.jpg", jpeg_with_gps(900, 600), "image/jpeg"), token
        )

    assert response.json()["errors"][0]["message"] == "Internal error."
    assert failing.writes == 2
    assert [p for p in failing.root.rglob("*") if p.is_file()] == []
    assert await photo_rows(session) == 0


async def test_a_place_and_an_organization_have_one_photo_that_a_new_one_replaces(
    http: httpx.AsyncClient, session: AsyncSession, media: LocalMediaStorage
) -> None:
    organization = await make_organization(session)
    space = await make_space(session, organization)
    admin = await make_member(session, organization, Role.ADMIN)
    member = await make_member(session, organization, Role.MEMBER)
    await session.commit()
    space_id = to_global_id("Space", space.id or 0)
    organization_id = to_global_id("Organization", organization.id or 0)

    async def set_space(token: str, seed: int) -> dict[str, Any]:
        variables = {"spaceId": space_id, "alt": f"La façade {seed}"}
        file = ("f.jpg", small_jpeg(seed, 700, 500), "image/jpeg")
        return (await post_upload(http, SPACE_SET, variables, file, token)).json()

    first = (await set_space(admin.token, 1))["data"]["spacePhotoSet"]
    second = (await set_space(admin.token, 2))["data"]["spacePhotoSet"]
    by_member = await set_space(member.token, 3)
    logo = await post_upload(
        http,
        ORGANIZATION_SET,
        {"organizationId": organization_id, "alt": "Le logo"},
        ("logo.png", png(), "image/png"),
        admin.token,
    )

    assert second["space"]["photo"]["id"] == second["photo"]["id"]
    assert second["photo"]["url"] != first["photo"]["url"]
    assert (await http.get(first["photo"]["url"])).status_code == 404  # its files are gone
    assert (await http.get(second["photo"]["url"])).status_code == 200
    assert by_member["errors"][0]["extensions"]["reason"] == "ADMIN_ROLE_REQUIRED"
    organization_photo = logo.json()["data"]["organizationPhotoSet"]
    assert organization_photo["organization"]["photo"]["alt"] == "Le logo"
    assert await photo_rows(session) == 2
    assert len(stored_files(media)) == 3 + 2  # 320/640/700, and 320/400

    graph = GraphQLClient(http)
    update = """mutation($id: ID!) { organizationPhotoUpdate(organizationId: $id, alt: "Logo bleu") {
        ... on OrganizationPhotoSuccess { photo { alt } } } }"""
    assert (await graph.execute(update, {"id": organization_id}, admin.token))[
        "organizationPhotoUpdate"
    ] == {"photo": {"alt": "Logo bleu"}}
    delete = """mutation($id: ID!) { spacePhotoDelete(spaceId: $id) {
        __typename ... on SpacePhotoSuccess { photo { id } space { photo { id } } } } }"""
    gone = (await graph.execute(delete, {"id": space_id}, admin.token))["spacePhotoDelete"]
    assert gone == {"__typename": "SpacePhotoSuccess", "photo": None, "space": {"photo": None}}
    assert len(stored_files(media)) == 2
    again = (await graph.execute(delete, {"id": space_id}, admin.token))["spacePhotoDelete"]
    assert again == {"__typename": "NotFoundError"}


async def test_a_page_of_listings_loads_every_photo_in_one_query(
    http: httpx.AsyncClient, session: AsyncSession, statements: StatementCounter
) -> None:
    organization = await make_organization(session)
    listings = [await make_listing(session, organization) for _ in range(5)]
    member = await make_member(session, organization)
    await session.commit()
    for listing in listings:
        for seed in range(2):
            await add(http, member.token, listing, small_jpeg(seed))
    query = """{ listings(first: 5) { edges { node {
        photos { id url } coverPhoto { alt srcset } } } } }"""
    graph = GraphQLClient(http)

    await graph.execute(query)  # warm: caches, sign-in tables
    before = statements.total
    data = await graph.execute(query)

    nodes = [edge["node"] for edge in data["listings"]["edges"]]
    assert [len(node["photos"]) for node in nodes] == [2] * 5
    assert all(node["coverPhoto"]["alt"] for node in nodes)
    # the page, its count when asked (not here), and the photos: no query per listing
    assert statements.total - before <= 3


async def test_the_media_route_serves_only_photo_files(
    http: httpx.AsyncClient, media: LocalMediaStorage
) -> None:
    await media.put("photos/" + "a" * 32 + "/320.webp", b"RIFF....WEBP", "image/webp")
    (media.root / "secret.txt").write_text("no")

    found = await http.get("/media/photos/" + "a" * 32 + "/320.webp")
    for path in (
        "/media/secret.txt",
        "/media/photos/%2E%2E/%2E%2E/x.webp",
        "/media/photos/zz/1.webp",
    ):
        refused = await http.get(path)
        assert refused.status_code == 404, path
        assert refused.headers["cache-control"] == "no-store"

    assert found.status_code == 200
    assert found.headers["content-security-policy"] == "default-src 'none'; sandbox"


def test_an_unusable_photo_setting_is_refused() -> None:
    with pytest.raises(ValueError, match="MEDIA_S3_BUCKET"):
        Settings(media_storage="s3")
    with pytest.raises(ValueError, match="MEDIA_URL"):
        Settings(media_url="javascript:alert(1)")
    assert Settings(media_url="https://cdn.example.org/photos/").media_url == (
        "https://cdn.example.org/photos"
    )


def test_the_check_for_metadata_would_see_some() -> None:
    """The tests' own tool: Pillow does read EXIF from a WebP that has some."""
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "Camera"
    Image.new("RGB", (20, 20)).save(buffer, "WEBP", exif=exif.tobytes())
    assert read_image(buffer.getvalue()).getexif()
