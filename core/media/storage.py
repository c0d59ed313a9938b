"""Where photo files are kept: one small interface, `MediaStorage`, and its local backend.

Keys are relative paths of lower-case letters, digits, `_`, `-` and `.` between slashes
(`photos/3f2a…/640.webp`): never absolute, never `..`, so no key leaves the storage's root. A key
is written once and never changed (its content is immutable: a changed photo gets a new key), so
whoever serves a file may let browsers and proxies keep it for a year.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

_KEY = re.compile(r"[a-z0-9][a-z0-9_-]*(/[a-z0-9][a-z0-9_.-]*)*")
MEDIA_TYPES = {".webp": "image/webp", ".jpg": "image/jpeg", ".png": "image/png"}


class BadKey(ValueError):
    """A key that is not a plain relative path of the storage."""


def check_key(key: str) -> str:
    if len(key) > 200 or not _KEY.fullmatch(key) or ".." in key:
        raise BadKey(f"not a media key: {key[:80]!r}")
    return key


def media_type_of(key: str) -> str:
    return MEDIA_TYPES.get(Path(key).suffix, "application/octet-stream")


@dataclass(frozen=True)
class StoredFile:
    data: bytes
    media_type: str


class MediaStorage(Protocol):
    """Files by key. Implementations: `LocalMediaStorage` (a folder), `S3MediaStorage`."""

    async def put(self, key: str, data: bytes, media_type: str) -> None:
        """Write the file at `key` (whole, or not at all)."""

    async def get(self, key: str) -> StoredFile | None:
        """The file at `key`, or None when there is none."""

    async def delete(self, keys: Sequence[str]) -> None:
        """Remove these files; a key with no file is no error."""


class LocalMediaStorage:
    """Files in a folder (VAR_DIR/media by default): the default for development and one server."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, key: str) -> Path:
        return self.root / check_key(key)

    async def put(self, key: str, data: bytes, media_type: str) -> None:
        await asyncio.to_thread(self._write, self.path_of(key), data)

    async def get(self, key: str) -> StoredFile | None:
        path = self.path_of(key)
        try:
            data = await asyncio.to_thread(path.read_bytes)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None
        return StoredFile(data, media_type_of(key))

    async def delete(self, keys: Sequence[str]) -> None:
        paths = [self.path_of(key) for key in keys]
        await asyncio.to_thread(self._remove, paths)

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        """Through a temporary file renamed into place: a reader never sees half a file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            temporary.write_bytes(data)
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)

    def _remove(self, paths: list[Path]) -> None:
        for path in paths:
            path.unlink(missing_ok=True)
            # The photo's folder goes with its last file; the root stays.
            folder = path.parent
            while folder != self.root and self.root in folder.parents:
                with contextlib.suppress(OSError):  # not empty, or already gone
                    folder.rmdir()
                folder = folder.parent
