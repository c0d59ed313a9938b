"""The media storage's two backends, for real: a folder on disk, and an S3 endpoint.

No MinIO server can be installed here (it is on neither PyPI, npm nor Debian); the S3 backend is
tested against moto's S3 server instead, a real HTTP endpoint on loopback that speaks the S3
protocol (signatures, buckets, objects, batch deletes), through the same boto3 calls MinIO gets.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from moto.server import ThreadedMotoServer
from sqlmodel.ext.asyncio.session import AsyncSession

from api.app import create_app
from core.db import Database
from core.loopback import free_port
from core.media.backends import media_storage
from core.media.files import FileChanges
from core.media.s3 import S3MediaStorage
from core.media.storage import BadKey, LocalMediaStorage, MediaStorage
from core.models import Role
from core.settings import Settings
from schema.relay import to_global_id
from tests.factories import make_listing, make_member, make_organization
from tests.graphql import GraphQLClient
from tests.images import jpeg_with_gps, post_upload, read_image
from tests.test_photos import ADD, DELETE

KEY = "photos/" + "0" * 32 + "/320.webp"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
async def s3(s3_endpoint: str, tmp_path: Path) -> S3MediaStorage:
    storage = S3MediaStorage(
        f"entrelieux-{tmp_path.name.lower().replace('_', '-')[-40:]}",
        endpoint_url=s3_endpoint,
        access_key_id="test",
        secret_access_key="test-secret",
        prefix="media/",
    )
    await storage.ensure_bucket()
    return storage


@pytest.fixture
def local(tmp_path: Path) -> LocalMediaStorage:
    return LocalMediaStorage(tmp_path / "media")


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest) -> MediaStorage:
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]


async def test_a_file_is_written_read_and_deleted(storage: MediaStorage) -> None:
    await storage.put(KEY, b"RIFF-webp", "image/webp")

    found = await storage.get(KEY)
    await storage.delete([KEY, "photos/never-written/1.webp"])  # a missing key is no error

    assert found is not None
    assert (found.data, found.media_type) == (b"RIFF-webp", "image/webp")
    assert await storage.get(KEY) is None
    assert await storage.get("photos/nothing/here.webp") is None


@pytest.mark.parametrize(
    "key", ["../etc/passwd", "/etc/passwd", "photos/../../x", "Photos/X.webp", "a//b", ""]
)
async def test_a_key_that_could_leave_the_storage_is_refused(
    storage: MediaStorage, key: str
) -> None:
    with pytest.raises(BadKey):
        await storage.put(key, b"x", "image/webp")
    with pytest.raises(BadKey):
        await storage.get(key)


async def test_the_local_folder_keeps_no_temporary_file_and_no_empty_folder(
    local: LocalMediaStorage,
) -> None:
    await local.put(KEY, b"one", "image/webp")
    await local.put(KEY, b"two", "image/webp")  # replaced whole
    assert [p.name for p in local.root.rglob("*") if p.is_file()] == ["320.webp"]
    assert (await local.get(KEY)) is not None

    await local.delete([KEY])

    assert list(local.root.rglob("*")) == []


async def test_an_s3_object_carries_its_type_and_cache_headers_under_the_prefix(
    s3: S3MediaStorage,
) -> None:
    await s3.put(KEY, b"webp", "image/webp")

    head = s3.client.head_object(Bucket=s3.bucket, Key=f"media/{KEY}")

    assert head["ContentType"] == "image/webp"
    assert head["CacheControl"] == "public, max-age=31536000, immutable"


async def test_pending_files_are_removed_on_rollback_and_doomed_ones_on_commit(
    storage: MediaStorage,
) -> None:
    await storage.put(KEY, b"old", "image/webp")
    rolled_back = FileChanges(storage)
    await rolled_back.put("photos/new/320.webp", b"new", "image/webp")
    rolled_back.remove_after_commit([KEY])

    await rolled_back.settle(committed=False)

    assert await storage.get("photos/new/320.webp") is None
    assert await storage.get(KEY) is not None
    committed = FileChanges(storage)
    committed.remove_after_commit([KEY])
    await committed.settle(committed=True)
    assert await storage.get(KEY) is None


def test_the_settings_choose_the_backend(tmp_path: Path) -> None:
    local = media_storage(Settings(var_dir=tmp_path))
    s3 = media_storage(
        Settings(
            media_storage="s3",
            media_s3_bucket="photos",
            media_s3_endpoint_url="http://127.0.0.1:9000",
            media_s3_prefix="/entrelieux/",
        )
    )

    assert isinstance(local, LocalMediaStorage)
    assert local.root == tmp_path / "media"
    assert isinstance(s3, S3MediaStorage)
    assert (s3.bucket, s3.prefix) == ("photos", "entrelieux/")


@pytest.fixture
async def s3_http(
    settings: Settings, database: Database, s3: S3MediaStorage
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, database, media=s3)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def test_a_photo_goes_to_the_bucket_is_served_from_it_and_leaves_it(
    s3_http: httpx.AsyncClient, s3: S3MediaStorage, session: AsyncSession
) -> None:
    organization = await make_organization(session)
    listing = await make_listing(session, organization)
    member = await make_member(session, organization, Role.MEMBER)
    await session.commit()
    variables = {"listingId": to_global_id("Listing", listing.id or 0), "alt": "Vue"}

    response = await post_upload(
        s3_http, ADD, variables, ("p.jpg", jpeg_with_gps(900, 600), "image/jpeg"), member.token
    )
    photo = response.json()["data"]["listingPhotoAdd"]["photo"]
    objects = s3.client.list_objects_v2(Bucket=s3.bucket)["Contents"]
    served = await s3_http.get(photo["url"])

    assert sorted(o["Key"].rsplit("/", 1)[1] for o in objects) == [
        "320.webp",
        "600.webp",
    ]  # upright: 600 wide
    assert all(o["Key"].startswith("media/photos/") for o in objects)
    assert served.status_code == 200
    assert not read_image(served.content).getexif()

    deleted = await GraphQLClient(s3_http).execute(DELETE, {"id": photo["id"]}, member.token)

    assert deleted["listingPhotoDelete"]["photo"] is None
    assert s3.client.list_objects_v2(Bucket=s3.bucket).get("KeyCount") == 0
