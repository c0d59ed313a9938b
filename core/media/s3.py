"""The S3 backend of `MediaStorage`: any S3-compatible object store (MinIO, Garage, Scaleway,
OVH, AWS), through boto3. The only module that talks to the object store.

boto3 is synchronous: each call runs in a worker thread. Its client is thread-safe and made once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from core.media.storage import StoredFile, check_key, media_type_of

if TYPE_CHECKING:  # the stubs are a development dependency
    from mypy_boto3_s3 import S3Client

IMMUTABLE = "public, max-age=31536000, immutable"
_MISSING = {"NoSuchKey", "404", "NotFound"}
_BATCH = 1000  # DeleteObjects takes at most 1,000 keys


class S3MediaStorage:
    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        prefix: str = "",
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client: S3Client = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            # Path-style addressing: what MinIO and most self-hosted stores expect.
            config=Config(
                s3={"addressing_style": "path"},
                retries={"max_attempts": 3, "mode": "standard"},
                connect_timeout=5,
                read_timeout=30,
            ),
        )

    def _object(self, key: str) -> str:
        return self.prefix + check_key(key)

    async def put(self, key: str, data: bytes, media_type: str) -> None:
        await asyncio.to_thread(
            self.client.put_object,
            Bucket=self.bucket,
            Key=self._object(key),
            Body=data,
            ContentType=media_type,
            CacheControl=IMMUTABLE,
        )

    async def get(self, key: str) -> StoredFile | None:
        name = self._object(key)

        def read() -> StoredFile | None:
            try:
                answer = self.client.get_object(Bucket=self.bucket, Key=name)
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") in _MISSING:
                    return None
                raise
            with answer["Body"] as body:
                data = body.read()
            return StoredFile(data, answer.get("ContentType") or media_type_of(key))

        return await asyncio.to_thread(read)

    async def delete(self, keys: Sequence[str]) -> None:
        names = [self._object(key) for key in keys]
        for start in range(0, len(names), _BATCH):
            batch = names[start : start + _BATCH]
            await asyncio.to_thread(
                self.client.delete_objects,
                Bucket=self.bucket,
                Delete={"Objects": [{"Key": name} for name in batch], "Quiet": True},
            )

    async def ensure_bucket(self) -> None:
        """Create the bucket when it does not exist (development, tests; production makes it)."""

        def create() -> None:
            try:
                self.client.head_bucket(Bucket=self.bucket)
            except ClientError:
                self.client.create_bucket(Bucket=self.bucket)

        await asyncio.to_thread(create)
