"""The media storage the settings choose: a local folder, or an S3-compatible bucket."""

from __future__ import annotations

from core.media.s3 import S3MediaStorage
from core.media.storage import LocalMediaStorage, MediaStorage
from core.settings import Settings


def media_storage(settings: Settings) -> MediaStorage:
    if settings.media_storage == "s3":
        assert settings.media_s3_bucket is not None  # the settings refuse s3 without a bucket
        secret = settings.media_s3_secret_access_key
        return S3MediaStorage(
            settings.media_s3_bucket,
            endpoint_url=settings.media_s3_endpoint_url,
            region=settings.media_s3_region,
            access_key_id=settings.media_s3_access_key_id,
            secret_access_key=secret.get_secret_value() if secret else None,
            prefix=settings.media_s3_prefix,
        )
    return LocalMediaStorage(settings.media_folder)
